/* Error texts, version and status names of the public API. */
#include <argo/argo.h>

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
