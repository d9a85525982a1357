/* FIFO position books; see fifo.h. */
#include "core/fifo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void argo__book_init(argo__book *b) {
  memset(b, 0, sizeof *b);
}

void argo__book_free(argo__book *b) {
  free(b->lots);
  argo__book_init(b);
}

static argo__lot *lot_at(const argo__book *b, size_t i) {
  return &b->lots[(b->head + i) % b->cap];
}

const argo__lot *argo__book_lot(const argo__book *b, size_t i) {
  return i < b->len ? lot_at(b, i) : NULL;
}

int argo__book_open(argo__book *b, double qty, double price, double fee, int64_t time) {
  if (b->len == b->cap) {
    size_t ncap = b->cap ? b->cap * 2 : 8;
    argo__lot *n = malloc(ncap * sizeof *n);
    if (!n) {
      return -1;
    }
    for (size_t i = 0; i < b->len; i++) {
      n[i] = *lot_at(b, i);
    }
    free(b->lots);
    b->lots = n;
    b->cap = ncap;
    b->head = 0;
  }
  argo__lot *l = &b->lots[(b->head + b->len) % b->cap];
  l->qty = qty;
  l->price = price;
  l->fee = fee;
  l->time = time;
  b->len++;
  b->qty += qty;
  b->cost += qty * price;
  b->fee += fee;
  return 0;
}

int argo__book_close(argo__book *b, int is_short, double qty, double price, double fee,
                     int64_t time, argo__piece_fn piece, void *user, double *pnl) {
  if (!(qty > 0) || qty > b->qty + ARGO_QTY_EPS) {
    return -1;
  }
  double left = qty;
  double total = 0;
  while (left > ARGO_QTY_EPS && b->len > 0) {
    argo__lot *l = lot_at(b, 0);
    double q = l->qty < left ? l->qty : left;
    /* A remainder within epsilon of the lot closes the lot entirely. */
    if (l->qty - q <= ARGO_QTY_EPS) {
      q = l->qty;
    }
    double entry_fee = l->qty > 0 ? l->fee * (q / l->qty) : l->fee;
    double exit_fee = fee * (q / qty);
    double gross = is_short ? (l->price - price) * q : (price - l->price) * q;
    double p = gross - entry_fee - exit_fee;
    total += p;
    if (piece) {
      argo__piece pc = {q, l->price, price, entry_fee, exit_fee, p, l->time, time};
      piece(user, &pc);
    }
    left -= q;
    if (q >= l->qty) {
      b->qty -= l->qty;
      b->cost -= l->qty * l->price;
      b->fee -= l->fee;
      b->head = (b->head + 1) % b->cap;
      b->len--;
    } else {
      l->fee -= entry_fee;
      l->qty -= q;
      b->qty -= q;
      b->cost -= q * l->price;
      b->fee -= entry_fee;
    }
  }
  if (b->len == 0) {
    b->qty = b->cost = b->fee = 0;
    b->head = 0;
  }
  *pnl = total;
  return 0;
}

double argo__book_unrealized(const argo__book *b, int is_short, double mark) {
  if (b->len == 0) {
    return 0;
  }
  double v = is_short ? b->cost - b->qty * mark : b->qty * mark - b->cost;
  return v - b->fee;
}

double argo__book_avg_price(const argo__book *b) {
  return b->qty > ARGO_QTY_EPS ? b->cost / b->qty : 0;
}
