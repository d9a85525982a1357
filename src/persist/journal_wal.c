/*
 * The journal's side of the write-ahead interface (wal.h): what the publisher calls to wait for
 * the journal, on the journal alone.
 */
#include "persist/journal.h"

static uint64_t wal_flush(void *journal) {
  argo__journal *j = journal;
  argo__journal_urgent(j);
  argo__journal_handover(j);
  return argo__journal_lsn(j);
}

static uint64_t wal_durable(void *journal) {
  return argo__journal_durable(journal);
}

static int wal_failed(void *journal) {
  return argo__journal_failed(journal);
}

argo__wal argo__journal_wal(argo__journal *j) {
  return (argo__wal){
      .flush = wal_flush, .durable = wal_durable, .failed = wal_failed, .journal = j};
}
