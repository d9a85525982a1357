/* Test plugin: claims an ABI version this argo does not support. */
#include <stddef.h>

#include "strategy.h"

static const argo_strategy def = {
    .abi_version = 999,
    .struct_size = sizeof(argo_strategy),
    .name = "from_the_future",
};

const argo_strategy *argo_strategy_entry(void);

const argo_strategy *argo_strategy_entry(void) {
  return &def;
}
