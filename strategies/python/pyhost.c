/*
 * The Python strategy host: a plugin (argo_python.so) that the strategy loader opens for a .py
 * strategy only, through the script host table it exports (src/core/script_host.h). It owns the
 * embedded CPython interpreter (one per process, started at the first script and never ended),
 * the scripts it loaded and their instances, and turns the engine's calls (strategy.h) into
 * calls of the strategy object's methods. The `argo` module a strategy imports is pyapi.c and
 * prelude.py. It depends on strategy.h, script_host.h and libpython, on nothing else of argo.
 *
 * What CPython's behaviour made of the design (docs/strategies.md, "Python: what shaped the
 * host"):
 * - One interpreter per process, never finalized: numpy cannot be loaded again into a
 *   re-initialized interpreter, and Py_FinalizeEx would wait for the GIL that a strategy call
 *   the engine abandoned (its watchdog) may hold for ever. Nothing here runs at exit.
 * - No sub-interpreters: numpy and most extension modules do not support them, and with
 *   Python 3.11 they share one GIL anyway. Scripts are separate modules of one interpreter.
 * - Signals stay the program's: the interpreter is started without its handlers
 *   (install_signal_handlers = 0), so Ctrl-C reaches argo's own handler, which stops the
 *   session cleanly; nor does it touch the locale or the C stdio buffers.
 * - The GIL: the engine calls a strategy from its own thread, which need not be the thread that
 *   started the interpreter (an embedding program may run sessions on several threads). The
 *   interpreter's thread releases the GIL once started, and every call from the engine takes
 *   it for the call's duration (PyGILState_Ensure), so Python threads a strategy starts run
 *   between candles and while a call waits, and two sessions in one process take turns.
 *   PyGILState_Release deletes a thread state it made, so a thread that is not the interpreter's
 *   would get a new one on every call (a microsecond, and Python's thread-local state, numpy's
 *   error settings and contextvars, lost between candles): the first on_candle of an instance
 *   on a thread pins that thread's state (pin) until the instance is destroyed there.
 * - The watchdog: a call that never returns keeps the GIL (or waits forever with it released);
 *   the engine ends the session without it, from its watchdog thread, which never takes the
 *   GIL, and `argo run` ends with _exit, which runs nothing of Python's.
 */
#define _GNU_SOURCE /* dladdr */
#include "pyhost.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/script_host.h"

/* Exported: everything else in the plugin is hidden (-fvisibility=hidden). */
__attribute__((visibility("default"))) const argo__script_host *argo_script_host_entry(void);

struct py_script {
  argo_strategy table; /* the strings below, and the calls that take an instance */
  char *path, *name, *id, *version, *description, *schema;
  char modname[128];
  PyObject *cls;
};

/* snprintf, for messages that may be cut short (the engine keeps ARGO_PY_MSG_MAX bytes). */
static void fmt(char *buf, size_t len, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t len, const char *format, ...) {
  va_list ap;
  va_start(ap, format);
  vsnprintf(buf, len, format, ap);
  va_end(ap);
}

/* ---- the interpreter ---------------------------------------------------------------------- */

static pthread_once_t started = PTHREAD_ONCE_INIT;
static int py_ready;
static char py_error[256];
/* The prelude's functions and the method names, made once (they live as long as the process). */
static PyObject *fn_load, *fn_unload, *fn_config, *fn_start, *fn_where, *fn_describe;
static PyObject *name_on_candle, *name_on_order_update, *name_on_stop;
static unsigned long script_count; /* under the GIL */

/* libpython was loaded with this plugin, privately (RTLD_LOCAL); extension modules (numpy's)
 * are not linked to it and find its symbols only in the global scope: promote it there. It is
 * never unloaded (this plugin is linked with -z nodelete, and so keeps it). */
static void promote_libpython(void) {
  Dl_info info;
  if (dladdr((void *)&Py_InitializeFromConfig, &info) && info.dli_fname) {
    void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    (void)h; /* kept for the life of the process */
  }
}

static void status_error(const char *what, PyStatus st) {
  fmt(py_error, sizeof py_error, "%s: %s%s%s", what, st.func ? st.func : "", st.func ? ": " : "",
      st.err_msg ? st.err_msg : "failed");
}

/* The interpreter finds its standard library from program_name: the running program's real
 * path, so that a python3 earlier on PATH (pyenv's, a venv's) is not taken for ours, and the
 * library's own prefix is used (PYTHONHOME and PYTHONPATH still apply). */
static int start_interpreter(void) {
  PyPreConfig pre;
  PyPreConfig_InitPythonConfig(&pre);
  pre.configure_locale = 0; /* the program's locale is the program's */
  pre.utf8_mode = 1;        /* and Python's text is UTF-8 whatever it is */
  pre.parse_argv = 0;
#if defined(__SANITIZE_ADDRESS__)
  /* Under AddressSanitizer, Python's objects come from malloc (PYTHONMALLOC=malloc, unless the
   * environment says otherwise): pymalloc keeps small objects in arenas it maps itself, which
   * LeakSanitizer does not scan, so every object the interpreter keeps to exit (it is never
   * finalized) would read as a leak, and ASan could not see a use after free inside Python. */
  if (!getenv("PYTHONMALLOC")) {
    pre.allocator = PYMEM_ALLOCATOR_MALLOC;
  }
#endif
  PyStatus st = Py_PreInitialize(&pre);
  if (PyStatus_Exception(st)) {
    status_error("cannot start the Python interpreter", st);
    return -1;
  }
  PyConfig cfg;
  PyConfig_InitPythonConfig(&cfg);
  cfg.install_signal_handlers = 0;
  cfg.configure_c_stdio = 0;
  cfg.parse_argv = 0;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    st = PyConfig_SetBytesString(&cfg, &cfg.program_name, exe);
    if (PyStatus_Exception(st)) {
      PyConfig_Clear(&cfg);
      status_error("cannot start the Python interpreter", st);
      return -1;
    }
  }
  st = Py_InitializeFromConfig(&cfg);
  PyConfig_Clear(&cfg);
  if (PyStatus_Exception(st)) {
    status_error("cannot start the Python interpreter", st);
    return -1;
  }
  return 0;
}

static PyObject *get(PyObject *mod, const char *name) {
  return PyObject_GetAttrString(mod, name);
}

/* With the GIL: the argo module and what the host keeps of it. */
static int setup_module(void) {
  PyObject *mod = argo__py_module_new();
  if (!mod) {
    return -1;
  }
  PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
  int rc = PyDict_SetItemString(modules, "argo", mod);
  if (rc == 0) {
    fn_load = get(mod, "_load");
    fn_unload = get(mod, "_unload");
    fn_config = get(mod, "_config");
    fn_start = get(mod, "_start");
    fn_where = get(mod, "_where");
    fn_describe = get(mod, "_describe");
    name_on_candle = PyUnicode_InternFromString("on_candle");
    name_on_order_update = PyUnicode_InternFromString("on_order_update");
    name_on_stop = PyUnicode_InternFromString("on_stop");
    if (!fn_load || !fn_unload || !fn_config || !fn_start || !fn_where || !fn_describe ||
        !name_on_candle || !name_on_order_update || !name_on_stop) {
      rc = -1;
    }
  }
  Py_DECREF(mod);
  return rc;
}

/* The message of the exception being raised (cleared), for py_error. */
static void take_error(const char *what) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyObject *s = value ? PyObject_Str(value) : NULL;
  const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
  fmt(py_error, sizeof py_error, "%s: %s", what, text ? text : "unknown error");
  PyErr_Clear();
  Py_XDECREF(s);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
}

static void start_python(void) {
  promote_libpython();
  if (Py_IsInitialized()) {
    /* The program embeds Python already (argo driven from Python, say): use its interpreter. */
    PyGILState_STATE g = PyGILState_Ensure();
    if (setup_module() == 0) {
      py_ready = 1;
    } else {
      take_error("cannot create the argo module");
    }
    PyGILState_Release(g);
    return;
  }
  if (start_interpreter() != 0) {
    return;
  }
  if (setup_module() == 0) {
    py_ready = 1;
  } else {
    take_error("cannot create the argo module");
  }
  /* This thread holds the GIL since the start: release it for good. Every call from the engine
   * takes it with PyGILState_Ensure, from whatever thread runs the session. */
  (void)PyEval_SaveThread();
}

/* ---- errors ------------------------------------------------------------------------------- */

/* Calls fn(exception, arg) for the exception being raised, and copies the str it returns into
 * buf (the exception is cleared). */
static void describe_error(PyObject *fn, PyObject *arg, const char *fallback, char *buf,
                           size_t len) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  if (value && tb) {
    PyException_SetTraceback(value, tb);
  }
  PyObject *r = value ? PyObject_CallFunctionObjArgs(fn, value, arg, NULL) : NULL;
  const char *text = r && PyUnicode_Check(r) ? PyUnicode_AsUTF8(r) : NULL;
  fmt(buf, len, "%s", text ? text : fallback);
  PyErr_Clear();
  Py_XDECREF(r);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
}

/* A call's exception, with the last frames of its traceback: several lines. */
static void runtime_error(const char *what, char *buf, size_t len) {
  PyObject *limit = PyLong_FromSize_t(len > 1 ? len - 1 : 0);
  char fallback[128];
  fmt(fallback, sizeof fallback, "%s raised an exception that cannot be described", what);
  describe_error(fn_describe, limit ? limit : Py_None, fallback, buf, len);
  Py_XDECREF(limit);
}

/* An exception at the start, one line: "file:line: Type: message". */
static void start_error(py_inst *in, char *buf, size_t len) {
  PyObject *path = PyUnicode_FromString(in->script->path);
  describe_error(fn_where, path ? path : Py_None, "initialize raised an exception", buf, len);
  Py_XDECREF(path);
}

/* ---- scripts ------------------------------------------------------------------------------ */

static void script_free(py_script *s) {
  free(s->path);
  free(s->name);
  free(s->id);
  free(s->version);
  free(s->description);
  free(s->schema);
  free(s);
}

static char *utf8_copy(PyObject *str) {
  Py_ssize_t n;
  const char *text = PyUnicode_AsUTF8AndSize(str, &n);
  if (!text) {
    PyErr_Clear();
    return NULL;
  }
  char *copy = malloc((size_t)n + 1);
  if (copy) {
    memcpy(copy, text, (size_t)n + 1);
  }
  return copy;
}

/* A script's module name: its file's stem when that is an identifier no module has, so that
 * its classes print as ma_cross.MaCross; else the stem with a number. */
static void module_name(const char *path, char *out, size_t len) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  n = n > 3 ? n - 3 : n; /* without ".py" */
  fmt(out, len, "%.*s", (int)(n < 64 ? n : 64), base);
  PyObject *name = PyUnicode_FromString(out);
  int ident = name && PyUnicode_IsIdentifier(name) == 1;
  int taken = 1;
  if (ident) {
    PyObject *modules = PyImport_GetModuleDict();
    taken = PyDict_GetItemWithError(modules, name) != NULL;
  }
  PyErr_Clear();
  Py_XDECREF(name);
  script_count++;
  if (!ident) {
    fmt(out, len, "argo_script_%lu", script_count);
  } else if (taken) {
    fmt(out + strlen(out), len - strlen(out), "_%lu", script_count);
  }
}

static void *s_create_refused(const argo_host_api *host, argo_strategy_ctx *ctx);
static void s_destroy(void *self);
static int s_initialize(void *self, const char *config);
static int s_on_candle(void *self, const argo_candle *c);
static void s_on_order_update(void *self, const argo_order *o, const argo_fill *f);
static void s_on_stop(void *self);
static size_t s_warmup(void *self);

/* With the GIL: the script's class and what describes it, from prelude.py's _load. */
static py_script *load_locked(const char *path, char *err, size_t errlen) {
  py_script *s = calloc(1, sizeof *s);
  if (!s || !(s->path = strdup(path))) {
    fmt(err, errlen, "out of memory");
    free(s);
    return NULL;
  }
  module_name(path, s->modname, sizeof s->modname);
  PyObject *r = PyObject_CallFunction(fn_load, "ss", path, s->modname);
  if (!r) {
    describe_error(fn_where, Py_None, "the Python host could not load the script", err, errlen);
    script_free(s);
    return NULL;
  }
  if (PyUnicode_Check(r)) {
    const char *text = PyUnicode_AsUTF8(r);
    fmt(err, errlen, "%s", text ? text : "cannot load the script");
    PyErr_Clear();
    Py_DECREF(r);
    script_free(s);
    return NULL;
  }
  if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 8) {
    fmt(err, errlen, "%s: the Python host's loader answered nonsense", path);
    Py_DECREF(r);
    script_free(s);
    return NULL;
  }
  s->cls = PyTuple_GET_ITEM(r, 0);
  Py_INCREF(s->cls);
  s->name = utf8_copy(PyTuple_GET_ITEM(r, 1));
  s->id = utf8_copy(PyTuple_GET_ITEM(r, 2));
  s->version = utf8_copy(PyTuple_GET_ITEM(r, 3));
  s->description = utf8_copy(PyTuple_GET_ITEM(r, 4));
  s->schema = utf8_copy(PyTuple_GET_ITEM(r, 5));
  int has_update = PyObject_IsTrue(PyTuple_GET_ITEM(r, 6)) == 1;
  int has_stop = PyObject_IsTrue(PyTuple_GET_ITEM(r, 7)) == 1;
  Py_DECREF(r);
  if (!s->name || !s->id || !s->version || !s->description || !s->schema) {
    fmt(err, errlen, "out of memory");
    Py_DECREF(s->cls);
    script_free(s);
    return NULL;
  }
  s->table = (argo_strategy){
      .abi_version = ARGO_STRATEGY_ABI_VERSION,
      .struct_size = sizeof(argo_strategy),
      .name = s->name,
      .id = s->id,
      .version = s->version,
      .description = s->description,
      .config_schema = s->schema,
      .create = s_create_refused,
      .destroy = s_destroy,
      .initialize = s_initialize,
      .on_candle = s_on_candle,
      /* Left out when the class keeps the base class's: the engine then keeps no notes. */
      .on_order_update = has_update ? s_on_order_update : NULL,
      .on_stop = has_stop ? s_on_stop : NULL,
      .warmup_candles = s_warmup,
  };
  return s;
}

static void *h_load(const char *path, const argo_strategy **table, char *err, size_t errlen) {
  *table = NULL;
  pthread_once(&started, start_python);
  if (!py_ready) {
    fmt(err, errlen, "cannot run Python strategy '%s': %s", path, py_error);
    return NULL;
  }
  PyGILState_STATE g = PyGILState_Ensure();
  py_script *s = load_locked(path, err, errlen);
  PyGILState_Release(g);
  if (s) {
    *table = &s->table;
  }
  return s;
}

static void h_unload(void *script) {
  py_script *s = script;
  if (!s) {
    return;
  }
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *r = PyObject_CallFunction(fn_unload, "s", s->modname);
  Py_XDECREF(r);
  PyErr_Clear();
  Py_DECREF(s->cls);
  PyGILState_Release(g);
  script_free(s);
}

/* ---- instances: the engine's calls -------------------------------------------------------- */

/* A script's table is only used through the loader, which creates instances with h_create. */
static void *s_create_refused(const argo_host_api *host, argo_strategy_ctx *ctx) {
  if (host && ctx && host->set_error) {
    host->set_error(ctx, "a Python strategy is created through argo's strategy loader");
  }
  return NULL;
}

static void *h_create(void *script, const argo_host_api *host, argo_strategy_ctx *ctx) {
  if (!script || !host || !ctx) {
    return NULL;
  }
  py_inst *in = calloc(1, sizeof *in);
  if (in) {
    in->script = script;
    in->api = host;
    in->ctx = ctx;
  }
  return in;
}

/* Thread states pinned on this thread, and the hold that keeps its state: while pins > 0 the
 * thread's PyGILState counter stays above zero, so PyGILState_Release only releases the GIL. */
static __thread unsigned pins;
static __thread PyGILState_STATE pin_hold;

/* With the GIL, in a call of in's on this thread. */
static void pin(py_inst *in) {
  if (in->pinned) {
    return;
  }
  if (pins++ == 0) {
    pin_hold = PyGILState_Ensure(); /* the GIL is held: only counts, and keeps the state */
  }
  in->pinned = 1;
  in->pin_thread = pthread_self();
}

/* With the GIL. A pin on another thread stays: only that thread may drop its state, and a
 * thread state left to a thread costs a few hundred bytes. */
static void unpin(py_inst *in) {
  if (!in->pinned || !pthread_equal(in->pin_thread, pthread_self())) {
    return;
  }
  in->pinned = 0;
  if (--pins == 0) {
    PyGILState_Release(pin_hold); /* the GIL stays held by the caller's own Ensure */
  }
}

static void enter(py_inst *in) {
  in->in_call++;
  in->thread = pthread_self();
}

static void leave(py_inst *in) {
  in->in_call--;
}

static void s_destroy(void *self) {
  py_inst *in = self;
  if (!in) {
    return;
  }
  PyGILState_STATE g = PyGILState_Ensure();
  if (in->host) {
    argo__py_host_detach(in->host);
  }
  Py_CLEAR(in->obj);
  Py_CLEAR(in->host);
  Py_CLEAR(in->candle);
  argo__py_inst_clear(in);
  unpin(in);
  PyGILState_Release(g);
  free(in);
}

static int s_initialize(void *self, const char *config) {
  py_inst *in = self;
  PyGILState_STATE g = PyGILState_Ensure();
  enter(in);
  int rc = ARGO_S_OK;
  char msg[ARGO_PY_MSG_MAX];
  PyObject *conf = PyObject_CallFunction(fn_config, "s", config ? config : "{}");
  PyObject *r = NULL;
  if (conf) {
    in->host = argo__py_host_new(in, conf);
  }
  if (in->host) {
    r = PyObject_CallFunctionObjArgs(fn_start, in->script->cls, in->host, conf, NULL);
  }
  if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 2) {
    in->obj = PyTuple_GET_ITEM(r, 0);
    Py_INCREF(in->obj);
    in->warmup = PyLong_AsSize_t(PyTuple_GET_ITEM(r, 1));
    if (PyErr_Occurred()) {
      /* More candles than a size_t holds: as many as the engine keeps. */
      PyErr_Clear();
      in->warmup = (size_t)-1;
    }
  } else {
    start_error(in, msg, sizeof msg);
    in->api->set_error(in->ctx, msg);
    rc = ARGO_S_ERROR;
  }
  Py_XDECREF(r);
  Py_XDECREF(conf);
  leave(in);
  PyGILState_Release(g);
  return rc;
}

/* An exception of on_order_update, on_stop: logged at once (logs.parquet), since those calls
 * return nothing the engine could report. */
static void log_error(py_inst *in, const char *what, const char *msg) {
  argo_kv fields[] = {{"callback", what}};
  in->api->log(in->ctx, ARGO_LOG_ERROR, msg, fields, 1);
}

static int s_on_candle(void *self, const argo_candle *c) {
  py_inst *in = self;
  PyGILState_STATE g = PyGILState_Ensure();
  pin(in);
  enter(in);
  int rc = ARGO_S_OK;
  PyObject *candle = argo__py_candle(in, c);
  PyObject *r = NULL;
  if (candle) {
    PyObject *args[3] = {NULL, in->obj, candle};
    r = PyObject_VectorcallMethod(name_on_candle, args + 1, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                  NULL);
  }
  char msg[ARGO_PY_MSG_MAX];
  if (!r) {
    runtime_error("on_candle", msg, sizeof msg);
    rc = ARGO_S_ERROR;
  }
  Py_XDECREF(r);
  if (in->pending[0]) {
    /* What on_order_update raised since the last candle is this call's error too. */
    char both[ARGO_PY_MSG_MAX];
    if (rc == ARGO_S_OK) {
      fmt(msg, sizeof msg, "%s", in->pending);
    } else {
      fmt(both, sizeof both, "%s\n(before it, %s)", msg, in->pending);
      memcpy(msg, both, sizeof msg);
    }
    in->pending[0] = '\0';
    rc = ARGO_S_ERROR;
  }
  if (rc != ARGO_S_OK) {
    in->api->set_error(in->ctx, msg);
  }
  /* Kept for the next candle only when the strategy kept no reference to it. */
  if (candle && !in->candle && Py_REFCNT(candle) == 1) {
    in->candle = candle;
  } else {
    Py_XDECREF(candle);
  }
  leave(in);
  PyGILState_Release(g);
  return rc;
}

static void s_on_order_update(void *self, const argo_order *o, const argo_fill *f) {
  py_inst *in = self;
  PyGILState_STATE g = PyGILState_Ensure();
  enter(in);
  PyObject *order = argo__py_order(in, o);
  PyObject *fill = order ? argo__py_fill(in, f) : NULL;
  PyObject *r = NULL;
  if (fill) {
    PyObject *args[4] = {NULL, in->obj, order, fill};
    r = PyObject_VectorcallMethod(name_on_order_update, args + 1,
                                  3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
  }
  if (!r) {
    char msg[ARGO_PY_MSG_MAX], text[ARGO_PY_MSG_MAX];
    runtime_error("on_order_update", text, sizeof text - 64);
    fmt(msg, sizeof msg, "on_order_update (order %s) raised %s", o->order_id, text);
    log_error(in, "on_order_update", msg);
    if (!in->pending[0]) {
      memcpy(in->pending, msg, sizeof in->pending);
    }
  }
  Py_XDECREF(r);
  Py_XDECREF(order);
  Py_XDECREF(fill);
  leave(in);
  PyGILState_Release(g);
}

static void s_on_stop(void *self) {
  py_inst *in = self;
  PyGILState_STATE g = PyGILState_Ensure();
  enter(in);
  PyObject *args[2] = {NULL, in->obj};
  PyObject *r =
      PyObject_VectorcallMethod(name_on_stop, args + 1, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
  if (!r) {
    char msg[ARGO_PY_MSG_MAX], text[ARGO_PY_MSG_MAX];
    runtime_error("on_stop", text, sizeof text - 32);
    fmt(msg, sizeof msg, "on_stop raised %s", text);
    log_error(in, "on_stop", msg);
  }
  Py_XDECREF(r);
  leave(in);
  PyGILState_Release(g);
}

static size_t s_warmup(void *self) {
  return ((py_inst *)self)->warmup;
}

/* ---- the entry point ---------------------------------------------------------------------- */

static const argo__script_host host_table = {
    .abi_version = ARGO_SCRIPT_HOST_ABI_VERSION,
    .struct_size = sizeof(argo__script_host),
    .language = "Python",
    .load = h_load,
    .create = h_create,
    .unload = h_unload,
};

const argo__script_host *argo_script_host_entry(void) {
  return &host_table;
}
