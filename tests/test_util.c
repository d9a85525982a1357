/*
 * Unit tests of src/util helpers that no other module's tests cover on their own: the masking of
 * secrets in URLs (mask.c), the checks of files a user names for output (fsx.c) and the names
 * of argo's threads (util.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "test.h"
#include "testutil.h"
#include "util/fsx.h"
#include "util/mask.h"
#include "util/util.h"

static const char *mask(const char *text) {
  static char out[1024];
  return argo__mask_urls(text, out, sizeof out);
}

TEST(mask_hides_user_information_and_secret_parameters) {
  CHECK_STR("http://***@host/?token=***", mask("http://user:S3CRET@host/?token=S3CRET"));
  /* A user name alone may be a token. */
  CHECK_STR("wss://***@stream.example:9443/ws", mask("wss://S3CRET@stream.example:9443/ws"));
  /* Case and spelling of the names do not matter; other parameters are kept. */
  CHECK_STR("https://h/api?a=1&API_KEY=***&Signature=***&apiKey=***&b=2&Password=***&passwd=***",
            mask("https://h/api?a=1&API_KEY=x&Signature=y&apiKey=z&b=2&Password=p&passwd=q"));
  CHECK_STR("https://h/?key=***&secret=***&auth=***&access_token=***&x-api-key=***&pwd=***",
            mask("https://h/?key=k&secret=s&auth=a&access_token=t&x-api-key=x&pwd=p"));
  CHECK_STR("https://h/?client_secret=***&sessionid=***&sig=***&pass=***&X-Amz-Credential=***",
            mask("https://h/?client_secret=c&sessionid=s&sig=g&pass=p&X-Amz-Credential=c"));
  /* A %-encoded name is decoded first. */
  CHECK_STR("https://h/?api%5Fkey=***", mask("https://h/?api%5Fkey=S3CRET"));
  /* A fragment's parameters too (OAuth's #access_token=...). */
  CHECK_STR("https://h/cb#state=1&access_token=***", mask("https://h/cb#state=1&access_token=T"));
  CHECK_STR("https://h/?q=1#id_token=***", mask("https://h/?q=1#id_token=T"));
}

TEST(mask_keeps_urls_without_secrets_and_other_text) {
  const char *plain[] = {
      "",
      "no url here: token=abc stays (not a URL)",
      "GET https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1&limit=1000"
      ": HTTP 500: busy",
      "cannot connect to wss://stream.binance.com:9443/stream?streams=btcusdt@kline_1m: refused",
      "mailto:someone@example.com",
      "http://[::1]:8080/path?monkeys=3",
  };
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
    CHECK_STR(plain[i], mask(plain[i]));
  }
}

TEST(mask_finds_every_url_in_a_message) {
  CHECK_STR("GET http://***@127.0.0.1:1/x?token=***: HTTP 404: not found; see "
            "https://***@h/y?apikey=***&a=b.",
            mask("GET http://u:p@127.0.0.1:1/x?token=abc: HTTP 404: not found; see "
                 "https://u@h/y?apikey=k&a=b."));
  CHECK_STR("'ws://***@h:1?x' and \"http://h/?secret=***\"",
            mask("'ws://a:b@h:1?x' and \"http://h/?secret=z\""));
  CHECK_STR("(http://***@h/)", mask("(http://a:b@h/)"));
}

TEST(mask_hides_a_password_with_unescaped_special_characters_whole) {
  /* '#' and '?' in a password that was not %-encoded: the whole of it goes. */
  CHECK_STR("http://***@host/x", mask("http://user:p#ss?w@host/x"));
  CHECK_STR("http://***@host", mask("http://user:p@ss@host"));
}

TEST(mask_is_idempotent_and_never_leaves_part_of_a_secret_when_truncating) {
  const char *once = mask("http://user:S3CRET@host/?token=S3CRET&a=1");
  char copy[256];
  snprintf(copy, sizeof copy, "%s", once);
  CHECK_STR(copy, mask(copy));
  /* Every truncation of the masked text is a prefix of it: no byte of the secret. */
  const char *url = "GET http://user:S3CRET@host/?token=S3CRET failed";
  for (size_t cap = 0; cap < 64; cap++) {
    char out[64];
    memset(out, 'x', sizeof out);
    argo__mask_urls(url, out, cap);
    if (cap) {
      CHECK_MSG(strlen(out) < cap, "cap %zu: %s", cap, out);
      CHECK_MSG(strstr(out, "S3") == NULL, "cap %zu: %s", cap, out);
    } else {
      CHECK(out[0] == 'x');
    }
  }
}

/* argo__fs_output_check of path: its return code, and the resolved path or the message. */
static int out_check(const char *path, char *res, size_t cap, char *err, size_t errlen) {
  res[0] = err[0] = '\0';
  return argo__fs_output_check(path, res, cap, err, errlen);
}

TEST(output_check_resolves_links_and_refuses_what_is_not_a_regular_file) {
  char dir[4096], p[4300], q[4300], res[4096], err[512];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("util-output"));
  /* A new file in an existing folder, and an existing regular file: themselves. */
  snprintf(p, sizeof p, "%s/new.html", dir);
  CHECK_EQ_INT(0, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_STR(p, res);
  tu_write_file(p, "x");
  CHECK_EQ_INT(0, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_STR(p, res);
  /* A link to it: its target. A dangling link (relative, through a second link): where it
   * points. */
  snprintf(q, sizeof q, "%s/link.html", dir);
  CHECK(symlink("new.html", q) == 0);
  CHECK_EQ_INT(0, out_check(q, res, sizeof res, err, sizeof err));
  char *real = realpath(p, NULL);
  CHECK_STR(real, res);
  free(real);
  snprintf(q, sizeof q, "%s/dangling2", dir);
  CHECK(symlink("dangling1", q) == 0);
  snprintf(q, sizeof q, "%s/dangling1", dir);
  CHECK(symlink("sub/../absent.html", q) == 0);
  CHECK(mkdir(strcat(strcpy(p, dir), "/sub"), 0755) == 0);
  snprintf(q, sizeof q, "%s/dangling2", dir);
  CHECK_EQ_INT(0, out_check(q, res, sizeof res, err, sizeof err));
  snprintf(p, sizeof p, "%s/sub/../absent.html", dir);
  CHECK_STR(p, res);
  /* Refused: a folder (also through a link or written with '/'), a pipe, a device, a socket, a
   * loop of links, no name; a missing folder is -ENOENT. */
  CHECK_EQ_INT(-EINVAL, out_check(dir, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "is a folder; give a file name");
  CHECK_CONTAINS(err, dir);
  snprintf(p, sizeof p, "%s/nothing-yet/", dir);
  CHECK_EQ_INT(-EINVAL, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "ends with '/'");
  snprintf(q, sizeof q, "%s/dirlink", dir);
  CHECK(symlink(".", q) == 0);
  CHECK_EQ_INT(-EINVAL, out_check(q, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "is a symbolic link to a folder");
  snprintf(p, sizeof p, "%s/fifo", dir);
  CHECK(mkfifo(p, 0644) == 0);
  CHECK_EQ_INT(-EINVAL, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "is a named pipe (FIFO), not a regular file");
  CHECK_EQ_INT(-EINVAL, out_check("/dev/null", res, sizeof res, err, sizeof err));
  CHECK_STR("'/dev/null' is a character device, not a regular file", err);
  snprintf(q, sizeof q, "%s/null", dir);
  CHECK(symlink("/dev/null", q) == 0);
  CHECK_EQ_INT(-EINVAL, out_check(q, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "is a symbolic link to a character device ('/dev/null')");
  snprintf(p, sizeof p, "%s/sock", dir);
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(p) < sizeof sa.sun_path) {
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", p);
    CHECK(bind(s, (struct sockaddr *)&sa, sizeof sa) == 0);
    CHECK_EQ_INT(-EINVAL, out_check(p, res, sizeof res, err, sizeof err));
    CHECK_CONTAINS(err, "is a socket");
  }
  close(s);
  snprintf(p, sizeof p, "%s/loop1", dir);
  snprintf(q, sizeof q, "%s/loop2", dir);
  CHECK(symlink("loop2", p) == 0 && symlink("loop1", q) == 0);
  CHECK_EQ_INT(-EINVAL, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "loop of symbolic links");
  CHECK_EQ_INT(-EINVAL, out_check("", res, sizeof res, err, sizeof err));
  snprintf(p, sizeof p, "%s/no/such/folder/x.html", dir);
  CHECK_EQ_INT(-ENOENT, out_check(p, res, sizeof res, err, sizeof err));
  CHECK_CONTAINS(err, "no folder");
  tu_rm_rf(dir);
}

TEST(output_write_replaces_the_target_of_a_link_and_keeps_its_permissions) {
  char dir[4096], p[4300], q[4300], err[512];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("util-output-write"));
  snprintf(p, sizeof p, "%s/real", dir);
  tu_write_file(p, "old");
  CHECK(chmod(p, 0640) == 0);
  snprintf(q, sizeof q, "%s/link", dir);
  CHECK(symlink("real", q) == 0);
  CHECK_EQ_INT(0, argo__fs_output_write(q, "new", 3, err, sizeof err));
  struct stat sb;
  CHECK(lstat(q, &sb) == 0 && S_ISLNK(sb.st_mode));
  CHECK(stat(p, &sb) == 0 && S_ISREG(sb.st_mode));
  CHECK_EQ_INT(0640, sb.st_mode & 07777);
  char *text = tu_read_file(p);
  CHECK_STR("new", text);
  free(text);
  /* A temporary name taken by a link someone put there is not written through. */
  char victim[4300], tmp[4300];
  snprintf(victim, sizeof victim, "%s/victim", dir);
  tu_write_file(victim, "keep");
  snprintf(tmp, sizeof tmp, "%s/.real.tmp", dir);
  CHECK(symlink("victim", tmp) == 0);
  CHECK_EQ_INT(0, argo__fs_output_write(p, "newer", 5, err, sizeof err));
  text = tu_read_file(victim);
  CHECK_STR("keep", text);
  free(text);
  text = tu_read_file(p);
  CHECK_STR("newer", text);
  free(text);
  /* A pipe: refused, and still a pipe. */
  snprintf(p, sizeof p, "%s/fifo", dir);
  CHECK(mkfifo(p, 0644) == 0);
  CHECK_EQ_INT(-EINVAL, argo__fs_output_write(p, "x", 1, err, sizeof err));
  CHECK(lstat(p, &sb) == 0 && S_ISFIFO(sb.st_mode));
  tu_rm_rf(dir);
}

TEST(output_open_writes_in_place_and_never_blocks_on_a_pipe) {
  char dir[4096], p[4300], err[512];
  snprintf(dir, sizeof dir, "%s", tu_tmpdir("util-output-open"));
  snprintf(p, sizeof p, "%s/events", dir);
  tu_write_file(p, "old contents");
  int fd = -1;
  CHECK_EQ_INT(0, argo__fs_output_open(p, &fd, err, sizeof err));
  CHECK(write(fd, "new\n", 4) == 4);
  CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  CHECK_EQ_INT(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
  close(fd);
  char *text = tu_read_file(p);
  CHECK_STR("new\n", text);
  free(text);
  snprintf(p, sizeof p, "%s/fifo", dir);
  CHECK(mkfifo(p, 0644) == 0);
  CHECK_EQ_INT(-EINVAL, argo__fs_output_open(p, &fd, err, sizeof err));
  CHECK_CONTAINS(err, "named pipe");
  tu_rm_rf(dir);
}

/* A path that does not fit is an error, never a shorter path naming another file. */
TEST(path_fails_rather_than_cut_a_path_short) {
  char out[16], err[256] = "";
  CHECK_EQ_INT(0, argo__path(out, sizeof out, err, sizeof err, "%s/%s", "data", "x.tmp"));
  CHECK_STR("data/x.tmp", out);
  CHECK_EQ_INT(-ENAMETOOLONG,
               argo__path(out, sizeof out, err, sizeof err, "%s/%s", "data/2025-10-01", "run_1"));
  CHECK_STR("", out);
  CHECK_CONTAINS(err, "path too long");
  char tmp[24];
  CHECK_EQ_INT(0, argo__fs_tmp_name("d/stats.yaml", tmp, sizeof tmp));
  CHECK_STR("d/.stats.yaml.tmp", tmp);
  CHECK_EQ_INT(-ENAMETOOLONG, argo__fs_tmp_name("data/run_1/stats.yaml", tmp, sizeof tmp));
  CHECK_STR("", tmp);
}

/* One way to show a duration (argo stats and the report): whole seconds first, then the two
 * largest units cut, so 10799.6 s reads "3h 00m" everywhere. */
TEST(duration_format_rounds_to_seconds_then_shows_two_units) {
  static const struct {
    double s;
    const char *want;
  } cases[] = {{0, "-"},
               {-5, "-"},
               {0.4, "0s"},
               {0.5, "1s"},
               {45, "45s"},
               {59.6, "1m 00s"},
               {127, "2m 07s"},
               {3900, "1h 05m"},
               {10770, "2h 59m"},
               {10799.6, "3h 00m"},
               {10799.4, "2h 59m"},
               {86400 * 3 + 4 * 3600 + 59 * 60, "3d 4h"}};
  char buf[32];
  for (size_t i = 0; i < ARGO_ARRAY_LEN(cases); i++) {
    argo_duration_format(cases[i].s, buf, sizeof buf);
    CHECK_STR(cases[i].want, buf);
  }
  argo_duration_format(1.0 / 0.0, buf, sizeof buf);
  CHECK_STR("-", buf);
}

/* What top -H and ps -L show for a thread named by argo: the name, cut to the kernel's 15
 * bytes, read back from /proc by the thread itself. */
static void *named_thread(void *arg) {
  char *seen = arg;
  argo__thread_name("argo-publisher-and-more");
  FILE *f = fopen("/proc/thread-self/comm", "r");
  if (f) {
    if (!fgets(seen, 64, f)) {
      seen[0] = '\0';
    }
    fclose(f);
  }
  return NULL;
}

TEST(thread_name_is_what_top_shows_cut_to_fifteen_bytes) {
  char seen[64] = "";
  pthread_t th;
  CHECK(pthread_create(&th, NULL, named_thread, seen) == 0);
  pthread_join(th, NULL);
  CHECK_STR("argo-publisher-\n", seen);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(path_fails_rather_than_cut_a_path_short);
  RUN(mask_hides_user_information_and_secret_parameters);
  RUN(mask_keeps_urls_without_secrets_and_other_text);
  RUN(mask_finds_every_url_in_a_message);
  RUN(mask_hides_a_password_with_unescaped_special_characters_whole);
  RUN(mask_is_idempotent_and_never_leaves_part_of_a_secret_when_truncating);
  RUN(output_check_resolves_links_and_refuses_what_is_not_a_regular_file);
  RUN(output_write_replaces_the_target_of_a_link_and_keeps_its_permissions);
  RUN(output_open_writes_in_place_and_never_blocks_on_a_pipe);
  RUN(duration_format_rounds_to_seconds_then_shows_two_units);
  RUN(thread_name_is_what_top_shows_cut_to_fifteen_bytes);
  return test_summary();
}
