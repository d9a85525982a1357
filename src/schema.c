/* Table definitions of DESIGN section 4; see schema.h. */
#include "schema.h"

#include "util/util.h"

static const argo__column orders_cols[] = {
    {"order_id", ARGO_COL_TEXT},       {"symbol", ARGO_COL_TEXT},
    {"side", ARGO_COL_TEXT},           {"order_type", ARGO_COL_TEXT},
    {"quantity", ARGO_COL_DOUBLE},     {"price", ARGO_COL_DOUBLE},
    {"timestamp", ARGO_COL_TIMESTAMP}, {"status", ARGO_COL_TEXT},
    {"strategy_name", ARGO_COL_TEXT},  {"position_type", ARGO_COL_TEXT},
    {"reason", ARGO_COL_TEXT},
};

static const argo__column trades_cols[] = {
    {"order_id", ARGO_COL_TEXT},
    {"symbol", ARGO_COL_TEXT},
    {"side", ARGO_COL_TEXT},
    {"quantity", ARGO_COL_DOUBLE},
    {"price", ARGO_COL_DOUBLE},
    {"timestamp", ARGO_COL_TIMESTAMP},
    {"executed_at", ARGO_COL_TIMESTAMP},
    {"executed_qty", ARGO_COL_DOUBLE},
    {"executed_price", ARGO_COL_DOUBLE},
    {"commission", ARGO_COL_DOUBLE},
    {"pnl", ARGO_COL_DOUBLE},
    {"position_type", ARGO_COL_TEXT},
};

static const argo__column marks_cols[] = {
    {"id", ARGO_COL_BIGINT},        {"time", ARGO_COL_TIMESTAMP}, {"symbol", ARGO_COL_TEXT},
    {"color", ARGO_COL_TEXT},       {"shape", ARGO_COL_TEXT},     {"level", ARGO_COL_TEXT},
    {"title", ARGO_COL_TEXT},       {"message", ARGO_COL_TEXT},   {"category", ARGO_COL_TEXT},
    {"signal_type", ARGO_COL_TEXT},
};

static const argo__column logs_cols[] = {
    {"id", ARGO_COL_BIGINT},  {"timestamp", ARGO_COL_TIMESTAMP}, {"symbol", ARGO_COL_TEXT},
    {"level", ARGO_COL_TEXT}, {"message", ARGO_COL_TEXT},        {"fields", ARGO_COL_TEXT},
};

static const argo__column market_cols[] = {
    {"time", ARGO_COL_TIMESTAMP}, {"symbol", ARGO_COL_TEXT}, {"open", ARGO_COL_DOUBLE},
    {"high", ARGO_COL_DOUBLE},    {"low", ARGO_COL_DOUBLE},  {"close", ARGO_COL_DOUBLE},
    {"volume", ARGO_COL_DOUBLE},
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
    return "TIMESTAMP";
  case ARGO_COL_BIGINT:
    return "BIGINT";
  }
  return "VARCHAR";
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
