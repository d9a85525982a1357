/*
 * Splitting a SQL script into its statements, with the lexical rules DuckDB follows (strings,
 * E'' strings, quoted identifiers, dollar quotes, line and nested block comments), so that
 * argo_query_run knows the text of the last statement (see sqlsplit.h).
 *
 * It owns nothing and reads only the text: it must not depend on DuckDB or on the query
 * module. Depends on the util helpers only.
 */
#include "inspect/sqlsplit.h"

#include <string.h>

#include "util/util.h"

/* Length of the dollar-quote tag opening at s ("$$", "$tag$"), or 0 when s does not open one
 * ("$1" is a parameter). */
static size_t dollar_tag(const char *s) {
  size_t i = 1;
  if (s[i] >= '0' && s[i] <= '9') {
    return 0;
  }
  while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
         (i > 1 && s[i] >= '0' && s[i] <= '9')) {
    i++;
  }
  return s[i] == '$' ? i + 1 : 0;
}

static int ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

long argo__sqlsplit_statements(const char *sql, argo__sqlsplit_span **res) {
  size_t cap = 0;
  long n = 0;
  *res = NULL;
  size_t begin = 0, i = 0;
  int content = 0; /* the statement so far holds more than blanks and comments */
  for (;;) {
    char c = sql[i];
    if (c == '\0' || c == ';') {
      if (content) {
        if (argo__grow((void **)res, &cap, (size_t)n + 1, sizeof **res) != 0) {
          return -1;
        }
        (*res)[n].start = begin;
        (*res)[n].len = i - begin;
        n++;
      }
      if (c == '\0') {
        return n;
      }
      begin = ++i;
      content = 0;
      continue;
    }
    if (c == '-' && sql[i + 1] == '-') {
      while (sql[i] && sql[i] != '\n') {
        i++;
      }
      continue;
    }
    if (c == '/' && sql[i + 1] == '*') {
      int depth = 0;
      do {
        if (sql[i] == '/' && sql[i + 1] == '*') {
          depth++;
          i += 2;
        } else if (sql[i] == '*' && sql[i + 1] == '/') {
          depth--;
          i += 2;
        } else {
          i++;
        }
      } while (sql[i] && depth > 0);
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      i++;
      continue;
    }
    content = 1;
    if (c == '\'' || c == '"') {
      int backslash = c == '\'' && i > 0 && (sql[i - 1] == 'e' || sql[i - 1] == 'E') &&
                      (i < 2 || !ident_char(sql[i - 2]));
      i++;
      while (sql[i]) {
        if (backslash && sql[i] == '\\' && sql[i + 1]) {
          i += 2;
        } else if (sql[i] == c && sql[i + 1] == c) {
          i += 2;
        } else if (sql[i] == c) {
          i++;
          break;
        } else {
          i++;
        }
      }
      continue;
    }
    if (c == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      size_t tl = dollar_tag(sql + i);
      if (tl) {
        const char *close = NULL;
        size_t j = i + tl;
        while (sql[j]) {
          if (sql[j] == '$' && strncmp(sql + j, sql + i, tl) == 0) {
            close = sql + j;
            break;
          }
          j++;
        }
        i = close ? (size_t)(close - sql) + tl : j;
        continue;
      }
    }
    i++;
  }
}
