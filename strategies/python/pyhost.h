/*
 * The Python strategy host (argo_python.so): what its two files share. pyhost.c is the plugin
 * (the script host table the strategy loader asks for, the interpreter, scripts, instances and
 * the calls the engine makes into a strategy); pyapi.c is the `argo` module a strategy imports
 * (the host object and its indicators, the candle, order, fill, position and account types, the
 * constants). The Python half of the module, in prelude.py, loads scripts and formats errors.
 *
 * The host is part of argo's tree but is built like a strategy plugin, against strategy.h (and
 * the loader's script_host.h): it talks to the engine only through argo_host_api. It links
 * libpython; libargo does not, so the interpreter is loaded only for a .py strategy.
 *
 * Every function here that touches a Python object is called with the GIL held.
 */
#ifndef ARGO_PYHOST_H
#define ARGO_PYHOST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stddef.h>

#include <argo/strategy.h>

/* The longest message handed to set_error or log: the engine keeps 512 bytes of a strategy's
 * error and adds its own prefix ("strategy X failed on BTCUSDT at ...: "). */
#define ARGO_PY_MSG_MAX 440

/* Session symbols given to Python as str objects made once. */
#define ARGO_PY_SYMBOLS 64

typedef struct py_script py_script;

/* One instance of a Python strategy: the `self` of the engine's calls into it. */
typedef struct py_inst {
  py_script *script;
  const argo_host_api *api;
  argo_strategy_ctx *ctx;
  PyObject *obj;    /* the strategy object (NULL until initialize made it) */
  PyObject *host;   /* its argo.Host */
  PyObject *candle; /* an argo.Candle nobody else holds, kept for the next candle */
  /* Inside one of the engine's calls, on thread: the only time the host may be called. */
  int in_call;
  pthread_t thread;
  /* Whether this instance keeps a Python thread state on pin_thread (pyhost.c, pin). */
  int pinned;
  pthread_t pin_thread;
  size_t warmup; /* what warmup_candles() returned, read once after initialize */
  /* An exception of on_order_update, reported as the next on_candle's error. */
  char pending[ARGO_PY_MSG_MAX];
  PyObject *sym_obj[ARGO_PY_SYMBOLS];
  /* The session's own string of each symbol (NULL until known), for the indicator calls: the
   * host finds the symbol of the candle in hand by its pointer, without hashing (pyapi.c). */
  const char *sym_ptr[ARGO_PY_SYMBOLS];
  size_t nsym;
  argo_candle *scratch; /* recent_candles' buffer */
  size_t scratch_cap;
} py_inst;

/* pyapi.c: creates the `argo` module and runs the prelude in it; NULL with an exception set. */
PyObject *argo__py_module_new(void);
/* A new argo.Host for in, with its configuration (a dict, borrowed). */
PyObject *argo__py_host_new(py_inst *in, PyObject *config);
/* Cuts a host from its instance: a strategy that kept it past the session gets an error from
 * every call, never a dangling pointer. */
void argo__py_host_detach(PyObject *host);
/* The candle as an argo.Candle (a new reference; in->candle is reused when nobody else holds
 * it). */
PyObject *argo__py_candle(py_inst *in, const argo_candle *c);
/* The order, and the fill (Py_None for NULL), as argo.Order and argo.Fill: new references. */
PyObject *argo__py_order(py_inst *in, const argo_order *o);
PyObject *argo__py_fill(py_inst *in, const argo_fill *f);
/* The str of a session symbol, made once per symbol: a new reference. */
PyObject *argo__py_symbol(py_inst *in, const char *symbol);
/* Drops the instance's symbols and buffers. */
void argo__py_inst_clear(py_inst *in);

#endif
