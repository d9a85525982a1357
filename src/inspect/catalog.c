/*
 * Catalog: the list of recorded day folders ({data_output}/{date}/run_N) with their stats.yaml,
 * newest first, and the resolution of run names ("2025-10-03/run_1", a session id, "latest")
 * into day folders. It owns the parsed documents of one listing (a snapshot). It reads only
 * stats.yaml, which sessions replace by atomic rename, and never opens a journal, a lock or a
 * temporary file, so it can run beside a live session. To tell a crashed session from a live
 * one it looks at the kernel's list of file locks (see lock_holders), never at the lock itself.
 * File system and stats_yaml only: no DuckDB (the query and report modules build on it).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <argo/argo.h>

#include "inspect/catalog.h"
#include "persist/journal.h"
#include "persist/session.h"
#include "persist/stats_yaml.h"
#include "util/fsx.h"
#include "util/misc.h"
#include "util/timeu.h"
#include "util/util.h"

/* Length of the session-id prefix that order ids carry; the shortest prefix accepted as a name. */
#define MIN_ID_PREFIX 8

typedef struct item {
  argo_catalog_entry e;
  argo_stats stats;    /* what e.stats points to: doc's, with run_dir the folder's */
  argo__stats_doc doc; /* owns the strings stats points to (except run_dir) */
  char *run_dir;
  char date[16];
  char run[32];
  int crashed, recoverable;
  int64_t started; /* started_at, or when its stats.yaml was last written (older files) */
} item;

/* A run folder left out of the list. */
typedef struct skip {
  char *text; /* "2025-10-03/run_2: why" */
  char *why;  /* points into text, after "date/run: " */
  char *run_dir;
  char date[16];
  char run[32];
  int exists; /* its stats.yaml exists (it is unreadable or damaged) */
} skip;

struct argo_catalog {
  char *path;
  item *items; /* sorted newest first once open returns; never reallocated after that */
  size_t n, cap;
  skip *skipped;
  size_t nskipped, skipcap;
  const argo_catalog_entry **sel; /* the last resolve's answer */
  size_t selcap;
  char err[ARGO_ERRMSG_MAX];
};

static argo_err fail_msg(argo_catalog *cat, argo_err rc, const char *fmt, ...) ARGO_PRINTF(3, 4);

static argo_err fail_msg(argo_catalog *cat, argo_err rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cat->err, sizeof cat->err, fmt, ap);
  va_end(ap);
  return rc;
}

static int add_skipped(argo_catalog *cat, const char *date, const char *run, const char *run_dir,
                       int exists, const char *why) {
  if (argo__grow((void **)&cat->skipped, &cat->skipcap, cat->nskipped + 1, sizeof *cat->skipped)) {
    return -1;
  }
  skip *k = &cat->skipped[cat->nskipped];
  memset(k, 0, sizeof *k);
  char buf[ARGO_ERRMSG_MAX + 64];
  int head = snprintf(buf, sizeof buf, "%s/%s: ", date, run);
  snprintf(buf + head, sizeof buf - (size_t)head, "%s", why);
  if (!(k->text = argo__strdup(buf)) || !(k->run_dir = argo__strdup(run_dir))) {
    free(k->text);
    return -1;
  }
  k->why = k->text + head;
  argo__strlcpy(k->date, date, sizeof k->date);
  argo__strlcpy(k->run, run, sizeof k->run);
  k->exists = exists;
  cat->nskipped++;
  return 0;
}

/* Reads and parses {run_dir}/stats.yaml into doc. 0; 1 when there is none; -1 out of memory;
 * 2 when it cannot be read or parsed (why says so, naming the file). */
static int read_doc(const char *run_dir, argo__stats_doc *doc, char *why, size_t whylen) {
  char path[ARGO_PATH_MAX + 160];
  snprintf(path, sizeof path, "%s/stats.yaml", run_dir);
  char *text = NULL;
  size_t len = 0;
  memset(doc, 0, sizeof *doc);
  int e = argo__fs_read_all(path, &text, &len);
  if (e == -ENOENT) {
    snprintf(why, whylen, "no stats.yaml yet");
    return 1;
  }
  if (e == -ENOMEM) {
    return -1;
  }
  if (e != 0) {
    argo__fmt_errno(why, whylen, -e, "its stats.yaml is unreadable: cannot read '%s'", path);
    return 2;
  }
  char perr[ARGO_ERRMSG_MAX];
  argo_err rc = argo__stats_yaml_parse(text, doc, perr, sizeof perr);
  free(text);
  if (rc == ARGO_ENOMEM) {
    return -1;
  }
  if (rc != ARGO_OK) {
    /* The parser's message starts with "stats.yaml: "; the path says it already. */
    const char *p = strncmp(perr, "stats.yaml: ", 12) == 0 ? perr + 12 : perr;
    argo__fmt(why, whylen, "its stats.yaml is unreadable: '%s': %s", path, p);
    return 2;
  }
  return 0;
}

/* Reads one run folder. 0 (listed or skipped), -1 when out of memory. */
static int add_run(argo_catalog *cat, const char *date, const char *run, const char *run_dir) {
  if (argo__grow((void **)&cat->items, &cat->cap, cat->n + 1, sizeof *cat->items)) {
    return -1;
  }
  item *it = &cat->items[cat->n];
  memset(it, 0, sizeof *it);
  char why[ARGO_ERRMSG_MAX + ARGO_PATH_MAX];
  int rc = read_doc(run_dir, &it->doc, why, sizeof why);
  if (rc < 0) {
    return -1;
  }
  if (rc > 0) {
    return add_skipped(cat, date, run, run_dir, rc == 2, why);
  }
  if (!(it->run_dir = argo__strdup(run_dir))) {
    argo__stats_doc_free(&it->doc);
    return -1;
  }
  argo__strlcpy(it->date, date, sizeof it->date);
  argo__strlcpy(it->run, run, sizeof it->run);
  it->started = it->doc.started_at;
  if (!it->started) {
    char path[ARGO_PATH_MAX + 160];
    struct stat sb;
    snprintf(path, sizeof path, "%s/stats.yaml", run_dir);
    if (stat(path, &sb) == 0) {
      it->started = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
    }
  }
  cat->n++;
  return 0;
}

static int is_dir_in(const char *dir, const char *name) {
  char p[ARGO_PATH_MAX + 64];
  return argo__path(p, sizeof p, NULL, 0, "%s/%s", dir, name) == 0 && argo__fs_is_dir(p);
}

/* Lists one day folder. 0, or -1 when out of memory. */
static int scan_day(argo_catalog *cat, const char *date) {
  char day_dir[ARGO_PATH_MAX + 32];
  snprintf(day_dir, sizeof day_dir, "%s/%s", cat->path, date);
  DIR *d = opendir(day_dir);
  if (!d) {
    return 0; /* removed meanwhile, or not readable: nothing to list */
  }
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (argo__session_run_number(de->d_name) <= 0 || !is_dir_in(day_dir, de->d_name)) {
      continue;
    }
    char run_dir[ARGO_PATH_MAX + 64];
    if (argo__path(run_dir, sizeof run_dir, NULL, 0, "%s/%s", day_dir, de->d_name) != 0) {
      continue; /* is_dir_in said it is a folder: cannot happen */
    }
    rc = add_run(cat, date, de->d_name, run_dir);
  }
  closedir(d);
  return rc;
}

/* ---- crashed sessions --------------------------------------------------------------------- *
 *
 * A session holds an exclusive flock on {run_dir}/.lock for as long as it writes the folder
 * (argo__session_lock); the kernel drops it when the process dies, however it dies. So a folder
 * whose stats.yaml says "running" while nobody holds that lock belongs to a session that crashed
 * (and was not recovered yet: recovery rewrites stats.yaml).
 *
 * The catalog must not find that out by taking the lock, not even for an instant: an exclusive
 * probe would be the very lock a session or a recovery needs, and even a shared, non-blocking
 * probe (LOCK_SH | LOCK_NB) conflicts with the LOCK_EX | LOCK_NB that recovery takes on a crashed
 * folder, so a recovery started at that moment (argo recover, or a new session's start) would
 * take the folder for a live one and skip it. fcntl's F_GETLK cannot help either: it sees POSIX
 * locks, and on Linux flock locks are separate. Instead the catalog reads /proc/locks, the
 * kernel's list of every lock held, and looks for an FLOCK entry on the inode of the folder's
 * .lock: reading it takes no lock at all and disturbs nobody.
 *
 * Only the inode number is compared, not the device: on stacked file systems (overlayfs) the
 * device /proc/locks shows may differ from stat()'s. A lock on another file system's file with
 * the same inode number would only make a crashed session look alive, which is what the folder
 * says anyway. When /proc/locks cannot be read (not Linux, no /proc), nothing is concluded and
 * the status stays as stats.yaml says. Locks taken by processes of another PID namespace are not
 * listed: a session recording into a shared folder from another container looks crashed here
 * (argo recover would still leave it alone, as it takes the lock). */

typedef struct inode_set {
  unsigned long long *v;
  size_t n, cap;
} inode_set;

/* Reads the inodes of the held FLOCK locks. 0, 1 when /proc/locks cannot be read, -1 out of
 * memory. */
static int lock_holders(inode_set *set) {
  char *text = NULL;
  size_t len = 0;
  int e = argo__fs_read_all("/proc/locks", &text, &len);
  if (e == -ENOMEM) {
    return -1;
  }
  if (e != 0) {
    return 1;
  }
  /* "1: FLOCK  ADVISORY  WRITE 20405 fe:00:10953147 0 EOF"; a waiter reads "1: -> FLOCK ...". */
  int rc = 0;
  for (char *line = text, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) {
      *next++ = '\0';
    }
    char type[16], dev_ino[64];
    unsigned maj, min;
    unsigned long long ino;
    const char *p = strchr(line, ':');
    if (!p || sscanf(p + 1, " %15s %*s %*s %*s %63s", type, dev_ino) != 2 ||
        strcmp(type, "FLOCK") != 0 || sscanf(dev_ino, "%x:%x:%llu", &maj, &min, &ino) != 3) {
      continue;
    }
    if (argo__grow((void **)&set->v, &set->cap, set->n + 1, sizeof *set->v) != 0) {
      rc = -1;
      break;
    }
    set->v[set->n++] = ino;
  }
  free(text);
  return rc;
}

static int lock_is_held(const inode_set *set, const char *run_dir) {
  char path[ARGO_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/.lock", run_dir);
  struct stat sb;
  if (stat(path, &sb) != 0) {
    return 0; /* no lock file: nobody can hold it */
  }
  for (size_t i = 0; i < set->n; i++) {
    if (set->v[i] == (unsigned long long)sb.st_ino) {
      return 1;
    }
  }
  return 0;
}

/* Marks the "running" folders that no process records as crashed. Called once every stats.yaml
 * has been read, so that a folder read as "running" was locked by then if its session was
 * alive. A session that ended meanwhile renamed its final stats.yaml before it dropped the lock,
 * so such a folder is read again before it is called crashed. 0, or -1 out of memory. */
static int find_crashed(argo_catalog *cat) {
  int any = 0;
  for (size_t i = 0; i < cat->n && !any; i++) {
    any = cat->items[i].doc.s.status && strcmp(cat->items[i].doc.s.status, "running") == 0;
  }
  if (!any) {
    return 0;
  }
  inode_set set = {0};
  int rc = lock_holders(&set);
  if (rc != 0) {
    free(set.v);
    return rc < 0 ? -1 : 0;
  }
  for (size_t i = 0; i < cat->n; i++) {
    item *it = &cat->items[i];
    if (!it->doc.s.status || strcmp(it->doc.s.status, "running") != 0 ||
        lock_is_held(&set, it->run_dir)) {
      continue;
    }
    argo__stats_doc again;
    char why[ARGO_ERRMSG_MAX + ARGO_PATH_MAX];
    int r = read_doc(it->run_dir, &again, why, sizeof why);
    if (r < 0) {
      rc = -1;
      break;
    }
    if (r == 0) {
      argo__stats_doc_free(&it->doc);
      it->doc = again;
    }
    if (it->doc.s.status && strcmp(it->doc.s.status, "running") == 0) {
      char jpath[ARGO_PATH_MAX + 128];
      snprintf(jpath, sizeof jpath, "%s/%s", it->run_dir, ARGO_JOURNAL_NAME);
      it->crashed = 1;
      it->recoverable = argo__fs_exists(jpath);
    }
  }
  free(set.v);
  return rc;
}

static int cmp_newest_first(const void *pa, const void *pb) {
  const item *a = pa, *b = pb;
  int c = strcmp(b->date, a->date);
  if (c) {
    return c;
  }
  int ra = argo__session_run_number(a->run), rb = argo__session_run_number(b->run);
  return (rb > ra) - (rb < ra);
}

argo_err argo_catalog_open(argo_catalog **out, const char *data_output) {
  argo_catalog *cat = calloc(1, sizeof *cat);
  *out = cat;
  if (!cat) {
    return ARGO_ENOMEM;
  }
  if (!data_output || !*data_output) {
    return fail_msg(cat, ARGO_EINVAL, "no data output folder given");
  }
  if (!(cat->path = argo__strdup(data_output))) {
    return fail_msg(cat, ARGO_ENOMEM, "out of memory");
  }
  DIR *d = opendir(data_output);
  if (!d) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
      return fail_msg(cat, ARGO_ENOTFOUND, "no sessions recorded in '%s': %s", data_output,
                      e == ENOENT ? "no such folder" : "not a folder");
    }
    argo__fmt_errno(cat->err, sizeof cat->err, e, "cannot list '%s'", data_output);
    return ARGO_EIO;
  }
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    int64_t day;
    /* Only names that are exactly a date: "2025-10-01.bak" and the like are not day folders. */
    if (strlen(de->d_name) != 10 || argo__day_parse(de->d_name, &day) != 0 ||
        !is_dir_in(data_output, de->d_name)) {
      continue;
    }
    rc = scan_day(cat, de->d_name);
  }
  closedir(d);
  if (rc != 0) {
    return fail_msg(cat, ARGO_ENOMEM, "out of memory");
  }
  if (cat->n) {
    qsort(cat->items, cat->n, sizeof *cat->items, cmp_newest_first);
  }
  if (find_crashed(cat) != 0) {
    return fail_msg(cat, ARGO_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < cat->n; i++) {
    item *it = &cat->items[i];
    it->e.run_dir = it->run_dir;
    it->e.date = it->date;
    it->e.run = it->run;
    it->e.run_number = argo__session_run_number(it->run);
    it->e.struct_size = sizeof it->e;
    it->stats = it->doc.s;
    it->stats.run_dir = it->run_dir;
    it->stats.struct_size = sizeof it->stats;
    it->e.stats = &it->stats;
    it->e.interval = it->doc.interval;
    it->e.run_collision = it->doc.run_collision;
    it->e.resumed_from = it->doc.resumed_from;
    it->e.stop_reason = it->doc.stop_reason;
    it->e.journal_damaged = it->doc.has_damage;
    it->e.by_symbol = it->doc.by_symbol;
    it->e.nby_symbol = it->doc.nby_symbol;
    it->e.started_at = it->doc.started_at;
    it->e.status = it->crashed ? "crashed" : it->doc.s.status;
    it->e.recoverable = it->crashed && it->recoverable;
  }
  return ARGO_OK;
}

void argo_catalog_close(argo_catalog *cat) {
  if (!cat) {
    return;
  }
  for (size_t i = 0; i < cat->n; i++) {
    argo__stats_doc_free(&cat->items[i].doc);
    free(cat->items[i].run_dir);
  }
  for (size_t i = 0; i < cat->nskipped; i++) {
    free(cat->skipped[i].text);
    free(cat->skipped[i].run_dir);
  }
  free(cat->items);
  free(cat->skipped);
  free(cat->sel);
  free(cat->path);
  free(cat);
}

const char *argo_catalog_errmsg(const argo_catalog *cat) {
  if (!cat) {
    return "out of memory";
  }
  return cat->err[0] ? cat->err : "no error";
}

const char *argo_catalog_path(const argo_catalog *cat) {
  return cat && cat->path ? cat->path : "";
}

size_t argo_catalog_count(const argo_catalog *cat) {
  return cat ? cat->n : 0;
}

const argo_catalog_entry *argo_catalog_at(const argo_catalog *cat, size_t i) {
  return cat && i < cat->n ? &cat->items[i].e : NULL;
}

size_t argo_catalog_skipped_count(const argo_catalog *cat) {
  return cat ? cat->nskipped : 0;
}

const char *argo_catalog_skipped_at(const argo_catalog *cat, size_t i) {
  return cat && i < cat->nskipped ? cat->skipped[i].text : NULL;
}

int argo__catalog_skipped_folder(const argo_catalog *cat, size_t i, const char **run_dir,
                                 const char **date, const char **run) {
  if (!cat || i >= cat->nskipped) {
    return -1;
  }
  *run_dir = cat->skipped[i].run_dir;
  *date = cat->skipped[i].date;
  *run = cat->skipped[i].run;
  return 0;
}

/* Appends entry i to the selection (the selection array was sized for every entry). */
static void select_item(argo_catalog *cat, size_t *n, size_t i) {
  cat->sel[(*n)++] = &cat->items[i].e;
}

/* Every entry of session_id, oldest first. */
/* The session started last: each session starts when its earliest day folder says (started_at,
 * or for files written before it, when that folder's stats.yaml was written); the newest folder
 * wins a tie. NULL when out of memory. */
static const char *latest_session(argo_catalog *cat) {
  argo__map first; /* session id -> index of the item with its earliest start, + 1 */
  argo__map_init(&first);
  const char *best = NULL;
  int64_t best_start = 0;
  for (size_t i = 0; i < cat->n; i++) {
    const char *sid = cat->items[i].e.stats->session_id;
    void **slot = argo__map_get(&first, sid);
    size_t k = slot ? (size_t)(uintptr_t)*slot - 1 : i;
    if (slot && cat->items[i].started < cat->items[k].started) {
      *slot = (void *)(uintptr_t)(i + 1);
    } else if (!slot && argo__map_put(&first, sid, (void *)(uintptr_t)(i + 1)) != 0) {
      argo__map_free(&first);
      return NULL;
    }
  }
  for (size_t i = 0; i < cat->n; i++) {
    const char *sid = cat->items[i].e.stats->session_id;
    int64_t start = cat->items[(size_t)(uintptr_t)*argo__map_get(&first, sid) - 1].started;
    if (!best || start > best_start) {
      best = sid;
      best_start = start;
    }
  }
  argo__map_free(&first);
  return best;
}

static size_t select_session(argo_catalog *cat, const char *session_id) {
  size_t n = 0;
  for (size_t i = cat->n; i-- > 0;) {
    if (strcmp(cat->items[i].e.stats->session_id, session_id) == 0) {
      select_item(cat, &n, i);
    }
  }
  return n;
}

static int looks_like_id(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-')) {
      return 0;
    }
  }
  return n >= MIN_ID_PREFIX;
}

static int has_prefix_ci(const char *s, const char *prefix) {
  for (; *prefix; s++, prefix++) {
    char a = *s, b = *prefix;
    if (a >= 'A' && a <= 'F') {
      a = (char)(a - 'A' + 'a');
    }
    if (b >= 'A' && b <= 'F') {
      b = (char)(b - 'A' + 'a');
    }
    if (a != b) {
      return 0;
    }
  }
  return 1;
}

argo_err argo_catalog_resolve(argo_catalog *cat, const char *run,
                              const argo_catalog_entry *const **entries, size_t *n) {
  *entries = NULL;
  *n = 0;
  if (!run || !*run) {
    return fail_msg(cat, ARGO_EINVAL, "no run name given");
  }
  if (cat->n && !cat->sel) {
    cat->sel = calloc(cat->n, sizeof *cat->sel);
    if (!cat->sel) {
      return fail_msg(cat, ARGO_ENOMEM, "out of memory");
    }
    cat->selcap = cat->n;
  }
  size_t count = 0;
  const char *slash = strchr(run, '/');
  if (strcmp(run, "latest") == 0) {
    if (cat->n == 0) {
      return fail_msg(cat, ARGO_ENOTFOUND, "no sessions recorded in '%s'", cat->path);
    }
    const char *sid = latest_session(cat);
    if (!sid) {
      return fail_msg(cat, ARGO_ENOMEM, "out of memory");
    }
    count = select_session(cat, sid);
  } else if (slash) {
    char date[32];
    int64_t day;
    size_t dl = (size_t)(slash - run);
    if (dl >= sizeof date) {
      dl = sizeof date - 1;
    }
    memcpy(date, run, dl);
    date[dl] = '\0';
    const char *rname = slash + 1;
    if (strlen(date) != 10 || argo__day_parse(date, &day) != 0 ||
        argo__session_run_number(rname) <= 0) {
      return fail_msg(cat, ARGO_EINVAL,
                      "'%s' is not a run name: use DATE/run_N (2025-10-03/run_1), a session id, "
                      "or latest",
                      run);
    }
    for (size_t i = 0; i < cat->n; i++) {
      if (strcmp(cat->items[i].date, date) == 0 && strcmp(cat->items[i].run, rname) == 0) {
        select_item(cat, &count, i);
        break;
      }
    }
    for (size_t i = 0; count == 0 && i < cat->nskipped; i++) {
      const skip *k = &cat->skipped[i];
      if (strcmp(k->date, date) == 0 && strcmp(k->run, rname) == 0) {
        if (k->exists) {
          return fail_msg(cat, ARGO_ECORRUPT, "%s/%s: %s", date, rname, k->why);
        }
        return fail_msg(cat, ARGO_ENOTFOUND,
                        "%s/%s has no stats.yaml yet (its session has not recorded a candle)", date,
                        rname);
      }
    }
    if (count == 0) {
      return fail_msg(cat, ARGO_ENOTFOUND, "no day folder %s/%s with a stats.yaml in '%s'", date,
                      rname, cat->path);
    }
  } else if (strlen(run) == 10 && argo__day_parse(run, &(int64_t){0}) == 0) {
    return fail_msg(cat, ARGO_EINVAL,
                    "'%s' is a date, not a run: name one of its runs, e.g. %s/run_1 (see 'argo "
                    "sessions')",
                    run, run);
  } else if (looks_like_id(run)) {
    const char *found = NULL;
    for (size_t i = 0; i < cat->n; i++) {
      const char *sid = cat->items[i].e.stats->session_id;
      if (!has_prefix_ci(sid, run)) {
        continue;
      }
      if (found && strcmp(found, sid) != 0) {
        return fail_msg(cat, ARGO_EINVAL,
                        "'%s' is ambiguous: sessions %s and %s both start with it", run, found,
                        sid);
      }
      found = sid;
    }
    if (!found) {
      return fail_msg(cat, ARGO_ENOTFOUND, "no session %s recorded in '%s'", run, cat->path);
    }
    count = select_session(cat, found);
  } else {
    return fail_msg(cat, ARGO_EINVAL,
                    "'%s' is not a run name: use DATE/run_N (2025-10-03/run_1), a session id, "
                    "or latest",
                    run);
  }
  *entries = cat->sel;
  *n = count;
  return ARGO_OK;
}

char *argo__catalog_errbuf(argo_catalog *cat, size_t *len) {
  *len = sizeof cat->err;
  return cat->err;
}
