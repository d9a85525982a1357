/*
 * Splitting a SQL script into its statements (see sqlsplit.c).
 */
#ifndef ARGO_SQLSPLIT_H
#define ARGO_SQLSPLIT_H

#include <stddef.h>

/* A statement of a script: its offset and length in the text. */
typedef struct argo__sqlsplit_span {
  size_t start, len;
} argo__sqlsplit_span;

/* The text of the statements of sql: *res (n entries, malloc'ed) gives each statement without
 * its ';', statements of only blanks and comments left out. The lexical rules
 * are the SQL ones DuckDB follows: '...' strings with '' inside, E'...' strings with backslash
 * escapes, "..." identifiers, $tag$...$tag$ strings, -- and (nested) block comments. It only
 * serves to find the last statement's text (see argo_query_run), and is trusted only when it
 * finds as many statements as DuckDB's own parser. Returns the count, or -1 out of memory. */
long argo__sqlsplit_statements(const char *sql, argo__sqlsplit_span **res);

#endif
