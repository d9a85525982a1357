/*
 * The write-ahead journal's record format (see jformat.h): CRC-32C (the SSE4.2 instruction when
 * the CPU has it, else slicing by 8), the little-endian encoding of each record type, the
 * reader that skips damaged regions and tells a torn tail, and the decoders. Each record
 * type's encoder and decoder sit side by side below, so that a field is added to both at once.
 *
 * It owns no state beyond the CRC table built once. It must not depend on the writer
 * (journal.c), threads other than pthread_once, or files: callers hand it memory.
 */
#include "persist/jformat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define JOURNAL_MAGIC "ARGOJNL"
#define JOURNAL_VERSION 1u

/* ---- CRC-32C ------------------------------------------------------------------------------ */

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) {
      c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++) {
    for (int t = 1; t < 8; t++) {
      crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
/* The SSE4.2 crc32 instruction computes CRC-32C directly, 8 bytes per instruction. */
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const unsigned char *p,
                                                         size_t len) {
  uint64_t c = ~crc;
  while (len >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    len -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (len--) {
    c32 = _mm_crc32_u8(c32, *p++);
  }
  return ~c32;
}

static int have_hw(void) {
  static atomic_int known = -1;
  int k = atomic_load_explicit(&known, memory_order_relaxed);
  if (k < 0) {
    k = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    atomic_store_explicit(&known, k, memory_order_relaxed);
  }
  return k;
}
#else
static uint32_t crc_hw(uint32_t crc, const unsigned char *p, size_t len) {
  (void)p;
  (void)len;
  return crc;
}

static int have_hw(void) {
  return 0;
}
#endif

uint32_t argo__crc32c(uint32_t crc, const void *data, size_t len) {
  if (have_hw()) {
    return crc_hw(crc, data, len);
  }
  pthread_once(&crc_once, crc_init);
  const unsigned char *p = data;
  crc = ~crc;
  /* Slicing by 8: eight table lookups per 8 bytes. */
  while (len >= 8) {
    uint32_t lo =
        crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t hi =
        (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    crc = crc_table[7][lo & 0xFF] ^ crc_table[6][(lo >> 8) & 0xFF] ^
          crc_table[5][(lo >> 16) & 0xFF] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xFF] ^
          crc_table[2][(hi >> 8) & 0xFF] ^ crc_table[1][(hi >> 16) & 0xFF] ^ crc_table[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len--) {
    crc = crc_table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  }
  return ~crc;
}

/* ---- encoding and decoding --------------------------------------------------------------- */

static int jb_reserve(argo__jbuf *b, size_t n) {
  if (b->len + n <= b->cap) {
    return 0;
  }
  size_t ncap = b->cap ? b->cap : 65536;
  while (ncap < b->len + n) {
    ncap *= 2;
  }
  unsigned char *np = realloc(b->p, ncap);
  if (!np) {
    b->failed = 1;
    return -1;
  }
  b->p = np;
  b->cap = ncap;
  return 0;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static void put_u64(unsigned char *p, uint64_t v) {
  put_u32(p, (uint32_t)v);
  put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_u64(const unsigned char *p) {
  return (uint64_t)argo__jget_u32(p) | (uint64_t)argo__jget_u32(p + 4) << 32;
}

/* A record under construction: header reserved first, payload appended, then sealed. */
typedef struct rec {
  argo__jbuf *b;
  size_t start;
} rec;

static rec rec_begin(argo__jbuf *b, int type, size_t hint) {
  rec r = {b, b->len};
  if (jb_reserve(b, ARGO_JREC_HDR + hint) != 0) {
    r.b = NULL;
    return r;
  }
  b->p[b->len + 8] = (unsigned char)type;
  b->len += ARGO_JREC_HDR;
  return r;
}

static void w_raw_slow(rec *r, const void *d, size_t n) {
  if (!r->b || jb_reserve(r->b, n) != 0) {
    r->b = NULL;
    return;
  }
  memcpy(r->b->p + r->b->len, d, n);
  r->b->len += n;
}

/* Every field of a record goes through here: the common case (room reserved by rec_begin) is a
 * bounds check and a copy, inlined. */
static inline void w_raw(rec *r, const void *d, size_t n) {
  argo__jbuf *b = r->b;
  if (ARGO_LIKELY(b && b->len + n <= b->cap)) {
    memcpy(b->p + b->len, d, n);
    b->len += n;
    return;
  }
  w_raw_slow(r, d, n);
}

static void w_u8(rec *r, unsigned v) {
  unsigned char c = (unsigned char)v;
  w_raw(r, &c, 1);
}

static void w_u16(rec *r, uint16_t v) {
  unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
  w_raw(r, c, 2);
}

static void w_u32(rec *r, uint32_t v) {
  unsigned char c[4];
  put_u32(c, v);
  w_raw(r, c, 4);
}

static void w_i64(rec *r, int64_t v) {
  unsigned char c[8];
  put_u64(c, (uint64_t)v);
  w_raw(r, c, 8);
}

static void w_f64(rec *r, double v) {
  uint64_t u;
  memcpy(&u, &v, 8);
  unsigned char c[8];
  put_u64(c, u);
  w_raw(r, c, 8);
}

static void w_str(rec *r, const char *s) {
  size_t n = s ? strlen(s) : 0;
  w_u32(r, (uint32_t)n);
  w_raw(r, s ? s : "", n);
}

static void w_blob(rec *r, const void *d, size_t n) {
  w_u32(r, (uint32_t)n);
  w_raw(r, d, n);
}

/* Fills in length and checksum. A record that ran out of memory is dropped whole. */
static int rec_end(rec *r, argo__jbuf *b) {
  size_t start = r->start;
  if (!r->b) {
    b->len = start;
    b->failed = 1;
    return -1;
  }
  unsigned char *h = b->p + start;
  uint32_t plen = (uint32_t)(b->len - start - ARGO_JREC_HDR);
  put_u32(h, plen);
  put_u32(h + 4, argo__crc32c(0, h + 8, plen + 1));
  return 0;
}

typedef struct rd {
  const unsigned char *p;
  size_t n, pos;
  int bad;
} rd;

static int need(rd *d, size_t k) {
  if (d->bad || d->n - d->pos < k) {
    d->bad = 1;
    return 0;
  }
  return 1;
}

static unsigned r_u8(rd *d) {
  return need(d, 1) ? d->p[d->pos++] : 0;
}

static uint16_t r_u16(rd *d) {
  if (!need(d, 2)) {
    return 0;
  }
  uint16_t v = (uint16_t)(d->p[d->pos] | d->p[d->pos + 1] << 8);
  d->pos += 2;
  return v;
}

static uint32_t r_u32(rd *d) {
  if (!need(d, 4)) {
    return 0;
  }
  uint32_t v = argo__jget_u32(d->p + d->pos);
  d->pos += 4;
  return v;
}

static int64_t r_i64(rd *d) {
  if (!need(d, 8)) {
    return 0;
  }
  uint64_t v = get_u64(d->p + d->pos);
  d->pos += 8;
  return (int64_t)v;
}

static double r_f64(rd *d) {
  uint64_t u = (uint64_t)r_i64(d);
  double v;
  memcpy(&v, &u, 8);
  return v;
}

static argo__jstr r_str(rd *d) {
  argo__jstr s = {"", 0};
  uint32_t n = r_u32(d);
  if (!need(d, n)) {
    return s;
  }
  s.p = (const char *)d->p + d->pos;
  s.n = n;
  d->pos += n;
  return s;
}

static void r_fixed(rd *d, char *dst, size_t cap) {
  argo__jstr s = r_str(d);
  size_t n = s.n < cap - 1 ? s.n : cap - 1;
  memcpy(dst, s.p, n);
  dst[n] = '\0';
}

/* ---- the file: its header and the reader ------------------------------------------------- */

void argo__jencode_header(unsigned char *h) {
  memset(h, 0, ARGO_JHEADER_LEN);
  memcpy(h, JOURNAL_MAGIC, 8);
  put_u32(h + 8, JOURNAL_VERSION);
}

argo_err argo__jreader_init(argo__jreader *r, const void *data, size_t len) {
  memset(r, 0, sizeof *r);
  r->data = data;
  r->len = len;
  if (len < ARGO_JHEADER_LEN || memcmp(data, JOURNAL_MAGIC, 8) != 0 ||
      argo__jget_u32(r->data + 8) != JOURNAL_VERSION) {
    r->torn = len >= 8 && memcmp(data, JOURNAL_MAGIC, 8) == 0;
    return ARGO_ECORRUPT;
  }
  r->pos = r->good_end = ARGO_JHEADER_LEN;
  return ARGO_OK;
}

/* A whole record with a matching checksum at offset pos. */
static int record_at(const argo__jreader *r, size_t pos, uint32_t *plen) {
  if (r->len - pos < ARGO_JREC_HDR) {
    return 0;
  }
  const unsigned char *h = r->data + pos;
  uint32_t n = argo__jget_u32(h);
  if (n > r->len - pos - ARGO_JREC_HDR ||
      argo__crc32c(0, h + 8, (size_t)n + 1) != argo__jget_u32(h + 4)) {
    return 0;
  }
  *plen = n;
  return 1;
}

/* After a damaged record, only a record of a known type and size can resume the reading: a
 * cheap filter before the checksum, so that scanning a damaged region costs little. */
static int resumes_at(const argo__jreader *r, size_t pos) {
  const unsigned char *h = r->data + pos;
  uint32_t n = argo__jget_u32(h), plen;
  switch (h[8]) {
  case ARGO_J_CANDLE:
  case ARGO_J_HCANDLE:
    if (n != ARGO_JCANDLE_LEN - ARGO_JREC_HDR) {
      return 0;
    }
    break;
  case ARGO_J_DAY:
    if (n > (UINT32_C(16) << 20)) {
      return 0;
    }
    break;
  case ARGO_J_ORDER:
  case ARGO_J_FILL:
  case ARGO_J_MARK:
  case ARGO_J_LOG:
  case ARGO_J_END:
    if (n > (UINT32_C(1) << 20)) {
      return 0;
    }
    break;
  default:
    return 0;
  }
  return record_at(r, pos, &plen);
}

int argo__jreader_next(argo__jreader *r, int *type, const unsigned char **payload, size_t *plen) {
  if (r->pos >= r->len) {
    return 0;
  }
  uint32_t n;
  if (!record_at(r, r->pos, &n)) {
    /* Damaged here: a later valid record makes it a damaged region, none a torn tail. */
    size_t q = r->pos + 1;
    while (q + ARGO_JREC_HDR <= r->len && !resumes_at(r, q)) {
      q++;
    }
    if (q + ARGO_JREC_HDR > r->len) {
      r->torn = 1;
      return 0;
    }
    if (r->damaged++ == 0) {
      r->first_damage = r->pos;
    }
    r->damaged_bytes += q - r->pos;
    r->pos = q;
    record_at(r, r->pos, &n);
  }
  const unsigned char *h = r->data + r->pos;
  *type = h[8];
  *payload = h + ARGO_JREC_HDR;
  *plen = n;
  r->pos += ARGO_JREC_HDR + n;
  r->good_end = r->pos;
  return 1;
}

/* ---- records: each type's encoder, then its decoder -------------------------------------- */

int argo__jencode_day(argo__jbuf *b, const argo__jday *d) {
  rec r = rec_begin(b, ARGO_J_DAY, 256 + d->stats_len);
  w_str(&r, d->session_id);
  w_str(&r, d->run_name);
  w_str(&r, d->date);
  w_i64(&r, d->session_start);
  w_i64(&r, d->day_start_event);
  w_f64(&r, d->capital);
  w_i64(&r, d->mark_id);
  w_i64(&r, d->log_id);
  w_i64(&r, d->candles_total);
  w_str(&r, d->strategy_name);
  w_str(&r, d->strategy_id);
  w_str(&r, d->strategy_version);
  w_str(&r, d->run_collision);
  w_str(&r, d->resumed_from);
  w_u32(&r, (uint32_t)d->nsymbols);
  for (size_t i = 0; i < d->nsymbols; i++) {
    w_str(&r, d->symbols[i]);
  }
  w_blob(&r, d->stats_state, d->stats_len);
  w_str(&r, d->interval);
  w_f64(&r, d->cash);
  return rec_end(&r, b);
}

void argo__jday_owned_free(argo__jday_owned *d) {
  free(d->strings);
  memset(d, 0, sizeof *d);
}

int argo__jdecode_day(const unsigned char *p, size_t n, argo__jday_owned *out) {
  memset(out, 0, sizeof *out);
  /* Every string and the symbol array live in one allocation as large as the payload plus
   * room for terminators and pointers; it cannot overflow because each string came from it. */
  size_t cap = n * 2 + 64 * sizeof(char *) + 1024;
  out->strings = malloc(cap);
  if (!out->strings) {
    return -1;
  }
  char *dst = out->strings;
  rd d = {p, n, 0, 0};
#define STR(field)                                                                                 \
  do {                                                                                             \
    argo__jstr s = r_str(&d);                                                                      \
    memcpy(dst, s.p, s.n);                                                                         \
    dst[s.n] = '\0';                                                                               \
    out->d.field = dst;                                                                            \
    dst += s.n + 1;                                                                                \
  } while (0)
  STR(session_id);
  STR(run_name);
  STR(date);
  out->d.session_start = r_i64(&d);
  out->d.day_start_event = r_i64(&d);
  out->d.capital = r_f64(&d);
  out->d.mark_id = r_i64(&d);
  out->d.log_id = r_i64(&d);
  out->d.candles_total = r_i64(&d);
  STR(strategy_name);
  STR(strategy_id);
  STR(strategy_version);
  STR(run_collision);
  STR(resumed_from);
  uint32_t ns = r_u32(&d);
  if (d.bad || ns > 65535 || (size_t)ns * 4 > n) {
    argo__jday_owned_free(out);
    return -1;
  }
  /* Align the pointer array. */
  size_t off = (size_t)(dst - out->strings);
  off = (off + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
  if (off + ns * sizeof(char *) > cap) {
    argo__jday_owned_free(out);
    return -1;
  }
  const char **syms = (const char **)(void *)(out->strings + off);
  dst = out->strings + off + ns * sizeof(char *);
  for (uint32_t i = 0; i < ns; i++) {
    argo__jstr s = r_str(&d);
    if ((size_t)(dst - out->strings) + s.n + 1 > cap) {
      argo__jday_owned_free(out);
      return -1;
    }
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    syms[i] = dst;
    dst += s.n + 1;
  }
#undef STR
  out->d.symbols = syms;
  out->d.nsymbols = ns;
  argo__jstr blob = r_str(&d);
  out->d.stats_state = blob.p;
  out->d.stats_len = blob.n;
  argo__jstr iv = r_str(&d);
  if ((size_t)(dst - out->strings) + iv.n + 1 > cap) {
    argo__jday_owned_free(out);
    return -1;
  }
  memcpy(dst, iv.p, iv.n);
  dst[iv.n] = '\0';
  out->d.interval = dst;
  out->d.cash = r_f64(&d);
  if (d.bad) {
    argo__jday_owned_free(out);
    return -1;
  }
  return 0;
}

void argo__jencode_candle(unsigned char *h, int type, uint16_t sym, const argo_candle *c) {
  const size_t plen = ARGO_JCANDLE_LEN - ARGO_JREC_HDR;
  unsigned char *p = h + ARGO_JREC_HDR;
  h[8] = (unsigned char)type;
  p[0] = (unsigned char)sym;
  p[1] = (unsigned char)(sym >> 8);
  put_u64(p + 2, (uint64_t)c->time);
  const double v[5] = {c->open, c->high, c->low, c->close, c->volume};
  for (int i = 0; i < 5; i++) {
    uint64_t u;
    memcpy(&u, &v[i], 8);
    put_u64(p + 10 + 8 * i, u);
  }
  put_u32(h, (uint32_t)plen);
  put_u32(h + 4, argo__crc32c(0, h + 8, plen + 1));
}

int argo__jdecode_candle(const unsigned char *p, size_t n, argo__jcandle *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  out->c.time = r_i64(&d);
  out->c.open = r_f64(&d);
  out->c.high = r_f64(&d);
  out->c.low = r_f64(&d);
  out->c.close = r_f64(&d);
  out->c.volume = r_f64(&d);
  return d.bad ? -1 : 0;
}

int argo__jencode_order(argo__jbuf *b, uint16_t sym, const argo_order *o, const char *client_id) {
  rec r = rec_begin(b, ARGO_J_ORDER, 128);
  w_u16(&r, sym);
  w_str(&r, o->order_id);
  w_u8(&r, (unsigned)o->side);
  w_u8(&r, (unsigned)o->type);
  w_u8(&r, (unsigned)o->position_type);
  w_u8(&r, (unsigned)o->status);
  w_f64(&r, o->quantity);
  w_f64(&r, o->price);
  w_i64(&r, o->timestamp);
  w_f64(&r, o->filled_qty);
  w_str(&r, o->reason);
  w_str(&r, o->symbol); /* for an order of a symbol the session does not trade (sym 0xFFFF) */
  /* Added with the live brokers: an order record written before them ends here. */
  w_str(&r, client_id ? client_id : "");
  return rec_end(&r, b);
}

int argo__jdecode_order(const unsigned char *p, size_t n, argo__jorder *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  r_fixed(&d, out->o.order_id, sizeof out->o.order_id);
  out->o.side = (argo_side)r_u8(&d);
  out->o.type = (argo_order_type)r_u8(&d);
  out->o.position_type = (argo_position_type)r_u8(&d);
  out->o.status = (argo_order_status)r_u8(&d);
  out->o.quantity = r_f64(&d);
  out->o.price = r_f64(&d);
  out->o.timestamp = r_i64(&d);
  out->o.filled_qty = r_f64(&d);
  out->reason = r_str(&d);
  out->symbol = r_str(&d);
  out->client_id = (argo__jstr){"", 0};
  if (!d.bad && d.pos < d.n) {
    out->client_id = r_str(&d);
  }
  return d.bad ? -1 : 0;
}

int argo__jencode_fill(argo__jbuf *b, uint16_t sym, const argo_fill *f, const argo__fill_extra *x) {
  rec r = rec_begin(b, ARGO_J_FILL, 160);
  w_u16(&r, sym);
  w_str(&r, f->order_id);
  w_u8(&r, (unsigned)f->side);
  w_u8(&r, (unsigned)f->position_type);
  w_f64(&r, f->quantity);
  w_f64(&r, f->price);
  w_i64(&r, f->timestamp);
  w_i64(&r, f->executed_at);
  w_f64(&r, f->executed_qty);
  w_f64(&r, f->executed_price);
  w_f64(&r, f->commission);
  w_f64(&r, f->pnl);
  /* Added with the live brokers: a fill record written before them ends here. */
  w_str(&r, x && x->commission_asset ? x->commission_asset : "");
  w_str(&r, x && x->trade_id ? x->trade_id : "");
  return rec_end(&r, b);
}

int argo__jdecode_fill(const unsigned char *p, size_t n, argo__jfill *out) {
  rd d = {p, n, 0, 0};
  memset(out, 0, sizeof *out);
  out->sym = r_u16(&d);
  r_fixed(&d, out->f.order_id, sizeof out->f.order_id);
  out->f.side = (argo_side)r_u8(&d);
  out->f.position_type = (argo_position_type)r_u8(&d);
  out->f.quantity = r_f64(&d);
  out->f.price = r_f64(&d);
  out->f.timestamp = r_i64(&d);
  out->f.executed_at = r_i64(&d);
  out->f.executed_qty = r_f64(&d);
  out->f.executed_price = r_f64(&d);
  out->f.commission = r_f64(&d);
  out->f.pnl = r_f64(&d);
  out->commission_asset = out->trade_id = (argo__jstr){"", 0};
  if (!d.bad && d.pos < d.n) {
    out->commission_asset = r_str(&d);
    out->trade_id = r_str(&d);
  }
  return d.bad ? -1 : 0;
}

int argo__jencode_mark(argo__jbuf *b, int64_t id, int64_t time, const char *symbol,
                       const argo_mark *m) {
  rec r = rec_begin(b, ARGO_J_MARK, 128);
  w_i64(&r, id);
  w_i64(&r, time);
  w_str(&r, symbol);
  w_str(&r, m->color);
  w_str(&r, m->shape);
  w_str(&r, m->level);
  w_str(&r, m->title);
  w_str(&r, m->message);
  w_str(&r, m->category);
  w_str(&r, m->signal_type);
  return rec_end(&r, b);
}

int argo__jdecode_mark(const unsigned char *p, size_t n, argo__jmark *out) {
  rd d = {p, n, 0, 0};
  out->id = r_i64(&d);
  out->time = r_i64(&d);
  out->symbol = r_str(&d);
  out->color = r_str(&d);
  out->shape = r_str(&d);
  out->level = r_str(&d);
  out->title = r_str(&d);
  out->message = r_str(&d);
  out->category = r_str(&d);
  out->signal_type = r_str(&d);
  return d.bad ? -1 : 0;
}

int argo__jencode_log(argo__jbuf *b, int64_t id, int64_t time, const char *symbol, int level,
                      const char *message, const char *fields) {
  rec r = rec_begin(b, ARGO_J_LOG, 128);
  w_i64(&r, id);
  w_i64(&r, time);
  w_str(&r, symbol);
  w_u8(&r, (unsigned)level);
  w_str(&r, message);
  w_str(&r, fields);
  return rec_end(&r, b);
}

int argo__jdecode_log(const unsigned char *p, size_t n, argo__jlog *out) {
  rd d = {p, n, 0, 0};
  out->id = r_i64(&d);
  out->time = r_i64(&d);
  out->symbol = r_str(&d);
  out->level = (int)r_u8(&d);
  out->message = r_str(&d);
  out->fields = r_str(&d);
  return d.bad ? -1 : 0;
}

int argo__jencode_raw(argo__jbuf *b, int type, const void *d, size_t n) {
  rec r = rec_begin(b, type, n);
  if (n) {
    w_raw(&r, d, n);
  }
  return rec_end(&r, b);
}
