/* Writing the empty files; see empty_parquet.h (the bytes are in the generated source). */
#include "persist/empty_parquet.h"

#include <stdio.h>

#include "util/fsx.h"

argo_err argo__empty_parquet_write(argo__table_id t, const char *dir, char *err, size_t errlen) {
  char path[ARGO_PATH_MAX + 64];
  size_t len;
  const unsigned char *bytes = argo__empty_parquet(t, &len);
  if (argo__path(path, sizeof path, err, errlen, "%s/%s", dir, argo__schema(t)->file) != 0) {
    return ARGO_EINVAL;
  }
  return argo__fs_write_replace(path, bytes, len, err, errlen) ? ARGO_EIO : ARGO_OK;
}
