/*
 * The write-ahead interface: what the publisher needs of a journal to keep the write-ahead rule
 * (a published file never holds a row the journal could still lose). The journal provides it
 * (argo__journal_wal); the publisher is given it (argo__pub_set_wal) and knows nothing else of
 * the journal.
 */
#ifndef ARGO_WAL_H
#define ARGO_WAL_H

#include <stdint.h>

typedef struct argo__wal {
  /* Engine thread, when a segment is handed over: pushes the journal towards disk and returns
   * the journal position the segment's rows need. */
  uint64_t (*flush)(void *journal);
  /* Any thread: the position up to which the journal is durable. */
  uint64_t (*durable)(void *journal);
  /* Any thread: 1 once the journal can no longer make anything durable. */
  int (*failed)(void *journal);
  void *journal;
} argo__wal;

#endif
