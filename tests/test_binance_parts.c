/*
 * Unit tests of the Binance broker's pure parts: exchange filters and rounding
 * (brokers/binance_filters.c), keys and signatures (brokers/binance_sign.c) and the table of
 * error codes (brokers/binance_errors.c). The signature tests use the examples of Binance's
 * own documents (rest-api.md and web-socket-api.md: the example key and secret, the requests
 * and the signatures printed there).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "brokers/binance_errors.h"
#include "brokers/binance_filters.h"
#include "brokers/binance_sign.h"
#include "test.h"
#include "testutil.h"

/* ---- signatures -------------------------------------------------------------------------- */

/* The example HMAC key of Binance's documents (rest-api.md, web-socket-api.md). */
#define DOC_API_KEY "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
#define DOC_SECRET "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
/* "１２３４５６": the documents' symbol of non-ASCII characters, in UTF-8. */
#define WIDE_SYMBOL "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96"

static argo__bn_keys *doc_hmac_keys(void) {
  argo__bn_keys *k = NULL;
  char err[256] = "";
  CHECK_MSG(argo__bn_keys_new_hmac(DOC_API_KEY, DOC_SECRET, &k, err, sizeof err) == ARGO_OK, "%s",
            err);
  CHECK_EQ_INT(ARGO_BN_KEY_HMAC, argo__bn_keys_kind(k));
  CHECK_STR(DOC_API_KEY, argo__bn_keys_api_key(k));
  return k;
}

/* The parameters of rest-api.md's HMAC example, in its order. */
static void doc_rest_query(argo__sb *q, const char *symbol) {
  argo__bn_query_add(q, "symbol", symbol);
  argo__bn_query_add(q, "side", "BUY");
  argo__bn_query_add(q, "type", "LIMIT");
  argo__bn_query_add(q, "timeInForce", "GTC");
  argo__bn_query_add(q, "quantity", "1");
  argo__bn_query_add(q, "price", "0.1");
  argo__bn_query_add_i64(q, "recvWindow", 5000);
  argo__bn_query_add_i64(q, "timestamp", 1499827319559);
}

TEST(sign_hmac_matches_binance_rest_example) {
  argo__bn_keys *k = doc_hmac_keys();
  argo__sb q;
  argo__sb_init(&q);
  doc_rest_query(&q, "LTCBTC");
  CHECK_STR("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
            "&recvWindow=5000&timestamp=1499827319559",
            argo__sb_str(&q));
  char sig[ARGO_BN_SIGNATURE_MAX];
  CHECK_EQ_INT(ARGO_OK, argo__bn_sign(k, argo__sb_str(&q), q.len, sig, sizeof sig));
  CHECK_STR("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71", sig);
  CHECK_EQ_INT(ARGO_OK, argo__bn_query_sign(k, &q));
  CHECK_STR("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
            "&recvWindow=5000&timestamp=1499827319559"
            "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
            argo__sb_str(&q));
  /* Too small a buffer is an error, never a cut signature. */
  char small[10];
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_sign(k, "x", 1, small, sizeof small));
  CHECK_STR("", small);
  argo__sb_free(&q);
  argo__bn_keys_free(k);
}

TEST(sign_hmac_percent_encodes_non_ascii_before_signing) {
  argo__bn_keys *k = doc_hmac_keys();
  argo__sb q;
  argo__sb_init(&q);
  doc_rest_query(&q, WIDE_SYMBOL);
  CHECK_EQ_INT(ARGO_OK, argo__bn_query_sign(k, &q));
  CHECK_STR("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
            "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
            "&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
            argo__sb_str(&q));
  argo__sb_free(&q);
  argo__bn_keys_free(k);
}

TEST(pct_encode_keeps_unreserved_characters_only) {
  argo__sb sb;
  argo__sb_init(&sb);
  argo__bn_pct_encode(&sb, "AZaz09-._~ +/=&?%\"#\xC3\xA9");
  CHECK_STR("AZaz09-._~%20%2B%2F%3D%26%3F%25%22%23%C3%A9", argo__sb_str(&sb));
  argo__sb_reset(&sb);
  argo__bn_query_add(&sb, "a key", "v&w");
  argo__bn_query_add_i64(&sb, "n", -42);
  argo__bn_query_add(&sb, "empty", "");
  CHECK_STR("a%20key=v%26w&n=-42&empty=", argo__sb_str(&sb));
  argo__sb_free(&sb);
}

/* The order.place examples of web-socket-api.md, every parameter but signature. */
static const argo__bn_param ws_ascii[] = {
    {"symbol", "BTCUSDT"},      {"side", "SELL"},
    {"type", "LIMIT"},          {"timeInForce", "GTC"},
    {"quantity", "0.01000000"}, {"price", "52000.00"},
    {"recvWindow", "100"},      {"timestamp", "1645423376532"},
    {"apiKey", DOC_API_KEY},    {"signature", "------ FILL ME ------"},
};
static const argo__bn_param ws_wide[] = {
    {"symbol", WIDE_SYMBOL},    {"side", "BUY"},
    {"type", "LIMIT"},          {"timeInForce", "GTC"},
    {"quantity", "1.00000000"}, {"price", "0.10000000"},
    {"recvWindow", "5000"},     {"timestamp", "1645423376532"},
    {"apiKey", DOC_API_KEY},
};

TEST(ws_payload_sorts_parameters_and_signs_like_binance) {
  argo__bn_keys *k = doc_hmac_keys();
  argo__sb p;
  argo__sb_init(&p);
  CHECK_EQ_INT(ARGO_OK, argo__bn_ws_payload(ws_ascii, ARGO_ARRAY_LEN(ws_ascii), &p));
  CHECK_STR("apiKey=" DOC_API_KEY "&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL"
            "&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
            argo__sb_str(&p));
  char sig[ARGO_BN_SIGNATURE_MAX];
  CHECK_EQ_INT(ARGO_OK, argo__bn_ws_sign(k, ws_ascii, ARGO_ARRAY_LEN(ws_ascii), sig, sizeof sig));
  CHECK_STR("aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24", sig);
  /* Values go in as they are, UTF-8 and all: no percent-encoding on the WebSocket API. */
  CHECK_EQ_INT(ARGO_OK, argo__bn_ws_payload(ws_wide, ARGO_ARRAY_LEN(ws_wide), &p));
  CHECK_CONTAINS(argo__sb_str(&p), "&symbol=" WIDE_SYMBOL "&");
  CHECK_EQ_INT(ARGO_OK, argo__bn_ws_sign(k, ws_wide, ARGO_ARRAY_LEN(ws_wide), sig, sizeof sig));
  CHECK_STR("b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd", sig);
  /* session.logon / userDataStream.subscribe.signature: apiKey, timestamp (recvWindow). */
  const argo__bn_param logon[] = {
      {"timestamp", "1649729878532"}, {"recvWindow", "5000"}, {"apiKey", "K"}};
  CHECK_EQ_INT(ARGO_OK, argo__bn_ws_payload(logon, ARGO_ARRAY_LEN(logon), &p));
  CHECK_STR("apiKey=K&recvWindow=5000&timestamp=1649729878532", argo__sb_str(&p));
  /* A parameter twice, or one without a value, is refused. */
  const argo__bn_param twice[] = {{"apiKey", "K"}, {"timestamp", "1"}, {"apiKey", "L"}};
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_ws_payload(twice, ARGO_ARRAY_LEN(twice), &p));
  CHECK_STR("", argo__sb_str(&p));
  const argo__bn_param null_value[] = {{"apiKey", NULL}};
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_ws_payload(null_value, 1, &p));
  argo__sb_free(&p);
  argo__bn_keys_free(k);
}

/* A new Ed25519 key: the private key as PEM text (malloc'ed) and the key itself. */
static char *new_ed25519_pem(EVP_PKEY **pkey_out) {
  EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  CHECK(pkey);
  BIO *bio = BIO_new(BIO_s_mem());
  CHECK(bio && PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) == 1);
  char *data;
  long n = BIO_get_mem_data(bio, &data);
  char *pem = malloc((size_t)n + 1);
  CHECK(pem);
  memcpy(pem, data, (size_t)n);
  pem[n] = '\0';
  BIO_free(bio);
  *pkey_out = pkey;
  return pem;
}

static int ed25519_verifies(EVP_PKEY *pkey, const char *payload, const char *sig_b64) {
  unsigned char raw[128];
  size_t n = strlen(sig_b64);
  if (n != 88) {
    return 0;
  }
  int len = EVP_DecodeBlock(raw, (const unsigned char *)sig_b64, (int)n);
  if (len != 66) { /* 64 bytes and two of padding */
    return 0;
  }
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
           EVP_DigestVerify(ctx, raw, 64, (const unsigned char *)payload, strlen(payload)) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

TEST(sign_ed25519_round_trip_verifies_with_the_public_key) {
  EVP_PKEY *pkey;
  char *pem = new_ed25519_pem(&pkey);
  argo__bn_keys *k = NULL;
  char err[256] = "";
  CHECK_MSG(argo__bn_keys_new_ed25519("ed-key", pem, &k, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(ARGO_BN_KEY_ED25519, argo__bn_keys_kind(k));
  const char *payload = "apiKey=ed-key&timestamp=1747385641636";
  char first[ARGO_BN_SIGNATURE_MAX], sig[ARGO_BN_SIGNATURE_MAX], again[ARGO_BN_SIGNATURE_MAX];
  CHECK_EQ_INT(ARGO_OK, argo__bn_sign(k, payload, strlen(payload), first, sizeof first));
  CHECK_EQ_INT(88, strlen(first));
  CHECK(ed25519_verifies(pkey, payload, first));
  CHECK(!ed25519_verifies(pkey, "apiKey=ed-key&timestamp=1747385641637", first));
  /* Ed25519 is deterministic: the same payload, the same signature. */
  CHECK_EQ_INT(ARGO_OK, argo__bn_sign(k, payload, strlen(payload), again, sizeof again));
  CHECK_STR(first, again);
  /* In a query string the base64 is percent-encoded, and decodes back to the signature. */
  argo__sb q;
  argo__sb_init(&q);
  argo__bn_query_add(&q, "symbol", "BTCUSDT");
  CHECK_EQ_INT(ARGO_OK, argo__bn_query_sign(k, &q));
  const char *enc = strstr(argo__sb_str(&q), "&signature=");
  CHECK(enc);
  enc += strlen("&signature=");
  CHECK(!strpbrk(enc, "+/="));
  CHECK_EQ_INT(ARGO_OK, argo__bn_sign(k, "symbol=BTCUSDT", 14, sig, sizeof sig));
  argo__sb want;
  argo__sb_init(&want);
  argo__bn_pct_encode(&want, sig);
  CHECK_STR(argo__sb_str(&want), enc);
  argo__sb_free(&want);
  argo__sb_free(&q);
  argo__bn_keys_free(k);
  /* A PEM written on one line with "\n" escapes, as environment files often hold it. */
  argo__sb one;
  argo__sb_init(&one);
  for (const char *p = pem; *p; p++) {
    if (*p == '\n') {
      argo__sb_puts(&one, "\\n");
    } else {
      argo__sb_putc(&one, *p);
    }
  }
  CHECK_MSG(argo__bn_keys_new_ed25519("ed-key", argo__sb_str(&one), &k, err, sizeof err) == ARGO_OK,
            "%s", err);
  CHECK_EQ_INT(ARGO_OK, argo__bn_sign(k, payload, strlen(payload), again, sizeof again));
  CHECK_STR(first, again); /* the same key */
  argo__bn_keys_free(k);
  argo__sb_free(&one);
  free(pem);
  EVP_PKEY_free(pkey);
}

static void unset_key_env(void) {
  unsetenv(ARGO_BN_ENV_API_KEY);
  unsetenv(ARGO_BN_ENV_API_SECRET);
  unsetenv(ARGO_BN_ENV_PRIVATE_KEY);
  unsetenv(ARGO_BN_ENV_PRIVATE_KEY_FILE);
}

/* Loads the keys from the environment expecting failure with a message containing want and
 * never the secret text; returns nothing (checks). */
static void check_env_refused(const char *want, const char *secret) {
  argo__bn_keys *k = (argo__bn_keys *)1;
  char err[512] = "";
  CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_keys_from_env(&k, err, sizeof err));
  CHECK(k == NULL);
  CHECK_CONTAINS(err, want);
  if (secret) {
    CHECK_MSG(!strstr(err, secret), "the message quotes the secret: %s", err);
  }
}

TEST(keys_from_env_name_the_variable_never_its_value) {
  unset_key_env();
  check_env_refused("ARGO_BINANCE_API_KEY is not set", NULL);
  setenv(ARGO_BN_ENV_API_KEY, "", 1);
  check_env_refused("ARGO_BINANCE_API_KEY is not set", NULL);
  setenv(ARGO_BN_ENV_API_KEY, "has space-KEY9", 1);
  check_env_refused("ARGO_BINANCE_API_KEY holds a character", "space-KEY9");
  setenv(ARGO_BN_ENV_API_KEY, "apikey-123", 1);
  check_env_refused("ARGO_BINANCE_API_SECRET is not set", NULL);
  setenv(ARGO_BN_ENV_PRIVATE_KEY, "-----BEGIN PRIVATE KEY-----\nnot-a-key-S3CRET\n", 1);
  check_env_refused("ARGO_BINANCE_PRIVATE_KEY is not an Ed25519 private key in PEM", "S3CRET");
  setenv(ARGO_BN_ENV_API_SECRET, "hmac-S3CRET", 1);
  check_env_refused("set only one of", "S3CRET");
  unsetenv(ARGO_BN_ENV_PRIVATE_KEY);

  argo__bn_keys *k = NULL;
  char err[512] = "";
  CHECK_MSG(argo__bn_keys_from_env(&k, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(ARGO_BN_KEY_HMAC, argo__bn_keys_kind(k));
  CHECK_STR("apikey-123", argo__bn_keys_api_key(k));
  argo__bn_keys_free(k);
  unsetenv(ARGO_BN_ENV_API_SECRET);

  /* A key file: its path is the variable's value, so it is not quoted either. */
  const char *dir = tu_tmpdir("bnkeys");
  char path[512];
  snprintf(path, sizeof path, "%s/missing-S3CRET.pem", dir);
  setenv(ARGO_BN_ENV_PRIVATE_KEY_FILE, path, 1);
  check_env_refused("ARGO_BINANCE_PRIVATE_KEY_FILE names a file that cannot be read", "S3CRET");
  snprintf(path, sizeof path, "%s/ed-S3CRET.pem", dir);
  EVP_PKEY *pkey;
  char *pem = new_ed25519_pem(&pkey);
  tu_write_file(path, pem);
  setenv(ARGO_BN_ENV_PRIVATE_KEY_FILE, path, 1);
  CHECK_MSG(argo__bn_keys_from_env(&k, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(ARGO_BN_KEY_ED25519, argo__bn_keys_kind(k));
  argo__bn_keys_free(k);
  tu_write_file(path, "garbage S3CRET\n");
  check_env_refused("ARGO_BINANCE_PRIVATE_KEY_FILE is not an Ed25519 private key in PEM", "S3CRET");
  unsetenv(ARGO_BN_ENV_PRIVATE_KEY_FILE);

  /* The PEM itself in the variable. */
  setenv(ARGO_BN_ENV_PRIVATE_KEY, pem, 1);
  CHECK_MSG(argo__bn_keys_from_env(&k, err, sizeof err) == ARGO_OK, "%s", err);
  CHECK_EQ_INT(ARGO_BN_KEY_ED25519, argo__bn_keys_kind(k));
  argo__bn_keys_free(k);
  unset_key_env();
  free(pem);
  EVP_PKEY_free(pkey);
  tu_rm_rf(dir);
}

/* PEM text of key, encrypted with passphrase when it is not NULL (malloc'ed). */
static char *pem_of(EVP_PKEY *key, const char *passphrase) {
  BIO *bio = BIO_new(BIO_s_mem());
  CHECK(bio);
  int ok = passphrase ? PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase,
                                                      (int)strlen(passphrase), NULL, NULL)
                      : PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
  CHECK(ok == 1);
  char *data;
  long n = BIO_get_mem_data(bio, &data);
  char *pem = malloc((size_t)n + 1);
  CHECK(pem);
  memcpy(pem, data, (size_t)n);
  pem[n] = '\0';
  BIO_free(bio);
  return pem;
}

TEST(keys_refuse_other_key_types_and_encrypted_pem_without_asking) {
  char err[256];
  argo__bn_keys *k = NULL;
  /* An EC key is a valid PEM private key, but not Ed25519. */
  EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  CHECK(ec);
  char *pem = pem_of(ec, NULL);
  CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_keys_new_ed25519("k", pem, &k, err, sizeof err));
  CHECK_STR("ARGO_BINANCE_PRIVATE_KEY is not an Ed25519 private key in PEM", err);
  CHECK(k == NULL);
  free(pem);
  EVP_PKEY_free(ec);
  /* An encrypted Ed25519 key: refused at once (no prompt for a passphrase). */
  EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
  CHECK(ed);
  pem = pem_of(ed, "passphrase");
  CHECK_CONTAINS(pem, "ENCRYPTED");
  CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_keys_new_ed25519("k", pem, &k, err, sizeof err));
  CHECK_STR("ARGO_BINANCE_PRIVATE_KEY is not an Ed25519 private key in PEM", err);
  free(pem);
  EVP_PKEY_free(ed);
  /* The public half alone is no private key. */
  CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_keys_new_ed25519(
                                 "k",
                                 "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                                 "-----END PUBLIC KEY-----\n",
                                 &k, err, sizeof err));
  CHECK_EQ_INT(ARGO_ECONFIG, argo__bn_keys_new_hmac("k", "", &k, err, sizeof err));
  CHECK_STR("ARGO_BINANCE_API_SECRET is not set", err);
  argo__bn_keys_free(NULL);
}

TEST(redact_replaces_every_key_and_secret) {
  argo__bn_keys *k = doc_hmac_keys();
  char text[512];
  snprintf(text, sizeof text,
           "GET /x?apiKey=%s&s=%s failed; key %s again" /* twice the key, once the secret */,
           DOC_API_KEY, DOC_SECRET, DOC_API_KEY);
  CHECK_EQ_INT(3, argo__bn_redact(k, text));
  CHECK_STR("GET /x?apiKey=***&s=*** failed; key *** again", text);
  CHECK_EQ_INT(0, argo__bn_redact(k, text));
  CHECK_EQ_INT(0, argo__bn_redact(NULL, text));
  argo__bn_keys_free(k);
  /* One held inside the other leaves nothing of the longer behind. */
  char err[128];
  CHECK_EQ_INT(ARGO_OK, argo__bn_keys_new_hmac("abcd", "xxabcdxx", &k, err, sizeof err));
  snprintf(text, sizeof text, "[xxabcdxx] [abcd]");
  CHECK_EQ_INT(2, argo__bn_redact(k, text));
  CHECK_STR("[***] [***]", text);
  argo__bn_keys_free(k);
  /* A value too short to be a key is left alone rather than mask every such letter. */
  CHECK_EQ_INT(ARGO_OK, argo__bn_keys_new_hmac("ab", "secret-value", &k, err, sizeof err));
  snprintf(text, sizeof text, "ab secret-value");
  CHECK_EQ_INT(1, argo__bn_redact(k, text));
  CHECK_STR("ab ***", text);
  argo__bn_keys_free(k);
}

/* ---- exchangeInfo ------------------------------------------------------------------------ */

/* Modelled on a real GET /api/v3/exchangeInfo?symbols=[...] answer: every filter Binance lists
 * for BTCUSDT, an older symbol with MIN_NOTIONAL in a BREAK, and one that is not wanted. */
static const char *exchange_info =
    "{\"timezone\":\"UTC\",\"serverTime\":1765000000000,"
    "\"rateLimits\":[{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\","
    "\"intervalNum\":1,\"limit\":6000}],\"exchangeFilters\":[],"
    "\"symbols\":["
    "{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\","
    "\"baseAssetPrecision\":8,\"quoteAsset\":\"USDT\",\"quotePrecision\":8,"
    "\"quoteAssetPrecision\":8,\"baseCommissionPrecision\":8,\"quoteCommissionPrecision\":8,"
    "\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\",\"MARKET\",\"STOP_LOSS_LIMIT\","
    "\"TAKE_PROFIT_LIMIT\"],\"icebergAllowed\":true,\"ocoAllowed\":true,"
    "\"quoteOrderQtyMarketAllowed\":true,\"allowTrailingStop\":true,"
    "\"isSpotTradingAllowed\":true,\"isMarginTradingAllowed\":true,"
    "\"filters\":["
    "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\","
    "\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"0.01000000\"},"
    "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\",\"maxQty\":\"9000.00000000\","
    "\"stepSize\":\"0.00001000\"},"
    "{\"filterType\":\"ICEBERG_PARTS\",\"limit\":10},"
    "{\"filterType\":\"MARKET_LOT_SIZE\",\"minQty\":\"0.00000000\",\"maxQty\":\"100.00000000\","
    "\"stepSize\":\"0.00000000\"},"
    "{\"filterType\":\"TRAILING_DELTA\",\"minTrailingAboveDelta\":10,"
    "\"maxTrailingAboveDelta\":2000,\"minTrailingBelowDelta\":10,"
    "\"maxTrailingBelowDelta\":2000},"
    "{\"filterType\":\"PERCENT_PRICE_BY_SIDE\",\"bidMultiplierUp\":\"5\","
    "\"bidMultiplierDown\":\"0.2\",\"askMultiplierUp\":\"5\",\"askMultiplierDown\":\"0.2\","
    "\"avgPriceMins\":5},"
    "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\",\"applyMinToMarket\":true,"
    "\"maxNotional\":\"9000000.00000000\",\"applyMaxToMarket\":false,\"avgPriceMins\":5},"
    "{\"filterType\":\"MAX_NUM_ORDERS\",\"maxNumOrders\":200},"
    "{\"filterType\":\"MAX_NUM_ALGO_ORDERS\",\"maxNumAlgoOrders\":5}],"
    "\"permissions\":[],\"permissionSets\":[[\"SPOT\",\"MARGIN\"]],"
    "\"defaultSelfTradePreventionMode\":\"EXPIRE_MAKER\","
    "\"allowedSelfTradePreventionModes\":[\"EXPIRE_TAKER\",\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]},"
    "{\"symbol\":\"ETHUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"ETH\","
    "\"quoteAsset\":\"USDT\",\"orderTypes\":[\"LIMIT\",\"MARKET\"],\"filters\":[]},"
    "{\"symbol\":\"ETHBTC\",\"status\":\"BREAK\",\"baseAsset\":\"ETH\","
    "\"baseAssetPrecision\":8,\"quoteAsset\":\"BTC\",\"quoteAssetPrecision\":6,"
    "\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\"],"
    "\"filters\":["
    "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.00001000\",\"maxPrice\":\"922327\","
    "\"tickSize\":\"0.00001000\"},"
    "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00010000\",\"maxQty\":\"100000.00000000\","
    "\"stepSize\":\"0.00010000\"},"
    "{\"filterType\":\"MIN_NOTIONAL\",\"minNotional\":\"0.00010000\",\"applyToMarket\":false,"
    "\"avgPriceMins\":5}]}]}";

TEST(exchange_info_parses_the_wanted_symbols) {
  const char *wanted[] = {"btcusdt", "ETHBTC"};
  argo__bn_symbol s[2];
  char err[256] = "";
  CHECK_MSG(argo__bn_parse_exchange_info(exchange_info, strlen(exchange_info), wanted, 2, s, err,
                                         sizeof err) == ARGO_OK,
            "%s", err);
  const argo__bn_symbol *b = &s[0], *e = &s[1];
  CHECK_STR("BTCUSDT", b->name);
  CHECK_STR("BTC", b->base);
  CHECK_STR("USDT", b->quote);
  CHECK_STR("TRADING", b->status);
  CHECK_EQ_INT(1, b->trading);
  CHECK_EQ_INT(1, b->market_allowed);
  CHECK_EQ_INT(1, b->limit_allowed);
  CHECK_EQ_INT(8, b->base_precision);
  CHECK_EQ_INT(8, b->quote_precision);
  CHECK_NEAR(0.01, b->price.min_price, 0);
  CHECK_NEAR(1000000, b->price.max_price, 0);
  CHECK_NEAR(0.01, b->price.tick_size, 0);
  CHECK_EQ_INT(1, b->lot.present);
  CHECK_NEAR(0.00001, b->lot.min_qty, 0);
  CHECK_NEAR(9000, b->lot.max_qty, 0);
  CHECK_NEAR(0.00001, b->lot.step_size, 0);
  CHECK_EQ_INT(1, b->market_lot.present);
  CHECK_NEAR(0, b->market_lot.min_qty, 0);
  CHECK_NEAR(100, b->market_lot.max_qty, 0);
  CHECK_NEAR(0, b->market_lot.step_size, 0);
  CHECK_EQ_INT(0, b->min_notional.present);
  CHECK_EQ_INT(1, b->notional.present);
  CHECK_NEAR(5, b->notional.min_notional, 0);
  CHECK_NEAR(9000000, b->notional.max_notional, 0);
  CHECK_EQ_INT(1, b->notional.apply_min_to_market);
  CHECK_EQ_INT(0, b->notional.apply_max_to_market);
  CHECK_EQ_INT(5, b->notional.avg_price_mins);

  CHECK_STR("ETHBTC", e->name);
  CHECK_STR("BREAK", e->status);
  CHECK_EQ_INT(0, e->trading);
  CHECK_EQ_INT(0, e->market_allowed);
  CHECK_EQ_INT(1, e->limit_allowed);
  CHECK_EQ_INT(6, e->quote_precision);
  CHECK_EQ_INT(0, e->market_lot.present);
  CHECK_EQ_INT(0, e->notional.present);
  CHECK_EQ_INT(1, e->min_notional.present);
  CHECK_NEAR(0.0001, e->min_notional.min_notional, 0);
  CHECK_EQ_INT(0, e->min_notional.apply_to_market);
  CHECK_EQ_INT(5, e->min_notional.avg_price_mins);
}

/* Parses doc for wanted and expects failure with exactly want. */
static void check_info_refused(const char *doc, const char *wanted, const char *want) {
  argo__bn_symbol s;
  memset(&s, 0x55, sizeof s);
  char err[256] = "";
  CHECK_EQ_INT(ARGO_EBROKER,
               argo__bn_parse_exchange_info(doc, strlen(doc), &wanted, 1, &s, err, sizeof err));
  CHECK_STR(want, err);
  CHECK_STR("", s.name); /* zeroed */
}

#define SYM_HEAD                                                                                   \
  "{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\",\"baseAsset\":\"BTC\","            \
  "\"quoteAsset\":\"USDT\",\"orderTypes\":[\"LIMIT\",\"MARKET\"],\"filters\":["
#define PRICE_OK                                                                                   \
  "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01\",\"maxPrice\":\"0\",\"tickSize\":\"0."    \
  "01\"}"
#define LOT_OK                                                                                     \
  "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.001\",\"maxQty\":\"10\",\"stepSize\":\"0.001\"}"

TEST(exchange_info_errors_name_the_symbol_and_filter) {
  const char *w = "BTCUSDT";
  argo__bn_symbol s;
  char err[256] = "";
  CHECK_EQ_INT(ARGO_EBROKER,
               argo__bn_parse_exchange_info("{\"symbols\":", 11, &w, 1, &s, err, sizeof err));
  CHECK_CONTAINS(err, "exchangeInfo is not JSON: ");
  check_info_refused("{\"serverTime\":1}", "BTCUSDT", "exchangeInfo has no symbols array");
  check_info_refused(exchange_info, "XRPUSDT", "exchangeInfo has no symbol XRPUSDT");
  check_info_refused(SYM_HEAD PRICE_OK "]}]}", "BTCUSDT", "exchangeInfo: BTCUSDT has no LOT_SIZE");
  check_info_refused(SYM_HEAD LOT_OK "]}]}", "BTCUSDT",
                     "exchangeInfo: BTCUSDT has no PRICE_FILTER");
  check_info_refused(SYM_HEAD PRICE_OK ",{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.001\","
                                       "\"maxQty\":\"10\",\"stepSize\":\"abc\"}]}]}",
                     "btcusdt", "exchangeInfo: BTCUSDT's LOT_SIZE has no valid stepSize");
  check_info_refused(SYM_HEAD PRICE_OK ",{\"filterType\":\"LOT_SIZE\",\"minQty\":\"-1\","
                                       "\"maxQty\":\"10\",\"stepSize\":\"0.001\"}]}]}",
                     "BTCUSDT", "exchangeInfo: BTCUSDT's LOT_SIZE has no valid minQty");
  /* A step of more than 16 decimals could not be written exactly. */
  check_info_refused(SYM_HEAD LOT_OK ",{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0\","
                                     "\"maxPrice\":\"0\",\"tickSize\":\"1e-17\"}]}]}",
                     "BTCUSDT", "exchangeInfo: BTCUSDT's PRICE_FILTER has no valid tickSize");
  check_info_refused(SYM_HEAD PRICE_OK "," LOT_OK ",{\"filterType\":\"NOTIONAL\","
                                       "\"minNotional\":\"5\","
                                       "\"applyMinToMarket\":\"yes\"}]}]}",
                     "BTCUSDT", "exchangeInfo: BTCUSDT's NOTIONAL has no valid applyMinToMarket");
  check_info_refused("{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\","
                     "\"quoteAsset\":\"USDT\",\"orderTypes\":[],\"filters\":[]}]}",
                     "BTCUSDT", "exchangeInfo: BTCUSDT has no valid baseAsset");
  check_info_refused("{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\","
                     "\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\",\"filters\":[]}]}",
                     "BTCUSDT", "exchangeInfo: BTCUSDT has no valid orderTypes");
  /* A JSON number serves as well as the exchange's decimal strings. */
  const char *doc = SYM_HEAD PRICE_OK ",{\"filterType\":\"LOT_SIZE\",\"minQty\":0.001,"
                                      "\"maxQty\":10,\"stepSize\":0.001}]}]}";
  CHECK_MSG(argo__bn_parse_exchange_info(doc, strlen(doc), &w, 1, &s, err, sizeof err) == ARGO_OK,
            "%s", err);
  CHECK_NEAR(0.001, s.lot.step_size, 0);
  CHECK_EQ_INT(8, s.base_precision); /* absent: Binance's usual 8 */
}

/* ---- rounding and checks ----------------------------------------------------------------- */

static argo__bn_symbol test_symbol(const char *which) {
  const char *wanted[] = {which};
  argo__bn_symbol s;
  char err[256] = "";
  CHECK_MSG(argo__bn_parse_exchange_info(exchange_info, strlen(exchange_info), wanted, 1, &s, err,
                                         sizeof err) == ARGO_OK,
            "%s", err);
  return s;
}

typedef struct order_case {
  argo__bn_side side;
  argo__bn_type type;
  double qty, price, ref;
  const char *want_qty;   /* NULL: refused */
  const char *want_price; /* "" for MARKET */
  const char *want_why;   /* the reason when refused */
} order_case;

static void run_cases(const argo__bn_symbol *s, const order_case *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    argo__bn_order o;
    char why[256] = "?";
    argo_err rc = argo__bn_check_order(s, c[i].side, c[i].type, c[i].qty, c[i].price, c[i].ref, &o,
                                       why, sizeof why);
    if (c[i].want_qty) {
      CHECK_MSG(rc == ARGO_OK, "case %zu: refused: %s", i, why);
      CHECK_STR(c[i].want_qty, o.quantity_text);
      CHECK_STR(c[i].want_price, o.price_text);
      CHECK_STR("", why);
      double q = strtod(o.quantity_text, NULL);
      CHECK_MSG(o.quantity == q, "case %zu: quantity %.17g is not the text's %.17g", i, o.quantity,
                q);
    } else {
      CHECK_MSG(rc == ARGO_EINVAL, "case %zu: accepted (%s @ %s)", i, o.quantity_text,
                o.price_text);
      CHECK_STR(c[i].want_why, why);
      CHECK_STR("", o.quantity_text);
    }
  }
}

TEST(check_order_rounds_quantity_down_and_price_to_the_safe_side) {
  argo__bn_symbol s = test_symbol("BTCUSDT");
  const order_case cases[] = {
      /* LIMIT: quantity down; a BUY price down, a SELL price up. */
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.0012345, 65000.129, 0, "0.00123", "65000.12", NULL},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.0012399, 65000.121, 0, "0.00123", "65000.13", NULL},
      /* Already on the grid: unchanged, whichever side. */
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.001, 65000.1, 0, "0.001", "65000.1", NULL},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.001, 65000.1, 0, "0.001", "65000.1", NULL},
      /* MARKET: the quantity only; MARKET_LOT_SIZE's step 0 leaves LOT_SIZE's. */
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.0012345, 0, 65000, "0.00123", "", NULL},
      {ARGO_BN_SELL, ARGO_BN_MARKET, 0.5, 123, 65000, "0.5", "", NULL},
      /* No reference price: the exchange checks the notional itself. */
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.00001, 0, 0, "0.00001", "", NULL},
      /* maxNotional does not apply to MARKET here (applyMaxToMarket false). */
      {ARGO_BN_BUY, ARGO_BN_MARKET, 99, 0, 100000, "99", "", NULL},
  };
  run_cases(&s, cases, ARGO_ARRAY_LEN(cases));
}

TEST(check_order_names_the_filter_and_the_numbers) {
  argo__bn_symbol s = test_symbol("BTCUSDT");
  const order_case cases[] = {
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.000001, 0, 65000, NULL, NULL,
       "LOT_SIZE: quantity 0.000001 rounds to 0 (stepSize 0.00001, minQty 0.00001)"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 9001, 1, 0, NULL, NULL,
       "LOT_SIZE: quantity 9001 is above maxQty 9000"},
      {ARGO_BN_SELL, ARGO_BN_MARKET, 150.000004, 0, 1, NULL, NULL,
       "MARKET_LOT_SIZE: quantity 150.000004 rounded to 150 is above maxQty 100"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.001, 0.001, 0, NULL, NULL,
       "PRICE_FILTER: price 0.001 rounds to 0 (tickSize 0.01)"},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.001, 2000000.001, 0, NULL, NULL,
       "PRICE_FILTER: price 2000000.001 rounded to 2000000.01 is above maxPrice 1000000"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.00005, 65000, 0, NULL, NULL,
       "NOTIONAL: notional 3.25 (quantity 0.00005 x price 65000) is below minNotional 5"},
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.000059, 0, 65000, NULL, NULL,
       "NOTIONAL: notional 3.25 (quantity 0.00005 x reference price 65000) is below "
       "minNotional 5"},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 200, 65000, 0, NULL, NULL,
       "NOTIONAL: notional 13000000 (quantity 200 x price 65000) is above maxNotional 9000000"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, -1, 65000, 0, NULL, NULL,
       "quantity -1 is not a positive number"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, NAN, 65000, 0, NULL, NULL,
       "quantity nan is not a positive number"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 1, 0, 0, NULL, NULL, "limit price 0 is not a positive number"},
  };
  run_cases(&s, cases, ARGO_ARRAY_LEN(cases));

  /* minQty above the step, and minPrice above the tick. */
  s.lot.min_qty = 0.0001;
  s.price.min_price = 1;
  const order_case mins[] = {
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.00005, 70000, 0, NULL, NULL,
       "LOT_SIZE: quantity 0.00005 is below minQty 0.0001"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.000099, 70000, 0, NULL, NULL,
       "LOT_SIZE: quantity 0.000099 rounded to 0.00009 is below minQty 0.0001"},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 10, 0.5, 0, NULL, NULL,
       "PRICE_FILTER: price 0.5 is below minPrice 1"},
      /* The minimum itself passes. */
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.0001, 70000, 0, "0.0001", "70000", NULL},
  };
  run_cases(&s, mins, ARGO_ARRAY_LEN(mins));
}

TEST(check_order_applies_min_notional_and_the_symbol_rules) {
  argo__bn_symbol e = test_symbol("ETHBTC");
  const order_case closed[] = {
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 1, 0.05, 0, NULL, NULL, "ETHBTC is not trading (status BREAK)"},
  };
  run_cases(&e, closed, ARGO_ARRAY_LEN(closed));
  e.trading = 1;
  const order_case cases[] = {
      {ARGO_BN_BUY, ARGO_BN_MARKET, 1, 0, 0.05, NULL, NULL, "ETHBTC does not take MARKET orders"},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.001, 0.05, 0, NULL, NULL,
       "MIN_NOTIONAL: notional 0.00005 (quantity 0.001 x price 0.05) is below minNotional 0.0001"},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.0021, 0.048761, 0, "0.0021", "0.04877", NULL},
  };
  run_cases(&e, cases, ARGO_ARRAY_LEN(cases));
  /* applyToMarket false: a small MARKET order passes here (if the type were allowed). */
  e.market_allowed = 1;
  const order_case market[] = {
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.001, 0, 0.05, "0.001", "", NULL},
  };
  run_cases(&e, market, ARGO_ARRAY_LEN(market));
  e.min_notional.apply_to_market = 1;
  const order_case applied[] = {
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.001, 0, 0.05, NULL, NULL,
       "MIN_NOTIONAL: notional 0.00005 (quantity 0.001 x reference price 0.05) is below "
       "minNotional 0.0001"},
  };
  run_cases(&e, applied, ARGO_ARRAY_LEN(applied));
  argo__bn_symbol b = test_symbol("BTCUSDT");
  b.limit_allowed = 0;
  const order_case nolimit[] = {
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 1, 1, 0, NULL, NULL, "BTCUSDT does not take LIMIT orders"},
  };
  run_cases(&b, nolimit, ARGO_ARRAY_LEN(nolimit));
}

TEST(check_order_uses_the_market_lot_step_for_market_orders) {
  argo__bn_symbol s = test_symbol("BTCUSDT");
  s.market_lot.step_size = 0.001;
  s.market_lot.min_qty = 0.001;
  const order_case cases[] = {
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.0129, 0, 65000, "0.012", "", NULL},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.0129, 65000, 0, "0.0129", "65000", NULL},
      {ARGO_BN_BUY, ARGO_BN_MARKET, 0.0009, 0, 65000, NULL, NULL,
       "MARKET_LOT_SIZE: quantity 0.0009 rounds to 0 (stepSize 0.001, minQty 0.001)"},
  };
  run_cases(&s, cases, ARGO_ARRAY_LEN(cases));
}

TEST(rounding_keeps_decimal_values_on_their_step) {
  argo__bn_symbol s = test_symbol("BTCUSDT");
  s.lot.step_size = 0.1;
  s.lot.min_qty = 0.1;
  s.notional.present = 0;
  const order_case cases[] = {
      /* 0.3 / 0.1 is 2.9999999999999996 in binary: still 3 steps. */
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.3, 0.3, 0, "0.3", "0.3", NULL},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.1 + 0.2, 0.1 + 0.2, 0, "0.3", "0.3", NULL},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.7 - 0.4, 0.7 - 0.4, 0, "0.3", "0.3", NULL},
      {ARGO_BN_SELL, ARGO_BN_MARKET, 2.3, 0, 1, "2.3", "", NULL},
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.39999, 0.069999, 0, "0.3", "0.06", NULL},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.39999, 0.060001, 0, "0.3", "0.07", NULL},
  };
  run_cases(&s, cases, ARGO_ARRAY_LEN(cases));
  /* Never more than asked, never a whole step less; a BUY price never above the asked price,
   * a SELL price never below. Over a spread of values and steps. */
  const double steps[] = {1e-8, 1e-5, 0.001, 0.01, 0.1, 0.25, 1, 5, 100};
  unsigned seed = 12345;
  for (size_t i = 0; i < ARGO_ARRAY_LEN(steps); i++) {
    double step = steps[i];
    for (int j = 0; j < 2000; j++) {
      seed = seed * 1103515245u + 12345u;
      double v = (double)(seed % 1000000u) / 1000.0 * step * (1 + (double)(seed % 7u) / 3);
      double d = argo__bn_round_down(v, step), u = argo__bn_round_up(v, step);
      CHECK_MSG(d <= v * (1 + 1e-12) && v - d < step * (1 + 1e-9), "round_down(%.17g, %g) = %.17g",
                v, step, d);
      CHECK_MSG(u >= v * (1 - 1e-12) && u - v < step * (1 + 1e-9), "round_up(%.17g, %g) = %.17g", v,
                step, u);
      char text[ARGO_BN_DECIMAL_MAX];
      CHECK_EQ_INT(ARGO_OK, argo__bn_fmt_decimal(d, step, text, sizeof text));
      CHECK_MSG(strtod(text, NULL) == d, "%s != %.17g (step %g)", text, d, step);
    }
  }
  /* A filter without a step leaves Binance's precision of 8 decimals. */
  s.lot.step_size = 0;
  s.lot.min_qty = 0;
  s.price.tick_size = 0;
  const order_case no_step[] = {
      {ARGO_BN_BUY, ARGO_BN_LIMIT, 0.123456789, 0.123456789, 0, "0.12345678", "0.12345678", NULL},
      {ARGO_BN_SELL, ARGO_BN_LIMIT, 0.123456789, 0.123456781, 0, "0.12345678", "0.12345679", NULL},
      {ARGO_BN_SELL, ARGO_BN_MARKET, 0.000000009, 0, 1, NULL, NULL,
       "LOT_SIZE: quantity 0.000000009 rounds to 0 (stepSize 0.00000001, minQty 0)"},
  };
  run_cases(&s, no_step, ARGO_ARRAY_LEN(no_step));
  /* A step that is not positive leaves the value alone. */
  CHECK_NEAR(0.123456789, argo__bn_round_down(0.123456789, 0), 0);
  CHECK_NEAR(0.123456789, argo__bn_round_up(0.123456789, -1), 0);
}

/* argo__bn_fmt_decimal into a static buffer, checking that it succeeds. */
static const char *fmt(double v, double step) {
  static char buf[ARGO_BN_DECIMAL_MAX];
  argo_err rc = argo__bn_fmt_decimal(v, step, buf, sizeof buf);
  CHECK_MSG(rc == ARGO_OK, "fmt(%.17g, %g) failed", v, step);
  return buf;
}

TEST(fmt_decimal_writes_exact_plain_decimals) {
  CHECK_STR("0.3", fmt(0.1 + 0.2, 0.01));
  CHECK_STR("0.3", fmt(0.30000000000000004, 0.1));
  CHECK_STR("0.00000001", fmt(1e-8, 1e-8));
  CHECK_STR("0.00000001", fmt(1e-8, 0)); /* no step: Binance's 8 decimals */
  CHECK_STR("0.12345679", fmt(0.123456789, 0));
  CHECK_STR("12345.678", fmt(12345.678, 0.001));
  CHECK_STR("65000", fmt(65000, 0.01));
  CHECK_STR("65000.1", fmt(65000.1, 0.00000001));
  CHECK_STR("0", fmt(0, 0.01));
  CHECK_STR("0", fmt(1e-9, 1e-8));
  CHECK_STR("0.12", fmt(0.123, 0.01)); /* the nearest multiple of the step */
  CHECK_STR("1.75", fmt(1.75, 0.25));
  CHECK_STR("1.5", fmt(1.6, 0.5));
  CHECK_STR("100", fmt(104, 10));
  CHECK_STR("3", fmt(3, 1));
  CHECK_STR("90000000000", fmt(9e10, 1));
  CHECK_STR("0.0000000000000001", fmt(1e-16, 1e-16));
  char buf[8];
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(NAN, 0.01, buf, sizeof buf));
  CHECK_STR("", buf);
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(INFINITY, 0.01, buf, sizeof buf));
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(-1, 0.01, buf, sizeof buf));
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(1, 1.0 / 3, buf, sizeof buf));
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(1e20, 1e-8, buf, sizeof buf));
  CHECK_EQ_INT(ARGO_EINVAL, argo__bn_fmt_decimal(12345.678, 0.001, buf, sizeof buf));
  CHECK_STR("", buf);
  CHECK_EQ_INT(ARGO_OK, argo__bn_fmt_decimal(1234.5, 0.1, buf, sizeof buf));
  CHECK_STR("1234.5", buf);
}

/* ---- error codes ------------------------------------------------------------------------- */

TEST(error_classes_follow_the_documented_codes) {
  const struct {
    int code;
    const char *msg;
    argo__bn_err_class want;
  } cases[] = {
      {-1021, "Timestamp for this request is outside of the recvWindow.", ARGO_BN_ERR_RESYNC_CLOCK},
      {-1003, "Too much request weight used", ARGO_BN_ERR_BACKOFF},
      {-1015, "Too many new orders.", ARGO_BN_ERR_BACKOFF},
      {-1006, NULL, ARGO_BN_ERR_UNKNOWN_OUTCOME},
      {-1007, "Timeout waiting for response from backend server.", ARGO_BN_ERR_UNKNOWN_OUTCOME},
      {-1000, NULL, ARGO_BN_ERR_UNKNOWN_OUTCOME},
      {-1022, "Signature for this request is not valid.", ARGO_BN_ERR_AUTH},
      {-2014, "API-key format invalid.", ARGO_BN_ERR_AUTH},
      {-2015, "Invalid API-key, IP, or permissions for action.", ARGO_BN_ERR_AUTH},
      {-2013, "Order does not exist.", ARGO_BN_ERR_NOT_FOUND},
      {-2011, "Unknown order sent.", ARGO_BN_ERR_NOT_FOUND},
      {-2011, "Order was not canceled due to cancel restrictions.", ARGO_BN_ERR_REJECT},
      {-2010, "Account has insufficient balance for requested action.", ARGO_BN_ERR_REJECT},
      {-2010, "Duplicate order sent.", ARGO_BN_ERR_REJECT},
      {-2010, "This account may not place or cancel orders.", ARGO_BN_ERR_AUTH},
      {-2010, "Rest API trading is not enabled.", ARGO_BN_ERR_AUTH},
      {-2010, NULL, ARGO_BN_ERR_REJECT},
      {-1013, "Filter failure: LOT_SIZE", ARGO_BN_ERR_REJECT},
      {-1100, NULL, ARGO_BN_ERR_REJECT},
      {-1111, "Parameter 'quantity' has too much precision.", ARGO_BN_ERR_REJECT},
      {-1145, NULL, ARGO_BN_ERR_REJECT},
      {-9999, "something new", ARGO_BN_ERR_REJECT},
  };
  for (size_t i = 0; i < ARGO_ARRAY_LEN(cases); i++) {
    argo__bn_err_class got = argo__bn_error_class(cases[i].code, cases[i].msg);
    CHECK_MSG(got == cases[i].want, "%d \"%s\": expected %s, got %s", cases[i].code,
              cases[i].msg ? cases[i].msg : "(null)", argo__bn_error_class_name(cases[i].want),
              argo__bn_error_class_name(got));
  }
  CHECK_STR("UNKNOWN_OUTCOME", argo__bn_error_class_name(ARGO_BN_ERR_UNKNOWN_OUTCOME));
  CHECK_STR("NOT_FOUND", argo__bn_error_class_name(ARGO_BN_ERR_NOT_FOUND));
  /* The table: in order of code, each once, every entry named and explained. */
  size_t n;
  const argo__bn_error *t = argo__bn_error_table(&n);
  CHECK(n >= 50);
  for (size_t i = 0; i < n; i++) {
    CHECK_MSG(t[i].name && *t[i].name && t[i].meaning && *t[i].meaning, "entry %d", t[i].code);
    CHECK_MSG(i == 0 || t[i].code < t[i - 1].code, "%d after %d", t[i].code, t[i - 1].code);
    CHECK(argo__bn_error_find(t[i].code) == &t[i]);
  }
  CHECK_STR("NEW_ORDER_REJECTED", argo__bn_error_find(-2010)->name);
  CHECK(argo__bn_error_find(-9999) == NULL);
}

TEST(error_reason_always_carries_the_code) {
  char buf[256];
  CHECK_STR("binance -2010: Account has insufficient balance for requested action.",
            argo__bn_error_reason(-2010, "Account has insufficient balance for requested action.",
                                  buf, sizeof buf));
  CHECK_STR("binance -1021: the timestamp is outside recvWindow or ahead of the server",
            argo__bn_error_reason(-1021, NULL, buf, sizeof buf));
  CHECK_STR("binance -2013: the order does not exist",
            argo__bn_error_reason(-2013, "", buf, sizeof buf));
  CHECK_STR("binance -9999: undocumented error",
            argo__bn_error_reason(-9999, NULL, buf, sizeof buf));
  /* Outside text on one line, as valid UTF-8. */
  CHECK_STR("binance -1013: Filter failure:  LOT_SIZE ?",
            argo__bn_error_reason(-1013, "Filter failure:\r\nLOT_SIZE \xff", buf, sizeof buf));
  /* A short buffer keeps the code and cuts no character in two. */
  char small[19];
  argo__bn_error_reason(-2010, "\xC3\xA9\xC3\xA9\xC3\xA9", small, sizeof small);
  CHECK_STR("binance -2010: \xC3\xA9", small);
}

int main(int argc, char **argv) {
  test_init(argc, argv);
  RUN(sign_hmac_matches_binance_rest_example);
  RUN(sign_hmac_percent_encodes_non_ascii_before_signing);
  RUN(pct_encode_keeps_unreserved_characters_only);
  RUN(ws_payload_sorts_parameters_and_signs_like_binance);
  RUN(sign_ed25519_round_trip_verifies_with_the_public_key);
  RUN(keys_from_env_name_the_variable_never_its_value);
  RUN(keys_refuse_other_key_types_and_encrypted_pem_without_asking);
  RUN(redact_replaces_every_key_and_secret);
  RUN(exchange_info_parses_the_wanted_symbols);
  RUN(exchange_info_errors_name_the_symbol_and_filter);
  RUN(check_order_rounds_quantity_down_and_price_to_the_safe_side);
  RUN(check_order_names_the_filter_and_the_numbers);
  RUN(check_order_applies_min_notional_and_the_symbol_rules);
  RUN(check_order_uses_the_market_lot_step_for_market_orders);
  RUN(rounding_keeps_decimal_values_on_their_step);
  RUN(fmt_decimal_writes_exact_plain_decimals);
  RUN(error_classes_follow_the_documented_codes);
  RUN(error_reason_always_carries_the_code);
  return test_summary();
}
