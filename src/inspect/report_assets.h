/*
 * The report page's CSS and JavaScript: real files in src/inspect/report/ (report.css, the
 * charts and tables in report.js, and onerror.js, which runs first and counts script errors),
 * embedded in the library at build time by tools/embed.cmake into a generated source in the
 * build folder. Each array holds the file's bytes followed by a NUL; _len counts the bytes.
 */
#ifndef ARGO_REPORT_ASSETS_H
#define ARGO_REPORT_ASSETS_H

#include <stddef.h>

extern const unsigned char argo__report_css[];
extern const size_t argo__report_css_len;
extern const unsigned char argo__report_js[];
extern const size_t argo__report_js_len;
extern const unsigned char argo__report_onerror_js[];
extern const size_t argo__report_onerror_js_len;

#endif
