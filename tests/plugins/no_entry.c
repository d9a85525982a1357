/* Test plugin: a shared object without the argo_strategy_entry function. */
int not_a_strategy(void);

int not_a_strategy(void) {
  return 42;
}
