/* Table definitions of docs/design.md section 4; see schema.h. */
#include "persist/schema.h"

#include <stdio.h>
#include <string.h>

#include "util/util.h"

/* Label lists of the fixed-value columns, in the order of the enums of strategy.h (the store
 * relies only on the values, not on the order). */
static const char *const side_labels[] = {"BUY", "SELL", NULL};
static const char *const type_labels[] = {"MARKET", "LIMIT", NULL};
static const char *const postype_labels[] = {"LONG", "SHORT", NULL};
static const char *const status_labels[] = {"PENDING",  "FILLED", "CANCELLED",
                                            "REJECTED", "FAILED", NULL};
static const char *const shape_labels[] = {"circle", "square", "triangle", NULL};
static const char *const mark_level_labels[] = {"info", "warning", "error", NULL};
static const char *const log_level_labels[] = {"debug", "info", "warning", "error", NULL};

static const argo__column orders_cols[] = {
    {"order_id", ARGO_COL_TEXT, NULL},
    {"symbol", ARGO_COL_TEXT, NULL},
    {"side", ARGO_COL_TEXT, side_labels},
    {"order_type", ARGO_COL_TEXT, type_labels},
    {"quantity", ARGO_COL_DOUBLE, NULL},
    {"price", ARGO_COL_DOUBLE, NULL},
    {"timestamp", ARGO_COL_TIMESTAMP, NULL},
    {"status", ARGO_COL_TEXT, status_labels},
    {"strategy_name", ARGO_COL_TEXT, NULL},
    {"position_type", ARGO_COL_TEXT, postype_labels},
    {"reason", ARGO_COL_TEXT, NULL},
    /* Appended for live brokers (docs/files.md): the exchange's client order id; empty for the
     * paper broker. */
    {"client_order_id", ARGO_COL_TEXT, NULL},
};

static const argo__column trades_cols[] = {
    {"order_id", ARGO_COL_TEXT, NULL},
    {"symbol", ARGO_COL_TEXT, NULL},
    {"side", ARGO_COL_TEXT, side_labels},
    {"quantity", ARGO_COL_DOUBLE, NULL},
    {"price", ARGO_COL_DOUBLE, NULL},
    {"timestamp", ARGO_COL_TIMESTAMP, NULL},
    {"executed_at", ARGO_COL_TIMESTAMP, NULL},
    {"executed_qty", ARGO_COL_DOUBLE, NULL},
    {"executed_price", ARGO_COL_DOUBLE, NULL},
    {"commission", ARGO_COL_DOUBLE, NULL},
    {"pnl", ARGO_COL_DOUBLE, NULL},
    {"position_type", ARGO_COL_TEXT, postype_labels},
    /* Appended for live brokers (docs/files.md): empty for the paper broker. */
    {"commission_asset", ARGO_COL_TEXT, NULL},
    {"trade_id", ARGO_COL_TEXT, NULL},
};

static const argo__column marks_cols[] = {
    {"id", ARGO_COL_BIGINT, NULL},          {"time", ARGO_COL_TIMESTAMP, NULL},
    {"symbol", ARGO_COL_TEXT, NULL},        {"color", ARGO_COL_TEXT, NULL},
    {"shape", ARGO_COL_TEXT, shape_labels}, {"level", ARGO_COL_TEXT, mark_level_labels},
    {"title", ARGO_COL_TEXT, NULL},         {"message", ARGO_COL_TEXT, NULL},
    {"category", ARGO_COL_TEXT, NULL},      {"signal_type", ARGO_COL_TEXT, NULL},
};

static const argo__column logs_cols[] = {
    {"id", ARGO_COL_BIGINT, NULL},    {"timestamp", ARGO_COL_TIMESTAMP, NULL},
    {"symbol", ARGO_COL_TEXT, NULL},  {"level", ARGO_COL_TEXT, log_level_labels},
    {"message", ARGO_COL_TEXT, NULL}, {"fields", ARGO_COL_TEXT, NULL},
};

static const argo__column market_cols[] = {
    {"time", ARGO_COL_TIMESTAMP, NULL}, {"symbol", ARGO_COL_TEXT, NULL},
    {"open", ARGO_COL_DOUBLE, NULL},    {"high", ARGO_COL_DOUBLE, NULL},
    {"low", ARGO_COL_DOUBLE, NULL},     {"close", ARGO_COL_DOUBLE, NULL},
    {"volume", ARGO_COL_DOUBLE, NULL},  {"history", ARGO_COL_BOOLEAN, NULL},
};

static const argo__table tables[ARGO_T_COUNT] = {
    {"orders", "orders.parquet", orders_cols, ARGO_ARRAY_LEN(orders_cols)},
    {"trades", "trades.parquet", trades_cols, ARGO_ARRAY_LEN(trades_cols)},
    {"marks", "marks.parquet", marks_cols, ARGO_ARRAY_LEN(marks_cols)},
    {"logs", "logs.parquet", logs_cols, ARGO_ARRAY_LEN(logs_cols)},
    {"market_data", "market_data.parquet", market_cols, ARGO_ARRAY_LEN(market_cols)},
};

_Static_assert(ARGO_ARRAY_LEN(orders_cols) == ORD_NCOLS, "orders columns");
_Static_assert(ARGO_ARRAY_LEN(trades_cols) == TRD_NCOLS, "trades columns");
_Static_assert(ARGO_ARRAY_LEN(marks_cols) == MRK_NCOLS, "marks columns");
_Static_assert(ARGO_ARRAY_LEN(logs_cols) == LOG_NCOLS, "logs columns");
_Static_assert(ARGO_ARRAY_LEN(market_cols) == MD_NCOLS, "market_data columns");

const argo__table *argo__schema(argo__table_id id) {
  return (unsigned)id < ARGO_T_COUNT ? &tables[id] : NULL;
}

const char *argo__coltype_sql(argo__coltype t) {
  switch (t) {
  case ARGO_COL_TEXT:
    return "VARCHAR";
  case ARGO_COL_DOUBLE:
    return "DOUBLE";
  case ARGO_COL_TIMESTAMP:
    /* An instant, written to Parquet with isAdjustedToUTC=true (docs/files.md). */
    return "TIMESTAMPTZ";
  case ARGO_COL_BIGINT:
    return "BIGINT";
  case ARGO_COL_BOOLEAN:
    return "BOOLEAN";
  }
  return "VARCHAR";
}

int argo__sql_quote(const char *s, char *out, size_t len) {
  size_t j = 0;
  if (len < 3) {
    return -1;
  }
  out[j++] = '\'';
  for (; *s; s++) {
    if (j + 3 >= len) {
      return -1;
    }
    if (*s == '\'') {
      out[j++] = '\'';
    }
    out[j++] = *s;
  }
  out[j++] = '\'';
  out[j] = '\0';
  return 0;
}

int argo__schema_enum_type_sql(const char *name, const char *const *labels, size_t n,
                               argo__sb *sb) {
  argo__sb_printf(sb, "CREATE TYPE %s AS ENUM (", name);
  for (size_t k = 0; k < n; k++) {
    char q[256];
    if (argo__sql_quote(labels[k], q, sizeof q) != 0) {
      return -1;
    }
    argo__sb_printf(sb, "%s%s", k ? ", " : "", q);
  }
  argo__sb_puts(sb, ");\n");
  return 0;
}

void argo__schema_col_type(const argo__table *t, size_t c, const char *symbol_type, char *out,
                           size_t len) {
  if (symbol_type && strcmp(t->cols[c].name, "symbol") == 0) {
    snprintf(out, len, "%s", symbol_type);
  } else if (t->cols[c].labels) {
    snprintf(out, len, "argo_%s_%s", t->name, t->cols[c].name); /* its ENUM type */
  } else {
    snprintf(out, len, "%s", argo__coltype_sql(t->cols[c].type));
  }
}

void argo__schema_enum_sql(const argo__table *t, argo__sb *sb) {
  for (size_t c = 0; c < t->ncols; c++) {
    const char *const *labels = t->cols[c].labels;
    if (!labels) {
      continue;
    }
    char ename[128];
    size_t n = 0;
    while (labels[n]) {
      n++;
    }
    argo__schema_col_type(t, c, NULL, ename, sizeof ename);
    argo__schema_enum_type_sql(ename, labels, n, sb); /* the labels are short constants */
  }
}

void argo__schema_create_sql(const argo__table *t, const char *name, const char *symbol_type,
                             argo__sb *sb) {
  argo__sb_printf(sb, "CREATE TABLE %s (", name);
  for (size_t c = 0; c < t->ncols; c++) {
    char type[128];
    argo__schema_col_type(t, c, symbol_type, type, sizeof type);
    argo__sb_printf(sb, "%s%s %s", c ? ", " : "", t->cols[c].name, type);
  }
  argo__sb_puts(sb, ")");
}

const char *argo__side_name(int side) {
  return side == 1 ? "SELL" : "BUY";
}

const char *argo__order_type_name(int type) {
  return type == 1 ? "LIMIT" : "MARKET";
}

const char *argo__position_type_name(int pt) {
  return pt == 1 ? "SHORT" : "LONG";
}

const char *argo__order_status_name(int status) {
  static const char *names[] = {"PENDING", "FILLED", "CANCELLED", "REJECTED", "FAILED"};
  return (unsigned)status < ARGO_ARRAY_LEN(names) ? names[status] : "FAILED";
}

const char *argo__log_level_name(int level) {
  static const char *names[] = {"debug", "info", "warning", "error"};
  return (unsigned)level < ARGO_ARRAY_LEN(names) ? names[level] : "info";
}
