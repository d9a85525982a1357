/* Session manager: run numbering, atomic claims, day folders (docs/design.md sections 2 and 3). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "persist/session.h"
#include "test.h"
#include "testutil.h"
#include "util/fsx.h"

static char root[4096];

static void fresh(const char *tag) {
  snprintf(root, sizeof root, "%s", tu_tmpdir(tag));
}

static void mk(const char *rel) {
  char p[8192];
  snprintf(p, sizeof p, "%s/%s", root, rel);
  char err[256];
  CHECK_MSG(argo__fs_mkdir_p(p, 0755, err, sizeof err) == 0, "%s", err);
}

static int next_in(const char *day) {
  char d[8192], err[256];
  snprintf(d, sizeof d, "%s/%s", root, day);
  int got = 0;
  int rc = argo__session_claim(d, 1, &got, NULL, err, sizeof err);
  CHECK_MSG(rc == 0, "%s", err);
  return got;
}

TEST(session_run_number_accepts_only_canonical_names) {
  CHECK_EQ_INT(1, argo__session_run_number("run_1"));
  CHECK_EQ_INT(42, argo__session_run_number("run_42"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_007"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_0"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_-1"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_+9"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_abc"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_1a"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_"));
  CHECK_EQ_INT(-1, argo__session_run_number("Run_1"));
  CHECK_EQ_INT(-1, argo__session_run_number("run_1234567890"));
  CHECK_EQ_INT(999999999, argo__session_run_number("run_999999999"));
}

TEST(session_empty_day_starts_at_run_1) {
  fresh("sess-empty");
  CHECK_EQ_INT(1, next_in("2025-10-01"));
  tu_rm_rf(root);
}

TEST(session_consecutive_claims_give_run_1_to_3) {
  fresh("sess-seq");
  CHECK_EQ_INT(1, next_in("2025-10-03"));
  CHECK_EQ_INT(2, next_in("2025-10-03"));
  CHECK_EQ_INT(3, next_in("2025-10-03"));
  tu_rm_rf(root);
}

TEST(session_gaps_are_not_filled) {
  fresh("sess-gap");
  mk("2025-10-01/run_1");
  mk("2025-10-01/run_5");
  CHECK_EQ_INT(6, next_in("2025-10-01"));
  tu_rm_rf(root);
}

TEST(session_ignores_other_names_and_files) {
  fresh("sess-ignore");
  mk("2025-10-01/run_abc");
  mk("2025-10-01/run_007");
  mk("2025-10-01/run_-1");
  mk("2025-10-01/session-1");
  char f[8192];
  snprintf(f, sizeof f, "%s/2025-10-01/run_9", root);
  tu_write_file(f, "not a folder");
  CHECK_EQ_INT(1, next_in("2025-10-01"));
  mk("2025-10-01/run_3");
  CHECK_EQ_INT(4, next_in("2025-10-01"));
  tu_rm_rf(root);
}

TEST(session_simultaneous_starts_get_different_numbers) {
  fresh("sess-race");
  enum { N = 8 };
  int go[2], res[2];
  CHECK(pipe(go) == 0 && pipe(res) == 0);
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = fork();
    CHECK(kids[i] >= 0);
    if (kids[i] == 0) {
      char c;
      close(go[1]);
      /* Every child blocks here until the parent closes the pipe: they all scan at once. */
      ssize_t r = read(go[0], &c, 1);
      (void)r;
      char d[8192], err[256];
      snprintf(d, sizeof d, "%s/2025-10-01", root);
      int got = -1;
      if (argo__session_claim(d, 1, &got, NULL, err, sizeof err) != 0) {
        got = -1;
      }
      ssize_t w = write(res[1], &got, sizeof got);
      (void)w;
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]);
  close(res[1]);
  int seen[N + 1] = {0};
  for (int i = 0; i < N; i++) {
    int got;
    CHECK_EQ_INT(sizeof got, read(res[0], &got, sizeof got));
    CHECK_MSG(got >= 1 && got <= N, "claimed run_%d", got);
    CHECK_MSG(!seen[got], "run_%d claimed twice", got);
    seen[got] = 1;
  }
  for (int i = 0; i < N; i++) {
    waitpid(kids[i], NULL, 0);
  }
  close(res[0]);
  tu_rm_rf(root);
}

TEST(session_reserved_id_ranges_never_overlap_and_respect_the_floor) {
  fresh("sess-ids");
  char err[256];
  int64_t first = 0;
  /* An empty data output: marks from 1; logs counted apart. */
  CHECK_EQ_INT(0, argo__session_reserve_ids(root, 0, 0, 100, &first, err, sizeof err));
  CHECK_EQ_INT(1, first);
  CHECK_EQ_INT(0, argo__session_reserve_ids(root, 0, 0, 100, &first, err, sizeof err));
  CHECK_EQ_INT(101, first);
  CHECK_EQ_INT(0, argo__session_reserve_ids(root, 1, 0, 10, &first, err, sizeof err));
  CHECK_EQ_INT(1, first);
  /* Above a floor scanned from the files (ids written before the file existed). */
  CHECK_EQ_INT(0, argo__session_reserve_ids(root, 0, 5000, 100, &first, err, sizeof err));
  CHECK_EQ_INT(5001, first);
  char p[8192];
  snprintf(p, sizeof p, "%s/.ids", root);
  char *text = tu_read_file(p);
  CHECK_STR("next_mark_id: 5101\nnext_log_id: 11\n", text);
  free(text);
  /* A damaged file counts as empty: the floor still keeps the ids above those in use. */
  tu_write_file(p, "garbage");
  CHECK_EQ_INT(0, argo__session_reserve_ids(root, 1, 40, 10, &first, err, sizeof err));
  CHECK_EQ_INT(41, first);
  /* Many processes at once: every range is its own. */
  enum { N = 8 };
  int res[2];
  CHECK(pipe(res) == 0);
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    kids[i] = fork();
    CHECK(kids[i] >= 0);
    if (kids[i] == 0) {
      int64_t got[50];
      for (int k = 0; k < 50; k++) {
        if (argo__session_reserve_ids(root, 0, 0, 3, &got[k], err, sizeof err) != 0) {
          got[k] = -1;
        }
      }
      ssize_t w = write(res[1], got, sizeof got);
      (void)w;
      _exit(0);
    }
  }
  close(res[1]);
  static unsigned char used[10000];
  memset(used, 0, sizeof used);
  for (int i = 0; i < N; i++) {
    int64_t got[50];
    CHECK_EQ_INT(sizeof got, read(res[0], got, sizeof got));
    for (int k = 0; k < 50; k++) {
      CHECK_MSG(got[k] >= 1 && got[k] + 3 < 10000, "range at %lld", (long long)got[k]);
      for (int j = 0; j < 3; j++) {
        CHECK_MSG(!used[got[k] + j], "id %lld reserved twice", (long long)got[k] + j);
        used[got[k] + j] = 1;
      }
    }
  }
  for (int i = 0; i < N; i++) {
    waitpid(kids[i], NULL, 0);
  }
  close(res[0]);
  snprintf(p, sizeof p, "%s/no/such/folder", root);
  CHECK(argo__session_reserve_ids(p, 0, 0, 1, &first, err, sizeof err) < 0);
  CHECK_CONTAINS(err, "/no/such/folder/.ids");
  tu_rm_rf(root);
}

TEST(session_keeps_run_number_across_days_and_moves_forward_only) {
  fresh("sess-days");
  mk("2025-10-01/run_1");
  argo__session s;
  char err[512];
  int64_t t0;
  CHECK(argo_time_parse("2025-10-01T09:00:00Z", &t0) == ARGO_OK);
  CHECK_MSG(argo__session_open(&s, root, t0, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(2, s.run_number);
  CHECK_STR("2025-10-01", s.date);
  CHECK_STR("run_2", s.run_name);
  CHECK_EQ_INT(36, strlen(s.session_id));
  CHECK(argo__fs_is_dir(s.run_dir));
  /* Same day, and an earlier day: no change. */
  CHECK_EQ_INT(0, argo__session_advance(&s, t0 + 3600 * 1000000LL, err, sizeof err));
  CHECK_EQ_INT(0, argo__session_advance(&s, t0 - 86400 * 1000000LL, err, sizeof err));
  CHECK_EQ_INT(1, argo__session_advance(&s, t0 + 86400 * 1000000LL, err, sizeof err));
  CHECK_STR("2025-10-02", s.date);
  CHECK_STR("run_2", s.run_name);
  CHECK_STR("", s.collision);
  char p[8192];
  snprintf(p, sizeof p, "%s/2025-10-02/run_2", root);
  CHECK(argo__fs_is_dir(p));
  CHECK_EQ_INT(1, argo__session_advance(&s, t0 + 2 * 86400 * 1000000LL, err, sizeof err));
  CHECK_STR("2025-10-03", s.date);
  CHECK_EQ_INT(2, s.day_run);
  tu_rm_rf(root);
}

TEST(session_day_collision_takes_next_free_number_and_says_so) {
  fresh("sess-collide");
  argo__session s;
  char err[512];
  int64_t t0;
  CHECK(argo_time_parse("2025-10-01T23:00:00Z", &t0) == ARGO_OK);
  CHECK(argo__session_open(&s, root, t0, err, sizeof err) == ARGO_OK);
  CHECK_EQ_INT(1, s.run_number);
  mk("2025-10-02/run_1"); /* another session got there first */
  mk("2025-10-02/run_2");
  CHECK_EQ_INT(1, argo__session_advance(&s, t0 + 2 * 3600 * 1000000LL, err, sizeof err));
  CHECK_STR("run_3", s.run_name);
  CHECK_CONTAINS(s.collision, "run_1");
  CHECK_CONTAINS(s.collision, "run_3");
  /* The next day goes back to the session's own number when it is free. */
  CHECK_EQ_INT(1, argo__session_advance(&s, t0 + 26 * 3600 * 1000000LL, err, sizeof err));
  CHECK_STR("run_1", s.run_name);
  CHECK_STR("", s.collision);
  tu_rm_rf(root);
}

TEST(session_unusable_output_path_is_a_clear_error) {
  fresh("sess-bad");
  char file[8192], out[8300];
  snprintf(file, sizeof file, "%s/a-file", root);
  tu_write_file(file, "x");
  snprintf(out, sizeof out, "%s/sub", file);
  argo__session s;
  char err[512] = "";
  CHECK(argo__session_open(&s, out, 0, err, sizeof err) == ARGO_EIO);
  CHECK_CONTAINS(err, "a-file");
  CHECK_CONTAINS(err, "Not a directory");
  tu_rm_rf(root);
}

TEST(session_dates_are_utc_days_of_the_clock) {
  fresh("sess-utc");
  argo__session s;
  char err[512];
  int64_t t;
  /* 23:59:59.999999 is still the 1st; a +02:00 offset moves the instant to the previous day. */
  CHECK(argo_time_parse("2025-10-01T23:59:59.999999Z", &t) == ARGO_OK);
  CHECK(argo__session_open(&s, root, t, err, sizeof err) == ARGO_OK);
  CHECK_STR("2025-10-01", s.date);
  CHECK(argo_time_parse("2025-10-02T01:00:00+02:00", &t) == ARGO_OK);
  CHECK(argo__session_open(&s, root, t, err, sizeof err) == ARGO_OK);
  CHECK_STR("2025-10-01", s.date);
  CHECK_STR("run_2", s.run_name);
  tu_rm_rf(root);
}

/* A run folder never exists without its lock: recovery in another process can then tell a
 * folder being claimed from one a crash left. */
TEST(session_a_run_folder_appears_with_its_lock_held) {
  fresh("sess-locked");
  char d[8192], lock[8300];
  snprintf(d, sizeof d, "%s/2025-10-01", root);
  char err[512];
  int got = 0, fd = -1;
  CHECK_MSG(argo__session_claim(d, 1, &got, &fd, err, sizeof err) == 0, "%s", err);
  CHECK_EQ_INT(1, got);
  CHECK(fd >= 0);
  snprintf(lock, sizeof lock, "%s/run_1/.lock", d);
  int other = open(lock, O_RDWR);
  CHECK(other >= 0);
  CHECK_MSG(flock(other, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK,
            "the new folder's lock is not held");
  close(fd);
  CHECK(flock(other, LOCK_EX | LOCK_NB) == 0);
  close(other);
  /* Nothing of the claim is left beside it. */
  DIR *dir = opendir(d);
  CHECK(dir != NULL);
  struct dirent *de;
  int entries = 0;
  while ((de = readdir(dir)) != NULL) {
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
      CHECK_MSG(strcmp(de->d_name, "run_1") == 0, "left in the day folder: %s", de->d_name);
      entries++;
    }
  }
  closedir(dir);
  CHECK_EQ_INT(1, entries);
  tu_rm_rf(root);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(session_a_run_folder_appears_with_its_lock_held);
  RUN(session_run_number_accepts_only_canonical_names);
  RUN(session_empty_day_starts_at_run_1);
  RUN(session_consecutive_claims_give_run_1_to_3);
  RUN(session_gaps_are_not_filled);
  RUN(session_ignores_other_names_and_files);
  RUN(session_simultaneous_starts_get_different_numbers);
  RUN(session_reserved_id_ranges_never_overlap_and_respect_the_floor);
  RUN(session_keeps_run_number_across_days_and_moves_forward_only);
  RUN(session_day_collision_takes_next_free_number_and_says_so);
  RUN(session_unusable_output_path_is_a_clear_error);
  RUN(session_dates_are_utc_days_of_the_clock);
  return test_summary();
}
