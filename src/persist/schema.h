/*
 * The five Parquet tables of a run folder (docs/design.md section 4): names, files, columns, types.
 * The store creates its DuckDB tables from these definitions, the tests check the published
 * files against them, and docs/files.md lists them. Extra columns are only ever appended.
 */
#ifndef ARGO_SCHEMA_H
#define ARGO_SCHEMA_H

#include <stddef.h>

#include "util/strbuf.h"

typedef enum argo__coltype {
  ARGO_COL_TEXT = 0,
  ARGO_COL_DOUBLE = 1,
  ARGO_COL_TIMESTAMP = 2, /* int64_t microseconds, UTC: TIMESTAMPTZ in DuckDB, Parquet
                             TIMESTAMP(MICROS, isAdjustedToUTC=true) */
  ARGO_COL_BIGINT = 3,
  ARGO_COL_BOOLEAN = 4 /* int64_t 0 or 1 in a batch; BOOLEAN in DuckDB and Parquet */
} argo__coltype;

typedef struct argo__column {
  const char *name;
  argo__coltype type;
  /* TEXT columns whose values come from a fixed list (side, status, level ...): the list,
   * NULL-terminated. The store keeps such a column as a DuckDB ENUM, which costs a byte per row
   * instead of a string and is written to Parquet as the same UTF-8 strings (dictionary
   * encoded), so readers see no difference. NULL for free text. */
  const char *const *labels;
} argo__column;

typedef enum argo__table_id {
  ARGO_T_ORDERS = 0,
  ARGO_T_TRADES = 1,
  ARGO_T_MARKS = 2,
  ARGO_T_LOGS = 3,
  ARGO_T_MARKET_DATA = 4,
  ARGO_T_COUNT = 5
} argo__table_id;

#define ARGO_MAX_COLS 16

typedef struct argo__table {
  const char *name; /* DuckDB table name: "orders" */
  const char *file; /* "orders.parquet" */
  const argo__column *cols;
  size_t ncols;
} argo__table;

const argo__table *argo__schema(argo__table_id id);
/* DuckDB type name of a column type ("VARCHAR", "DOUBLE", "TIMESTAMPTZ", "BIGINT"). */
const char *argo__coltype_sql(argo__coltype t);
/* The DuckDB statements that make a table of t's columns: every CREATE TYPE ... AS ENUM of
 * its fixed-value columns (enum_sql; once per database, types outlive the tables, the library
 * and tools/gen_empty_parquet share them) and its CREATE TABLE under name (create_sql), its
 * "symbol" column of type symbol_type unless that is NULL (VARCHAR). */
void argo__schema_enum_sql(const argo__table *t, argo__sb *sb);
void argo__schema_create_sql(const argo__table *t, const char *name, const char *symbol_type,
                             argo__sb *sb);
/* CREATE TYPE name AS ENUM of the n labels (quoted) into sb. -1 if a label is too long. */
int argo__schema_enum_type_sql(const char *name, const char *const *labels, size_t n, argo__sb *sb);
/* The DuckDB type of column c of t in those tables: symbol_type for a "symbol" column if not
 * NULL, a fixed-value column's ENUM type, or the column type's SQL name. */
void argo__schema_col_type(const argo__table *t, size_t c, const char *symbol_type, char *out,
                           size_t len);
/* The type of market_data.symbol while a session's symbols are known: their ENUM. */
#define ARGO_SYMBOL_TYPE "argo_market_data_symbol"
/* Quotes s as an SQL string literal ('...' with quotes doubled) into out. -1 if too long. */
int argo__sql_quote(const char *s, char *out, size_t len);

/* Column positions, so that writers need not search by name. */
enum {
  ORD_ID,
  ORD_SYMBOL,
  ORD_SIDE,
  ORD_TYPE,
  ORD_QTY,
  ORD_PRICE,
  ORD_TS,
  ORD_STATUS,
  ORD_STRATEGY,
  ORD_POSTYPE,
  ORD_REASON,
  ORD_CLIENT_ID,
  ORD_NCOLS
};
enum {
  TRD_ORDER_ID,
  TRD_SYMBOL,
  TRD_SIDE,
  TRD_QTY,
  TRD_PRICE,
  TRD_TS,
  TRD_EXEC_AT,
  TRD_EXEC_QTY,
  TRD_EXEC_PRICE,
  TRD_COMMISSION,
  TRD_PNL,
  TRD_POSTYPE,
  TRD_COMM_ASSET,
  TRD_TRADE_ID,
  TRD_NCOLS
};
enum {
  MRK_ID,
  MRK_TIME,
  MRK_SYMBOL,
  MRK_COLOR,
  MRK_SHAPE,
  MRK_LEVEL,
  MRK_TITLE,
  MRK_MESSAGE,
  MRK_CATEGORY,
  MRK_SIGNAL,
  MRK_NCOLS
};
enum { LOG_ID, LOG_TS, LOG_SYMBOL, LOG_LEVEL, LOG_MESSAGE, LOG_FIELDS, LOG_NCOLS };
/* MD_HISTORY (appended after the columns of docs/design.md section 4): the candle is downloaded
 * history (prefetch, gap fill) that the strategy saw as warm-up only, never traded on. */
enum { MD_TIME, MD_SYMBOL, MD_OPEN, MD_HIGH, MD_LOW, MD_CLOSE, MD_VOLUME, MD_HISTORY, MD_NCOLS };

/* Text forms of the enums of strategy.h, as stored in the files. */
const char *argo__side_name(int side);           /* BUY, SELL */
const char *argo__order_type_name(int type);     /* MARKET, LIMIT */
const char *argo__position_type_name(int pt);    /* LONG, SHORT */
const char *argo__order_status_name(int status); /* PENDING, FILLED, ... */
const char *argo__log_level_name(int level);     /* debug, info, warning, error */

#endif
