/* Order and trade rows; see rows.h. */
#include "persist/rows.h"

#include <string.h>

#include "persist/schema.h"

size_t argo__rows_order(argo__batch *b, const argo_order *o, const char *symbol,
                        const char *strategy, const char *reason, size_t reason_len,
                        const char *client_id) {
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return r;
  }
  argo__batch_text(b, ORD_ID, r, o->order_id);
  argo__batch_text(b, ORD_SYMBOL, r, symbol);
  argo__batch_text(b, ORD_SIDE, r, argo__side_name(o->side));
  argo__batch_text(b, ORD_TYPE, r, argo__order_type_name(o->type));
  argo__batch_f64(b, ORD_QTY, r, o->quantity);
  argo__batch_f64(b, ORD_PRICE, r, o->price);
  argo__batch_i64(b, ORD_TS, r, o->timestamp);
  argo__batch_text(b, ORD_STATUS, r, argo__order_status_name(o->status));
  argo__batch_text(b, ORD_STRATEGY, r, strategy);
  argo__batch_text(b, ORD_POSTYPE, r, argo__position_type_name(o->position_type));
  argo__batch_text_n(b, ORD_REASON, r, reason ? reason : "", reason ? reason_len : 0);
  argo__batch_text(b, ORD_CLIENT_ID, r, client_id);
  return r;
}

size_t argo__rows_fill(argo__batch *b, const argo_fill *f, const char *symbol,
                       const argo__fill_extra *x) {
  size_t r = argo__batch_add(b);
  if (r == (size_t)-1) {
    return r;
  }
  argo__batch_text(b, TRD_ORDER_ID, r, f->order_id);
  argo__batch_text(b, TRD_SYMBOL, r, symbol);
  argo__batch_text(b, TRD_SIDE, r, argo__side_name(f->side));
  argo__batch_f64(b, TRD_QTY, r, f->quantity);
  argo__batch_f64(b, TRD_PRICE, r, f->price);
  argo__batch_i64(b, TRD_TS, r, f->timestamp);
  argo__batch_i64(b, TRD_EXEC_AT, r, f->executed_at);
  argo__batch_f64(b, TRD_EXEC_QTY, r, f->executed_qty);
  argo__batch_f64(b, TRD_EXEC_PRICE, r, f->executed_price);
  argo__batch_f64(b, TRD_COMMISSION, r, f->commission);
  argo__batch_f64(b, TRD_PNL, r, f->pnl);
  argo__batch_text(b, TRD_POSTYPE, r, argo__position_type_name(f->position_type));
  argo__batch_text(b, TRD_COMM_ASSET, r, x ? x->commission_asset : NULL);
  argo__batch_text(b, TRD_TRADE_ID, r, x ? x->trade_id : NULL);
  return r;
}
