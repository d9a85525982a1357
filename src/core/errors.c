/* Error texts, version and status names of the public API, and the masking of secrets in the
 * URLs of a message (util/mask.c). */
#include <argo/argo.h>

#include "util/mask.h"

const char *argo_strerror(argo_err err) {
  switch (err) {
#define ARGO_ERR_TEXT_(name, value, text)                                                          \
  case ARGO_##name:                                                                                \
    return text;
    ARGO_ERROR_LIST(ARGO_ERR_TEXT_)
#undef ARGO_ERR_TEXT_
  }
  return "unknown error";
}

const char *argo_version(void) {
  return ARGO_VERSION_STRING;
}

int argo_version_number(void) {
  return ARGO_VERSION_NUMBER;
}

const char *argo_status_name(argo_engine_status status) {
  switch (status) {
  case ARGO_STATUS_PREFETCHING:
    return "prefetching";
  case ARGO_STATUS_GAP_FILLING:
    return "gap_filling";
  case ARGO_STATUS_RUNNING:
    return "running";
  case ARGO_STATUS_STOPPING:
    return "stopping";
  case ARGO_STATUS_STOPPED:
    return "stopped";
  }
  return "unknown";
}

char *argo_mask_urls(const char *text, char *out, size_t cap) {
  return argo__mask_urls(text, out, cap);
}
