/*
 * Unit tests of src/util helpers that no other module's tests cover on their own: the masking of
 * secrets in URLs (mask.c).
 */
#include <stdio.h>
#include <string.h>

#include "test.h"
#include "util/mask.h"

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

int main(void) {
  RUN(mask_hides_user_information_and_secret_parameters);
  RUN(mask_keeps_urls_without_secrets_and_other_text);
  RUN(mask_finds_every_url_in_a_message);
  RUN(mask_hides_a_password_with_unescaped_special_characters_whole);
  RUN(mask_is_idempotent_and_never_leaves_part_of_a_secret_when_truncating);
  return test_summary();
}
