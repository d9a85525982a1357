/*
 * The caller's own feed (argo_engine_set_feed) behind the internal feed interface, so that the
 * engine runs it as it runs its own feeds. It owns nothing: the argo_feed it adapts is the
 * engine's copy of the caller's table.
 */
#include "feeds/feed.h"

#include "util/util.h"

static int custom_next(void *impl, argo_candle *out, char *err, size_t errlen) {
  const argo_feed *f = impl;
  int r = f->next(f->user, out, err, errlen);
  switch (r) {
  case ARGO_FEED_CANDLE:
  case ARGO_FEED_END:
  case ARGO_FEED_SKIP:
  case ARGO_FEED_FATAL:
  case ARGO_FEED_WAIT:
    return r;
  default:
    argo__fmt(err, errlen, "the feed's next() returned %d, which is not an ARGO_FEED_ code", r);
    return ARGO_FEED_FATAL;
  }
}

static int64_t custom_clock(void *impl) {
  const argo_feed *f = impl;
  return f->clock_start ? f->clock_start(f->user) : argo__wall_us();
}

static void custom_close(void *impl) {
  const argo_feed *f = impl;
  if (f->close) {
    f->close(f->user);
  }
}

static const argo__feed_ops custom_ops = {.name = "custom",
                                          .next = custom_next,
                                          .clock_start = custom_clock,
                                          .close = custom_close,
                                          .history = NULL};

void argo__feed_custom_open(argo__feed *out, const argo_feed *f) {
  out->ops = &custom_ops;
  out->impl = (void *)f; /* read only: the feed interface's impl is not const */
}
