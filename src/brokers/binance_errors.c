/*
 * The Binance broker's table of error codes (binance_errors.h). The meanings are argo's short
 * words for what errors.md documents; the exchange's own message, which varies, goes into the
 * reason when there is one.
 */
#include "brokers/binance_errors.h"

#include <string.h>

#define R ARGO_BN_ERR_REJECT
#define CLOCK ARGO_BN_ERR_RESYNC_CLOCK
#define WAIT ARGO_BN_ERR_BACKOFF
#define UNKNOWN ARGO_BN_ERR_UNKNOWN_OUTCOME
#define AUTH ARGO_BN_ERR_AUTH
#define GONE ARGO_BN_ERR_NOT_FOUND

/* In order of code, -1000 first. */
static const argo__bn_error table[] = {
    /* 10xx: general server or network issues */
    {-1000, "UNKNOWN", "an unknown error occurred while processing the request", UNKNOWN},
    {-1001, "DISCONNECTED", "internal error; the request could not be processed", UNKNOWN},
    {-1002, "UNAUTHORIZED", "not authorized to execute this request", AUTH},
    {-1003, "TOO_MANY_REQUESTS", "too many requests or too much request weight", WAIT},
    {-1006, "UNEXPECTED_RESP", "unexpected response from the message bus; execution status unknown",
     UNKNOWN},
    {-1007, "TIMEOUT", "timeout waiting for the backend; execution status unknown", UNKNOWN},
    {-1008, "SERVER_BUSY", "the server is overloaded", UNKNOWN},
    {-1010, "ERROR_MSG_RECEIVED", "the matching engine returned an error", R},
    {-1013, "INVALID_MESSAGE", "rejected by the API before the matching engine (a filter failure)",
     R},
    {-1014, "UNKNOWN_ORDER_COMPOSITION", "unsupported order combination", R},
    {-1015, "TOO_MANY_ORDERS", "too many new orders", WAIT},
    {-1016, "SERVICE_SHUTTING_DOWN", "this service is no longer available", WAIT},
    {-1020, "UNSUPPORTED_OPERATION", "this operation is not supported", R},
    {-1021, "INVALID_TIMESTAMP", "the timestamp is outside recvWindow or ahead of the server",
     CLOCK},
    {-1022, "INVALID_SIGNATURE", "the signature of the request is not valid", AUTH},
    {-1034, "TOO_MANY_CONNECTIONS", "too many connections or connection attempts", WAIT},
    /* 11xx: request issues */
    {-1100, "ILLEGAL_CHARS", "illegal characters in a parameter", R},
    {-1101, "TOO_MANY_PARAMETERS", "too many or duplicate parameters", R},
    {-1102, "MANDATORY_PARAM_EMPTY_OR_MALFORMED", "a mandatory parameter is missing or malformed",
     R},
    {-1103, "UNKNOWN_PARAM", "an unknown parameter was sent", R},
    {-1104, "UNREAD_PARAMETERS", "not all parameters sent were read", R},
    {-1105, "PARAM_EMPTY", "a parameter was empty", R},
    {-1106, "PARAM_NOT_REQUIRED", "a parameter was sent when not required", R},
    {-1108, "PARAM_OVERFLOW", "a parameter overflowed", R},
    {-1111, "BAD_PRECISION", "a parameter has too much precision", R},
    {-1112, "NO_DEPTH", "no orders on the book for the symbol", R},
    {-1114, "TIF_NOT_REQUIRED", "timeInForce sent when not required", R},
    {-1115, "INVALID_TIF", "invalid timeInForce", R},
    {-1116, "INVALID_ORDER_TYPE", "invalid order type", R},
    {-1117, "INVALID_SIDE", "invalid side", R},
    {-1118, "EMPTY_NEW_CL_ORD_ID", "the new client order id is empty", R},
    {-1119, "EMPTY_ORG_CL_ORD_ID", "the original client order id is empty", R},
    {-1120, "BAD_INTERVAL", "invalid interval", R},
    {-1121, "BAD_SYMBOL", "invalid symbol", R},
    {-1122, "INVALID_SYMBOLSTATUS", "invalid symbolStatus", R},
    {-1125, "INVALID_LISTEN_KEY", "this listenKey does not exist", R},
    {-1127, "MORE_THAN_XX_HOURS", "the lookup interval is too big", R},
    {-1128, "OPTIONAL_PARAMS_BAD_COMBO", "invalid combination of optional parameters", R},
    {-1130, "INVALID_PARAMETER", "invalid data sent for a parameter", R},
    {-1134, "BAD_STRATEGY_TYPE", "strategyType was less than 1000000", R},
    {-1135, "INVALID_JSON", "invalid JSON request", R},
    {-1139, "INVALID_TICKER_TYPE", "invalid ticker type", R},
    {-1145, "INVALID_CANCEL_RESTRICTIONS", "invalid cancelRestrictions", R},
    {-1151, "DUPLICATE_SYMBOLS", "a symbol is present more than once in the list", R},
    {-1194, "INVALID_TIME_UNIT", "invalid time unit", R},
    {-1220, "SYMBOL_DOES_NOT_MATCH_STATUS", "the symbol's status does not match symbolStatus", R},
    /* 20xx: order and key issues */
    {-2010, "NEW_ORDER_REJECTED", "the matching engine rejected the new order", R},
    {-2011, "CANCEL_REJECTED", "the matching engine rejected the cancellation", R},
    {-2013, "NO_SUCH_ORDER", "the order does not exist", GONE},
    {-2014, "BAD_API_KEY_FMT", "the API key format is invalid", AUTH},
    {-2015, "REJECTED_MBX_KEY", "invalid API key, IP, or permissions for the action", AUTH},
    {-2016, "NO_TRADING_WINDOW", "no trading window could be found for the symbol", R},
    {-2026, "ORDER_ARCHIVED",
     "the order was canceled or expired with nothing executed over 90 days ago and is archived",
     GONE},
    {-2035, "SUBSCRIPTION_ACTIVE", "a user data stream subscription is already active", R},
    {-2036, "SUBSCRIPTION_INACTIVE", "the user data stream subscription is not active", R},
    {-2039, "CLIENT_ORDER_ID_INVALID", "the client order id does not match the order id", R},
    {-2042, "MAXIMUM_SUBSCRIPTION_IDS", "maximum subscription id reached for this connection", R},
    {-2043, "NO_REFERENCE_PRICE", "the symbol has no reference price", R},
};

/* Messages of -2010 that say the account, not the order, is refused: every order would be. */
static const char *const account_refused[] = {
    "This action is disabled on this account.",
    "This account may not place or cancel orders.",
    "Rest API trading is not enabled.",
    "WebSocket API trading is not enabled.",
};

const argo__bn_error *argo__bn_error_find(int code) {
  for (size_t i = 0; i < ARGO_ARRAY_LEN(table); i++) {
    if (table[i].code == code) {
      return &table[i];
    }
  }
  return NULL;
}

const argo__bn_error *argo__bn_error_table(size_t *n) {
  *n = ARGO_ARRAY_LEN(table);
  return table;
}

argo__bn_err_class argo__bn_error_class(int code, const char *msg) {
  if (code == -2010 && msg) {
    for (size_t i = 0; i < ARGO_ARRAY_LEN(account_refused); i++) {
      if (strstr(msg, account_refused[i])) {
        return ARGO_BN_ERR_AUTH;
      }
    }
  }
  if (code == -2011 && msg && strstr(msg, "Unknown order sent.")) {
    return ARGO_BN_ERR_NOT_FOUND;
  }
  const argo__bn_error *e = argo__bn_error_find(code);
  return e ? e->cls : ARGO_BN_ERR_REJECT;
}

const char *argo__bn_error_class_name(argo__bn_err_class cls) {
  switch (cls) {
  case ARGO_BN_ERR_REJECT:
    return "REJECT";
  case ARGO_BN_ERR_RESYNC_CLOCK:
    return "RESYNC_CLOCK";
  case ARGO_BN_ERR_BACKOFF:
    return "BACKOFF";
  case ARGO_BN_ERR_UNKNOWN_OUTCOME:
    return "UNKNOWN_OUTCOME";
  case ARGO_BN_ERR_AUTH:
    return "AUTH";
  case ARGO_BN_ERR_NOT_FOUND:
    return "NOT_FOUND";
  }
  return "REJECT";
}

char *argo__bn_error_reason(int code, const char *msg, char *buf, size_t len) {
  if (len == 0) {
    return buf;
  }
  char text[ARGO_ERRMSG_MAX];
  if (msg && *msg) {
    argo__one_line(argo__utf8_fix(msg, text, sizeof text));
  } else {
    const argo__bn_error *e = argo__bn_error_find(code);
    argo__strlcpy(text, e ? e->meaning : "undocumented error", sizeof text);
  }
  argo__fmt(buf, len, "binance %d: %s", code, text);
  /* A cut may have split a character of the message: drop what is left of it. */
  for (size_t n = strlen(buf); n > 0 && !argo__utf8_valid(buf); n--) {
    buf[n - 1] = '\0';
  }
  return buf;
}
