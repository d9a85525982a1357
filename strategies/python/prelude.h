/*
 * prelude.py built into the Python host (tools/embed.cmake writes the array at build time).
 */
#ifndef ARGO_PY_PRELUDE_H
#define ARGO_PY_PRELUDE_H

#include <stddef.h>

extern const unsigned char argo__py_prelude[];
extern const size_t argo__py_prelude_len;

#endif
