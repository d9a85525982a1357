/*
 * Fuzz target: the write-ahead journal as recovery reads it (journal.h). Every input is read
 * twice:
 *   1. as it is, through argo__jreader_init / argo__jreader_next, so that a damaged header,
 *      length or checksum takes the reader's own paths;
 *   2. with the checksum of every record recomputed (the framing of journal.h's opening
 *      comment: a 16-byte header, then records of u32 length, u32 CRC-32C, u8 type, payload),
 *      so that a mutated payload reaches the decoders instead of stopping at its checksum.
 * Each record is decoded with the argo__jdecode_* decoder of its type, and its values go where
 * recovery sends them: the day record's statistics state into argo__stats_load, fills and
 * closes into the tracker, the enumerations through the schema's name functions.
 * The target uses only the declarations of journal.h, stats.h and schema.h, so that it keeps
 * compiling when the reader changes; if the record framing changes, pass 2 must follow it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "persist/journal.h"
#include "persist/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER_LEN 16
#define REC_HDR 9

/* Keeps the compiler from dropping what the decoders produced. */
static volatile size_t sink;

static void use_str(argo__jstr s) {
  if (s.n) {
    sink += (unsigned char)s.p[0] + (unsigned char)s.p[s.n - 1];
  }
}

static void read_journal(const uint8_t *data, size_t size) {
  argo__jreader r;
  if (argo__jreader_init(&r, data, size) != ARGO_OK) {
    return;
  }
  argo__jday_owned day;
  int have_day = 0;
  argo__stats *st = NULL;
  int type;
  const unsigned char *p;
  size_t n;
  while (argo__jreader_next(&r, &type, &p, &n) == 1) {
    switch (type) {
    case ARGO_J_DAY: {
      argo__jday_owned d;
      if (argo__jdecode_day(p, n, &d) != 0) {
        break;
      }
      for (size_t i = 0; i < d.d.nsymbols; i++) {
        sink += strlen(d.d.symbols[i]);
      }
      sink += strlen(d.d.session_id) + strlen(d.d.run_name) + strlen(d.d.date) +
              strlen(d.d.strategy_name) + strlen(d.d.strategy_id) + strlen(d.d.strategy_version) +
              strlen(d.d.run_collision) + strlen(d.d.resumed_from) + strlen(d.d.interval);
      argo__stats_free(st);
      st = NULL;
      if (argo__stats_new(&st, d.d.capital, d.d.nsymbols) == ARGO_OK &&
          argo__stats_load(st, d.d.stats_state, d.d.stats_len) != ARGO_OK) {
        argo__stats_free(st);
        st = NULL;
      }
      if (have_day) {
        argo__jday_owned_free(&day);
      }
      day = d;
      have_day = 1;
      break;
    }
    case ARGO_J_CANDLE:
    case ARGO_J_HCANDLE: {
      argo__jcandle c;
      if (argo__jdecode_candle(p, n, &c) == 0 && st && have_day && c.sym < day.d.nsymbols) {
        argo__stats_mark(st, c.sym, c.c.close);
      }
      break;
    }
    case ARGO_J_ORDER: {
      argo__jorder o;
      if (argo__jdecode_order(p, n, &o) == 0) {
        sink += strlen(argo__side_name(o.o.side)) + strlen(argo__order_type_name(o.o.type)) +
                strlen(argo__order_status_name(o.o.status)) +
                strlen(argo__position_type_name(o.o.position_type)) + strlen(o.o.order_id);
        use_str(o.reason);
        use_str(o.symbol);
      }
      break;
    }
    case ARGO_J_FILL: {
      argo__jfill f;
      if (argo__jdecode_fill(p, n, &f) == 0) {
        sink += strlen(argo__side_name(f.f.side)) + strlen(f.f.order_id);
        if (st && have_day && f.sym < day.d.nsymbols) {
          (void)argo__stats_fill(st, f.sym, &f.f);
        }
      }
      break;
    }
    case ARGO_J_MARK: {
      argo__jmark m;
      if (argo__jdecode_mark(p, n, &m) == 0) {
        use_str(m.symbol);
        use_str(m.color);
        use_str(m.shape);
        use_str(m.level);
        use_str(m.title);
        use_str(m.message);
        use_str(m.category);
        use_str(m.signal_type);
      }
      break;
    }
    case ARGO_J_LOG: {
      argo__jlog l;
      if (argo__jdecode_log(p, n, &l) == 0) {
        sink += strlen(argo__log_level_name(l.level));
        use_str(l.symbol);
        use_str(l.message);
        use_str(l.fields);
      }
      break;
    }
    default:
      break;
    }
  }
  if (st) {
    argo_stats_block daily, cumulative;
    argo__stats_get(st, &daily, &cumulative);
    sink += (size_t)cumulative.number_of_trades;
  }
  argo__stats_free(st);
  if (have_day) {
    argo__jday_owned_free(&day);
  }
  sink += r.good_end + (size_t)r.torn;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  read_journal(data, size);
  if (size < HEADER_LEN) {
    return 0;
  }
  /* Pass 2: the same bytes with every record's checksum made valid. */
  uint8_t *copy = malloc(size);
  if (!copy) {
    return 0;
  }
  memcpy(copy, data, size);
  size_t pos = HEADER_LEN;
  while (size - pos >= REC_HDR) {
    uint8_t *h = copy + pos;
    uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    if (n > size - pos - REC_HDR) {
      break;
    }
    uint32_t crc = argo__crc32c(0, h + 8, (size_t)n + 1);
    for (int i = 0; i < 4; i++) {
      h[4 + i] = (uint8_t)(crc >> (8 * i));
    }
    pos += REC_HDR + n;
  }
  if (memcmp(copy, data, size) != 0) {
    read_journal(copy, size);
  }
  free(copy);
  return 0;
}
