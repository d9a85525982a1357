/*
 * The `argo` module a Python strategy imports: the host object (argo.Host, the Python face of
 * argo_host_api) and its indicators (argo.Indicators, the host's TA-Lib calls), the values it
 * passes (argo.Candle, a small object reused from candle to candle; argo.Order, argo.Fill,
 * argo.Position, argo.Account, named tuples), the constants, and recent candles as numpy arrays.
 * The Python half (Strategy, HostError, the loader) is prelude.py, run in the module's namespace.
 * Depends on strategy.h, libpython and numpy's C API.
 *
 * Every host method checks that it is called from inside one of the engine's calls into the
 * strategy, on the engine's thread (strategy.h: host functions are engine-thread only), so a
 * thread the strategy started gets a RuntimeError instead of racing the engine.
 */
#include "pyhost.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include <structmember.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include "prelude.h"

/* ---- strings made once -------------------------------------------------------------------- */

static PyObject *s_buy, *s_sell, *s_market, *s_limit, *s_long, *s_short;
static PyObject *s_status[5]; /* argo_order_status order */
static PyObject *host_error;  /* argo.HostError, from the prelude */

static PyObject *side_str(argo_side s) {
  return s == ARGO_SIDE_SELL ? s_sell : s_buy;
}

static PyObject *ptype_str(argo_position_type p) {
  return p == ARGO_POSITION_SHORT ? s_short : s_long;
}

PyObject *argo__py_symbol(py_inst *in, const char *symbol) {
  if (!symbol) {
    return PyUnicode_FromString("");
  }
  for (size_t i = 0; i < in->nsym; i++) {
    /* By text: a strategy call's strings are borrowed for the call only (strategy.h). */
    const char *have = PyUnicode_AsUTF8(in->sym_obj[i]);
    if (have && strcmp(have, symbol) == 0) {
      Py_INCREF(in->sym_obj[i]);
      return in->sym_obj[i];
    }
  }
  PyObject *s = PyUnicode_FromString(symbol);
  if (s && in->nsym < ARGO_PY_SYMBOLS) {
    PyUnicode_InternInPlace(&s);
    in->sym_ptr[in->nsym] = NULL;
    in->sym_obj[in->nsym++] = s;
    Py_INCREF(s);
  }
  return s;
}

void argo__py_inst_clear(py_inst *in) {
  for (size_t i = 0; i < in->nsym; i++) {
    Py_CLEAR(in->sym_obj[i]);
    in->sym_ptr[i] = NULL;
  }
  in->nsym = 0;
  free(in->scratch);
  in->scratch = NULL;
  in->scratch_cap = 0;
}

/* ---- argo.Candle -------------------------------------------------------------------------- */

typedef struct candle_obj {
  PyObject_HEAD PyObject *symbol;
  long long time;
  double open, high, low, close, volume;
} candle_obj;

static PyMemberDef candle_members[] = {
    {"symbol", T_OBJECT_EX, offsetof(candle_obj, symbol), READONLY, "the symbol (str)"},
    {"time", T_LONGLONG, offsetof(candle_obj, time), READONLY,
     "open time, microseconds since the Unix epoch, UTC (int)"},
    {"open", T_DOUBLE, offsetof(candle_obj, open), READONLY, NULL},
    {"high", T_DOUBLE, offsetof(candle_obj, high), READONLY, NULL},
    {"low", T_DOUBLE, offsetof(candle_obj, low), READONLY, NULL},
    {"close", T_DOUBLE, offsetof(candle_obj, close), READONLY, NULL},
    {"volume", T_DOUBLE, offsetof(candle_obj, volume), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static void candle_dealloc(PyObject *self) {
  Py_XDECREF(((candle_obj *)self)->symbol);
  Py_TYPE(self)->tp_free(self);
}

static PyObject *candle_repr(PyObject *self) {
  candle_obj *c = (candle_obj *)self;
  char nums[256];
  PyOS_snprintf(nums, sizeof nums,
                "time=%lld, open=%.17g, high=%.17g, low=%.17g, close=%.17g, "
                "volume=%.17g",
                c->time, c->open, c->high, c->low, c->close, c->volume);
  return PyUnicode_FromFormat("Candle(symbol=%R, %s)", c->symbol, nums);
}

static PyTypeObject candle_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "argo.Candle",
    .tp_basicsize = sizeof(candle_obj),
    .tp_dealloc = candle_dealloc,
    .tp_repr = candle_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One finalized candle of one symbol (read-only).",
    .tp_members = candle_members,
};

PyObject *argo__py_candle(py_inst *in, const argo_candle *c) {
  candle_obj *o = (candle_obj *)in->candle;
  in->candle = NULL;
  if (!o) {
    o = PyObject_New(candle_obj, &candle_type);
    if (!o) {
      return NULL;
    }
    o->symbol = NULL;
  }
  /* A reused candle keeps its symbol's str while the symbol stays the same. */
  const char *have = o->symbol ? PyUnicode_AsUTF8(o->symbol) : NULL;
  if (!have || !c->symbol || strcmp(have, c->symbol) != 0) {
    PyObject *s = argo__py_symbol(in, c->symbol);
    if (!s) {
      Py_DECREF(o);
      return NULL;
    }
    Py_XSETREF(o->symbol, s);
  }
  o->time = (long long)c->time;
  o->open = c->open;
  o->high = c->high;
  o->low = c->low;
  o->close = c->close;
  o->volume = c->volume;
  return (PyObject *)o;
}

/* ---- argo.Order, argo.Fill, argo.Position, argo.Account ----------------------------------- */

static PyStructSequence_Field order_fields[] = {
    {"order_id", NULL},
    {"symbol", NULL},
    {"side", "BUY or SELL"},
    {"type", "MARKET or LIMIT"},
    {"position_type", "LONG or SHORT"},
    {"quantity", NULL},
    {"price", "the limit price; for a market order the last close at placement"},
    {"timestamp", "order time: the candle on which it was placed (microseconds)"},
    {"status", "PENDING, FILLED, CANCELLED, REJECTED or FAILED"},
    {"strategy_name", NULL},
    {"reason", "why it was rejected or cancelled, '' otherwise"},
    {"filled_qty", "quantity filled so far"},
    {NULL, NULL},
};
static PyStructSequence_Desc order_desc = {"argo.Order", "An order (one row of orders.parquet).",
                                           order_fields, 12};

static PyStructSequence_Field fill_fields[] = {
    {"order_id", NULL},
    {"symbol", NULL},
    {"side", NULL},
    {"position_type", NULL},
    {"quantity", "the order's quantity"},
    {"price", "the order's price"},
    {"timestamp", "order time (microseconds)"},
    {"executed_at", "time of the candle of the fill (microseconds)"},
    {"executed_qty", NULL},
    {"executed_price", NULL},
    {"commission", NULL},
    {"pnl", "realized by this fill, net of fees; 0 for an opening fill"},
    {NULL, NULL},
};
static PyStructSequence_Desc fill_desc = {"argo.Fill", "One fill (one row of trades.parquet).",
                                          fill_fields, 12};

static PyStructSequence_Field position_fields[] = {
    {"symbol", NULL},
    {"long_qty", NULL},
    {"long_avg_price", NULL},
    {"short_qty", NULL},
    {"short_avg_price", NULL},
    {"realized_pnl", NULL},
    {"unrealized_pnl", NULL},
    {"fees", NULL},
    {"last_price", "the last close of the symbol, 0 if none"},
    {NULL, NULL},
};
static PyStructSequence_Desc position_desc = {
    "argo.Position", "The position in one symbol: both books, long and short.", position_fields, 9};

static PyStructSequence_Field account_fields[] = {
    {"balance", "cash"},
    {"equity", "cash + long market value - short market value"},
    {"buying_power", "what a new order may commit"},
    {"realized_pnl", NULL},
    {"unrealized_pnl", NULL},
    {"total_fees", NULL},
    {NULL, NULL},
};
static PyStructSequence_Desc account_desc = {"argo.Account", "The account.", account_fields, 6};

static PyTypeObject *order_type, *fill_type, *position_type, *account_type;

/* Fills a struct sequence from a list of new references (any NULL: fails, freeing the rest). */
static PyObject *structseq(PyTypeObject *type, PyObject **items, int n) {
  int ok = 1;
  for (int i = 0; i < n; i++) {
    ok &= items[i] != NULL;
  }
  PyObject *t = ok ? PyStructSequence_New(type) : NULL;
  if (!t) {
    for (int i = 0; i < n; i++) {
      Py_XDECREF(items[i]);
    }
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    PyStructSequence_SET_ITEM(t, i, items[i]);
  }
  return t;
}

static PyObject *ref(PyObject *o) {
  Py_INCREF(o);
  return o;
}

PyObject *argo__py_order(py_inst *in, const argo_order *o) {
  unsigned st = (unsigned)o->status < 5 ? (unsigned)o->status : ARGO_ORDER_FAILED;
  PyObject *items[12] = {
      PyUnicode_FromString(o->order_id),
      argo__py_symbol(in, o->symbol),
      ref(side_str(o->side)),
      ref(o->type == ARGO_ORDER_LIMIT ? s_limit : s_market),
      ref(ptype_str(o->position_type)),
      PyFloat_FromDouble(o->quantity),
      PyFloat_FromDouble(o->price),
      PyLong_FromLongLong(o->timestamp),
      ref(s_status[st]),
      PyUnicode_FromString(o->strategy_name ? o->strategy_name : ""),
      PyUnicode_FromString(o->reason ? o->reason : ""),
      PyFloat_FromDouble(o->filled_qty),
  };
  return structseq(order_type, items, 12);
}

PyObject *argo__py_fill(py_inst *in, const argo_fill *f) {
  if (!f) {
    return ref(Py_None);
  }
  PyObject *items[12] = {
      PyUnicode_FromString(f->order_id),
      argo__py_symbol(in, f->symbol),
      ref(side_str(f->side)),
      ref(ptype_str(f->position_type)),
      PyFloat_FromDouble(f->quantity),
      PyFloat_FromDouble(f->price),
      PyLong_FromLongLong(f->timestamp),
      PyLong_FromLongLong(f->executed_at),
      PyFloat_FromDouble(f->executed_qty),
      PyFloat_FromDouble(f->executed_price),
      PyFloat_FromDouble(f->commission),
      PyFloat_FromDouble(f->pnl),
  };
  return structseq(fill_type, items, 12);
}

static PyObject *position_new(py_inst *in, const argo_position *p) {
  PyObject *items[9] = {
      argo__py_symbol(in, p->symbol),         PyFloat_FromDouble(p->long_qty),
      PyFloat_FromDouble(p->long_avg_price),  PyFloat_FromDouble(p->short_qty),
      PyFloat_FromDouble(p->short_avg_price), PyFloat_FromDouble(p->realized_pnl),
      PyFloat_FromDouble(p->unrealized_pnl),  PyFloat_FromDouble(p->fees),
      PyFloat_FromDouble(p->last_price),
  };
  return structseq(position_type, items, 9);
}

/* ---- argo.Host ---------------------------------------------------------------------------- */

typedef struct host_obj {
  PyObject_HEAD py_inst *in; /* NULL once the strategy was destroyed */
  PyObject *config;          /* the configuration, a dict */
  PyObject *indicators;      /* its argo.Indicators, or None when the host has none */
} host_obj;

/* The instance in, when the host may be called now; else NULL with an exception set. */
static py_inst *live_in(py_inst *in) {
  if (!in) {
    PyErr_SetString(host_error, "this host belongs to a session that has ended");
    return NULL;
  }
  if (!in->in_call || !pthread_equal(in->thread, pthread_self())) {
    PyErr_SetString(PyExc_RuntimeError,
                    "argo host functions can be called only from the strategy's own methods "
                    "(initialize, on_candle, on_order_update, on_stop), on the engine's thread");
    return NULL;
  }
  return in;
}

static py_inst *live(PyObject *self) {
  return live_in(((host_obj *)self)->in);
}

/* The exception for a failed host call: ValueError for a bad argument, KeyError for a symbol
 * the session does not trade, else HostError; the message is the host's last_error. */
static PyObject *fail(py_inst *in, int rc) {
  const char *why = in->api->last_error(in->ctx);
  PyObject *type = rc == ARGO_S_EINVAL     ? PyExc_ValueError
                   : rc == ARGO_S_NOTFOUND ? PyExc_KeyError
                                           : host_error;
  PyErr_SetString(type, why && *why ? why : "host call failed");
  return NULL;
}

static int parse_choice(PyObject *v, const char *what, const char *a, const char *b, int *out) {
  const char *text = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
  if (text && strcasecmp(text, a) == 0) {
    *out = 0;
    return 0;
  }
  if (text && strcasecmp(text, b) == 0) {
    *out = 1;
    return 0;
  }
  PyErr_Clear();
  PyErr_Format(PyExc_ValueError, "%s must be argo.%s or argo.%s, not %R", what, a, b,
               v ? v : Py_None);
  return -1;
}

/* place_order, buy and sell: side < 0 means it is an argument. */
static PyObject *place(PyObject *self, PyObject *args, PyObject *kw, int side) {
  static char *kw_order[] = {"symbol", "side", "quantity", "limit_price", "position_type", NULL};
  static char *kw_side[] = {"symbol", "quantity", "limit_price", "position_type", NULL};
  py_inst *in = live(self);
  if (!in) {
    return NULL;
  }
  const char *symbol;
  PyObject *side_obj = NULL, *limit = Py_None, *ptype = NULL;
  double qty;
  int ok = side < 0 ? PyArg_ParseTupleAndKeywords(args, kw, "sOd|OO:place_order", kw_order, &symbol,
                                                  &side_obj, &qty, &limit, &ptype)
                    : PyArg_ParseTupleAndKeywords(args, kw, side ? "sd|OO:sell" : "sd|OO:buy",
                                                  kw_side, &symbol, &qty, &limit, &ptype);
  if (!ok) {
    return NULL;
  }
  int s = side, p = 0;
  if (side < 0 && parse_choice(side_obj, "side", "BUY", "SELL", &s) != 0) {
    return NULL;
  }
  if (ptype && ptype != Py_None && parse_choice(ptype, "position_type", "LONG", "SHORT", &p)) {
    return NULL;
  }
  argo_order_request req = {.symbol = symbol,
                            .side = s ? ARGO_SIDE_SELL : ARGO_SIDE_BUY,
                            .type = ARGO_ORDER_MARKET,
                            .position_type = p ? ARGO_POSITION_SHORT : ARGO_POSITION_LONG,
                            .quantity = qty};
  if (limit != Py_None) {
    req.type = ARGO_ORDER_LIMIT;
    req.limit_price = PyFloat_AsDouble(limit);
    if (req.limit_price == -1.0 && PyErr_Occurred()) {
      return NULL;
    }
  }
  char id[ARGO_ID_MAX] = "";
  int rc = in->api->place_order(in->ctx, &req, id);
  if (rc == ARGO_S_OK || rc == ARGO_S_REJECTED) {
    return PyUnicode_FromString(id); /* a rejected order is recorded: on_order_update says so */
  }
  if (rc == ARGO_S_STATE) {
    Py_RETURN_NONE; /* warming up, or the session has ended: no order */
  }
  return fail(in, rc);
}

static PyObject *h_place_order(PyObject *self, PyObject *args, PyObject *kw) {
  return place(self, args, kw, -1);
}

static PyObject *h_buy(PyObject *self, PyObject *args, PyObject *kw) {
  return place(self, args, kw, 0);
}

static PyObject *h_sell(PyObject *self, PyObject *args, PyObject *kw) {
  return place(self, args, kw, 1);
}

static PyObject *h_cancel_order(PyObject *self, PyObject *arg) {
  py_inst *in = live(self);
  const char *id = in ? PyUnicode_AsUTF8(arg) : NULL;
  if (!id) {
    return NULL;
  }
  int rc = in->api->cancel_order(in->ctx, id);
  if (rc == ARGO_S_OK) {
    Py_RETURN_TRUE;
  }
  if (rc == ARGO_S_NOTFOUND || rc == ARGO_S_STATE) {
    Py_RETURN_FALSE; /* not pending (filled, cancelled, unknown) */
  }
  return fail(in, rc);
}

static PyObject *h_cancel_all(PyObject *self, PyObject *args, PyObject *kw) {
  static char *kwl[] = {"symbol", NULL};
  py_inst *in = live(self);
  const char *symbol = NULL;
  if (!in || !PyArg_ParseTupleAndKeywords(args, kw, "|z:cancel_all", kwl, &symbol)) {
    return NULL;
  }
  int n = in->api->cancel_all(in->ctx, symbol);
  return n < 0 ? fail(in, n) : PyLong_FromLong(n);
}

static PyObject *h_position(PyObject *self, PyObject *arg) {
  py_inst *in = live(self);
  const char *symbol = in ? PyUnicode_AsUTF8(arg) : NULL;
  if (!symbol) {
    return NULL;
  }
  argo_position p;
  int rc = in->api->get_position(in->ctx, symbol, &p);
  if (rc != ARGO_S_OK) {
    return fail(in, rc);
  }
  if (!p.symbol) {
    p.symbol = symbol;
  }
  return position_new(in, &p);
}

/* A list of what a counting host call fills (count with NULL first, then fill a buffer of that
 * many elements of elem bytes), each made a Python object by make. */
static PyObject *host_list(py_inst *in, size_t (*fill)(py_inst *, void *, size_t), size_t elem,
                           PyObject *(*make)(py_inst *, const void *)) {
  size_t n = fill(in, NULL, 0);
  char *buf = PyMem_Calloc(n ? n : 1, elem);
  if (!buf) {
    return PyErr_NoMemory();
  }
  n = fill(in, buf, n);
  PyObject *list = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; list && i < n; i++) {
    PyObject *x = make(in, buf + i * elem);
    if (!x) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, x);
  }
  PyMem_Free(buf);
  return list;
}

/* The host's get_positions and get_open_orders, and the objects of their elements, in the
 * shapes host_list takes. */
static size_t fill_positions(py_inst *in, void *out, size_t cap) {
  return in->api->get_positions(in->ctx, out, cap);
}
static size_t fill_orders(py_inst *in, void *out, size_t cap) {
  return in->api->get_open_orders(in->ctx, out, cap);
}
static PyObject *make_position(py_inst *in, const void *p) {
  return position_new(in, p);
}
static PyObject *make_order(py_inst *in, const void *o) {
  return argo__py_order(in, o);
}

static PyObject *h_positions(PyObject *self, PyObject *unused) {
  py_inst *in = live(self);
  if (!in) {
    return NULL;
  }
  return host_list(in, fill_positions, sizeof(argo_position), make_position);
}

static PyObject *h_account(PyObject *self, PyObject *unused) {
  py_inst *in = live(self);
  if (!in) {
    return NULL;
  }
  argo_account a;
  int rc = in->api->get_account(in->ctx, &a);
  if (rc != ARGO_S_OK) {
    return fail(in, rc);
  }
  PyObject *items[6] = {
      PyFloat_FromDouble(a.balance),        PyFloat_FromDouble(a.equity),
      PyFloat_FromDouble(a.buying_power),   PyFloat_FromDouble(a.realized_pnl),
      PyFloat_FromDouble(a.unrealized_pnl), PyFloat_FromDouble(a.total_fees),
  };
  return structseq(account_type, items, 6);
}

static PyObject *h_open_orders(PyObject *self, PyObject *unused) {
  py_inst *in = live(self);
  if (!in) {
    return NULL;
  }
  return host_list(in, fill_orders, sizeof(argo_order), make_order);
}

/* Recent candles: one numpy array whose records are the host's argo_candle structs, copied as
 * they are; the dtype names the fields and leaves the symbol pointer out. */
static PyArray_Descr *candle_dtype;

static int numpy_ready(void) {
  if (candle_dtype) {
    return 0;
  }
  if (_import_array() < 0) {
    return -1;
  }
  PyObject *spec = Py_BuildValue(
      "{s:[ssssss], s:[ssssss], s:[nnnnnn], s:n}", "names", "time", "open", "high", "low", "close",
      "volume", "formats", "<i8", "<f8", "<f8", "<f8", "<f8", "<f8", "offsets",
      (Py_ssize_t)offsetof(argo_candle, time), (Py_ssize_t)offsetof(argo_candle, open),
      (Py_ssize_t)offsetof(argo_candle, high), (Py_ssize_t)offsetof(argo_candle, low),
      (Py_ssize_t)offsetof(argo_candle, close), (Py_ssize_t)offsetof(argo_candle, volume),
      "itemsize", (Py_ssize_t)sizeof(argo_candle));
  if (!spec) {
    return -1;
  }
  int ok = PyArray_DescrConverter(spec, &candle_dtype);
  Py_DECREF(spec);
  return ok ? 0 : -1;
}

static PyObject *h_candles(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  py_inst *in = live(self);
  if (!in) {
    return NULL;
  }
  if (nargs != 2) {
    PyErr_SetString(PyExc_TypeError, "candles(symbol, n) takes 2 arguments");
    return NULL;
  }
  const char *symbol = PyUnicode_AsUTF8(args[0]);
  Py_ssize_t n = symbol ? PyLong_AsSsize_t(args[1]) : -1;
  if (n < 0) {
    if (!PyErr_Occurred()) {
      PyErr_SetString(PyExc_ValueError, "candles: n must be >= 0");
    }
    return NULL;
  }
  if (numpy_ready() != 0) {
    return NULL;
  }
  /* The engine keeps engine.candle_window candles (1000 by default): ask for what a buffer of
   * at most 1024 holds, and grow it only while the answer fills it. */
  size_t want = (size_t)n, cap = want < 1024 ? want : 1024, got;
  for (;;) {
    if (cap > in->scratch_cap) {
      argo_candle *b = realloc(in->scratch, cap * sizeof *b);
      if (!b) {
        return PyErr_NoMemory();
      }
      in->scratch = b;
      in->scratch_cap = cap;
    }
    got = in->api->recent_candles(in->ctx, symbol, cap ? in->scratch : NULL, cap);
    if (got < cap || cap == want) {
      break;
    }
    cap = cap < want / 4 ? cap * 4 : want;
  }
  if (got == 0) {
    const char *why = in->api->last_error(in->ctx);
    if (why && *why) {
      PyErr_SetString(PyExc_KeyError, why);
      return NULL;
    }
  }
  npy_intp dims[1] = {(npy_intp)got};
  Py_INCREF(candle_dtype); /* stolen by the call */
  PyObject *a = PyArray_NewFromDescr(&PyArray_Type, candle_dtype, 1, dims, NULL, NULL, 0, NULL);
  if (!a) {
    return NULL;
  }
  char *data = PyArray_BYTES((PyArrayObject *)a);
  memcpy(data, in->scratch, got * sizeof(argo_candle));
  const char *none = NULL; /* the symbol pointers are not the strategy's business */
  for (size_t i = 0; i < got; i++) {
    memcpy(data + i * sizeof(argo_candle) + offsetof(argo_candle, symbol), &none, sizeof none);
  }
  return a;
}

static PyObject *h_mark(PyObject *self, PyObject *args, PyObject *kw) {
  static char *kwn[] = {"title", "message",  "symbol",      "color", "shape",
                        "level", "category", "signal_type", NULL};
  py_inst *in = live(self);
  argo_mark m = {0};
  if (!in || !PyArg_ParseTupleAndKeywords(args, kw, "|zz$zzzzzz:mark", kwn, &m.title, &m.message,
                                          &m.symbol, &m.color, &m.shape, &m.level, &m.category,
                                          &m.signal_type)) {
    return NULL;
  }
  int rc = in->api->mark(in->ctx, &m);
  if (rc != ARGO_S_OK) {
    return fail(in, rc);
  }
  Py_RETURN_NONE;
}

static int parse_level(PyObject *v, argo_log_level *out) {
  static const char *names[] = {"debug", "info", "warning", "error"};
  const char *text = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
  for (int i = 0; text && i < 4; i++) {
    if (strcasecmp(text, names[i]) == 0) {
      *out = (argo_log_level)i;
      return 0;
    }
  }
  PyErr_Clear();
  PyErr_Format(PyExc_ValueError, "level must be argo.DEBUG, INFO, WARNING or ERROR, not %R",
               v ? v : Py_None);
  return -1;
}

/* A log line: fields are the keyword arguments, their values written with str(). */
static PyObject *do_log(py_inst *in, argo_log_level level, PyObject *msg, PyObject *kw) {
  const char *text = PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : NULL;
  PyObject *str = NULL;
  if (!text) {
    PyErr_Clear();
    str = PyObject_Str(msg);
    text = str ? PyUnicode_AsUTF8(str) : NULL;
    if (!text) {
      Py_XDECREF(str);
      return NULL;
    }
  }
  Py_ssize_t n = kw ? PyDict_Size(kw) : 0;
  argo_kv *fields = PyMem_Calloc(n ? (size_t)n : 1, sizeof *fields);
  PyObject *values = PyList_New(0); /* keeps the str() of the values alive */
  PyObject *result = NULL;
  if (!fields || !values) {
    PyErr_NoMemory();
    goto done;
  }
  Py_ssize_t pos = 0, i = 0;
  PyObject *k, *v;
  while (kw && PyDict_Next(kw, &pos, &k, &v)) {
    PyObject *vs = PyUnicode_Check(v) ? (Py_INCREF(v), v) : PyObject_Str(v);
    if (!vs || PyList_Append(values, vs) != 0) {
      Py_XDECREF(vs);
      goto done;
    }
    Py_DECREF(vs);
    fields[i].key = PyUnicode_AsUTF8(k);
    fields[i].value = PyUnicode_AsUTF8(vs);
    if (!fields[i].key || !fields[i].value) {
      goto done;
    }
    i++;
  }
  int rc = in->api->log(in->ctx, level, text, fields, (size_t)i);
  if (rc != ARGO_S_OK) {
    fail(in, rc);
    goto done;
  }
  result = Py_None;
  Py_INCREF(result);
done:
  PyMem_Free(fields);
  Py_XDECREF(values);
  Py_XDECREF(str);
  return result;
}

static PyObject *h_log(PyObject *self, PyObject *args, PyObject *kw) {
  py_inst *in = live(self);
  PyObject *level, *msg;
  argo_log_level lv;
  if (!in || !PyArg_UnpackTuple(args, "log", 2, 2, &level, &msg) || parse_level(level, &lv)) {
    return NULL;
  }
  return do_log(in, lv, msg, kw);
}

static PyObject *log_at(PyObject *self, PyObject *args, PyObject *kw, argo_log_level lv) {
  py_inst *in = live(self);
  PyObject *msg;
  if (!in || !PyArg_UnpackTuple(args, "log", 1, 1, &msg)) {
    return NULL;
  }
  return do_log(in, lv, msg, kw);
}

static PyObject *h_debug(PyObject *self, PyObject *args, PyObject *kw) {
  return log_at(self, args, kw, ARGO_LOG_DEBUG);
}

static PyObject *h_info(PyObject *self, PyObject *args, PyObject *kw) {
  return log_at(self, args, kw, ARGO_LOG_INFO);
}

static PyObject *h_warning(PyObject *self, PyObject *args, PyObject *kw) {
  return log_at(self, args, kw, ARGO_LOG_WARNING);
}

static PyObject *h_error(PyObject *self, PyObject *args, PyObject *kw) {
  return log_at(self, args, kw, ARGO_LOG_ERROR);
}

/* A host call that writes text for arg into (buf, cap) and returns its length, or
 * ARGO_S_TOOSMALL when it needs more room (cache_get, ta_info). */
typedef int (*host_text_fn)(argo_strategy_ctx *ctx, const char *arg, char *buf, size_t cap);

/* Calls fn with room growing fourfold from *cap bytes (small, the caller's stack buffer, first)
 * up to max: its return code, the text in *buf (the caller frees it with PyMem_Free when it is
 * not small). NO_ROOM with MemoryError set when the room cannot grow. */
#define NO_ROOM (-1000)
static int host_text(py_inst *in, host_text_fn fn, const char *arg, char *small, size_t *cap,
                     size_t max, char **buf) {
  *buf = small;
  for (;;) {
    int rc = fn(in->ctx, arg, *buf, *cap);
    if (rc != ARGO_S_TOOSMALL || *cap > max) {
      return rc;
    }
    size_t ncap = *cap * 4;
    char *b = *buf == small ? PyMem_Malloc(ncap) : PyMem_Realloc(*buf, ncap);
    if (!b) {
      PyErr_NoMemory();
      return NO_ROOM;
    }
    *buf = b;
    *cap = ncap;
  }
}

static PyObject *h_cache_get(PyObject *self, PyObject *args) {
  py_inst *in = live(self);
  const char *key;
  PyObject *dflt = Py_None;
  if (!in || !PyArg_ParseTuple(args, "s|O:cache_get", &key, &dflt)) {
    return NULL;
  }
  char small[256], *buf;
  size_t cap = sizeof small;
  PyObject *result = NULL;
  int rc = host_text(in, in->api->cache_get, key, small, &cap, (size_t)1 << 30, &buf);
  if (rc >= 0) {
    result = PyUnicode_DecodeUTF8(buf, rc, "surrogateescape");
  } else if (rc == ARGO_S_NOTFOUND) {
    result = dflt;
    Py_INCREF(result);
  } else if (rc != NO_ROOM) {
    fail(in, rc);
  }
  if (buf != small) {
    PyMem_Free(buf);
  }
  return result;
}

static PyObject *h_cache_set(PyObject *self, PyObject *args) {
  py_inst *in = live(self);
  const char *key, *value;
  if (!in || !PyArg_ParseTuple(args, "ss:cache_set", &key, &value)) {
    return NULL;
  }
  int rc = in->api->cache_set(in->ctx, key, value);
  if (rc != ARGO_S_OK) {
    return fail(in, rc);
  }
  Py_RETURN_NONE;
}

static PyObject *h_now(PyObject *self, PyObject *unused) {
  py_inst *in = live(self);
  return in ? PyLong_FromLongLong(in->api->now(in->ctx)) : NULL;
}

static PyObject *h_last_error(PyObject *self, PyObject *unused) {
  py_inst *in = live(self);
  return in ? PyUnicode_FromString(in->api->last_error(in->ctx)) : NULL;
}

static PyObject *h_config(PyObject *self, void *unused) {
  PyObject *c = ((host_obj *)self)->config;
  Py_INCREF(c);
  return c;
}

#define KW (METH_VARARGS | METH_KEYWORDS)
#define FN(f) ((PyCFunction)(void (*)(void))(f))

/* ---- argo.Indicators: TA-Lib through the host (strategy.h's ta_* calls, docs section 7) ---- */

/* No TA-Lib function takes more optional inputs than this (SAREXT has 8). */
#define TA_OPTIONS_MAX 16

static PyObject *json_loads; /* json.loads, for ta_info's JSON */

/* The indicator calls were appended to argo_host_api: a host without them (an argo older than
 * them) gives the strategy host.indicators = None. */
static int host_has_indicators(const argo_host_api *api) {
  return api->struct_size >= offsetof(argo_host_api, ta_atr) + sizeof api->ta_atr && api->ta_call &&
         api->ta_info && api->ta_sma && api->ta_ema && api->ta_rsi && api->ta_macd &&
         api->ta_bbands && api->ta_atr;
}

typedef struct ind_obj {
  PyObject_HEAD py_inst *in; /* NULL once the strategy was destroyed, as its host's */
  PyObject *nout;            /* call(): function name (str) -> how many outputs it has */
} ind_obj;

/* The arguments of a METH_FASTCALL | METH_KEYWORDS method, by position or keyword, into
 * out[0..nmax) (NULL where not given): fname(names...), the first nmin required. */
static int take_args(const char *fname, const char *const *names, int nmin, int nmax,
                     PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, PyObject **out) {
  if (nargs > nmax) {
    PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", fname, nmax,
                 nargs);
    return -1;
  }
  for (int i = 0; i < nmax; i++) {
    out[i] = i < nargs ? args[i] : NULL;
  }
  Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; k < nkw; k++) {
    PyObject *key = PyTuple_GET_ITEM(kwnames, k);
    int i = 0;
    while (i < nmax && PyUnicode_CompareWithASCIIString(key, names[i]) != 0) {
      i++;
    }
    if (i == nmax) {
      PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", fname, key);
      return -1;
    }
    if (out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, names[i]);
      return -1;
    }
    out[i] = args[nargs + k];
  }
  for (int i = 0; i < nmin; i++) {
    if (!out[i]) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
      return -1;
    }
  }
  return 0;
}

/* The symbol of an indicator call as the host is given it. For a str the Python host made (the
 * candle's symbol, so the usual argument) it is the session's own string, which the host
 * recognizes by its pointer without hashing: learnt once per symbol from recent_candles, whose
 * symbol strings stay valid until the strategy is destroyed (strategy.h). Any other str is
 * passed as text. NULL with an exception set when it is not a str. */
static const char *ta_symbol(py_inst *in, PyObject *arg) {
  for (size_t i = 0; i < in->nsym; i++) {
    if (in->sym_obj[i] != arg) {
      continue;
    }
    if (in->sym_ptr[i]) {
      return in->sym_ptr[i];
    }
    const char *text = PyUnicode_AsUTF8(arg);
    argo_candle c;
    if (text && in->api->recent_candles(in->ctx, text, &c, 1) == 1 && c.symbol &&
        strcmp(c.symbol, text) == 0) {
      in->sym_ptr[i] = c.symbol;
    }
    return text;
  }
  if (!PyUnicode_Check(arg)) {
    PyErr_Format(PyExc_TypeError, "symbol must be a str, not %.200s", Py_TYPE(arg)->tp_name);
    return NULL;
  }
  return PyUnicode_AsUTF8(arg);
}

static int int_arg(PyObject *o, const char *what, int *out) {
  int overflow = 0;
  long v = PyLong_AsLongAndOverflow(o, &overflow);
  if (v == -1 && PyErr_Occurred()) {
    return -1;
  }
  if (overflow || v < INT_MIN || v > INT_MAX) {
    PyErr_Format(PyExc_ValueError, "%s is out of range: %R", what, o);
    return -1;
  }
  *out = (int)v;
  return 0;
}

static int size_arg(PyObject *o, const char *what, Py_ssize_t *out) {
  Py_ssize_t v = PyLong_AsSsize_t(o);
  if (v == -1 && PyErr_Occurred()) {
    return -1;
  }
  if (v < 0) {
    PyErr_Format(PyExc_ValueError, "%s must be >= 0, not %zd", what, v);
    return -1;
  }
  *out = v;
  return 0;
}

static int double_arg(PyObject *o, double *out) {
  double v = PyFloat_AsDouble(o);
  if (v == -1.0 && PyErr_Occurred()) {
    return -1;
  }
  *out = v;
  return 0;
}

/* A shortcut's answer: its value; None while the window holds too few candles (ARGO_S_STATE,
 * where the C call writes NaN); else the exception of the failure (fail). */
static PyObject *ta_value(py_inst *in, int rc, double v) {
  if (rc == ARGO_S_OK) {
    return PyFloat_FromDouble(v);
  }
  if (rc == ARGO_S_STATE) {
    Py_RETURN_NONE;
  }
  return fail(in, rc);
}

/* The same for the shortcuts of three outputs: a tuple of three floats, or None. */
static PyObject *ta_triple(py_inst *in, int rc, const double v[3]) {
  if (rc == ARGO_S_STATE) {
    Py_RETURN_NONE;
  }
  if (rc != ARGO_S_OK) {
    return fail(in, rc);
  }
  PyObject *t = PyTuple_New(3);
  for (Py_ssize_t i = 0; t && i < 3; i++) {
    PyObject *f = PyFloat_FromDouble(v[i]);
    if (!f) {
      Py_CLEAR(t);
      break;
    }
    PyTuple_SET_ITEM(t, i, f);
  }
  return t;
}

enum { TA_SMA, TA_EMA, TA_RSI, TA_ATR };

/* sma, ema, rsi and atr: (symbol, period) -> float or None. */
static PyObject *ta_period(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames, int which) {
  static const char *const fnames[] = {"sma", "ema", "rsi", "atr"};
  static const char *const names[] = {"symbol", "period"};
  py_inst *in = live_in(((ind_obj *)self)->in);
  PyObject *a[2];
  const char *symbol;
  int period;
  if (!in || take_args(fnames[which], names, 2, 2, args, nargs, kwnames, a) ||
      !(symbol = ta_symbol(in, a[0])) || int_arg(a[1], "period", &period)) {
    return NULL;
  }
  const argo_host_api *api = in->api;
  int (*fn)(argo_strategy_ctx *, const char *, int, double *) = which == TA_SMA   ? api->ta_sma
                                                                : which == TA_EMA ? api->ta_ema
                                                                : which == TA_RSI ? api->ta_rsi
                                                                                  : api->ta_atr;
  double v = NAN;
  int rc = fn(in->ctx, symbol, period, &v); /* before v is read: not in ta_value's arguments */
  return ta_value(in, rc, v);
}

static PyObject *i_sma(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  return ta_period(self, args, nargs, kw, TA_SMA);
}

static PyObject *i_ema(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  return ta_period(self, args, nargs, kw, TA_EMA);
}

static PyObject *i_rsi(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  return ta_period(self, args, nargs, kw, TA_RSI);
}

static PyObject *i_atr(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  return ta_period(self, args, nargs, kw, TA_ATR);
}

static PyObject *i_macd(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  static const char *const names[] = {"symbol", "fast", "slow", "signal"};
  py_inst *in = live_in(((ind_obj *)self)->in);
  PyObject *a[4];
  const char *symbol;
  int p[3] = {12, 26, 9}; /* TA-Lib's defaults */
  if (!in || take_args("macd", names, 1, 4, args, nargs, kw, a) ||
      !(symbol = ta_symbol(in, a[0])) || (a[1] && int_arg(a[1], "fast", &p[0])) ||
      (a[2] && int_arg(a[2], "slow", &p[1])) || (a[3] && int_arg(a[3], "signal", &p[2]))) {
    return NULL;
  }
  double v[3] = {NAN, NAN, NAN};
  int rc = in->api->ta_macd(in->ctx, symbol, p[0], p[1], p[2], &v[0], &v[1], &v[2]);
  return ta_triple(in, rc, v);
}

static PyObject *i_bbands(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  static const char *const names[] = {"symbol", "period", "nbdev_up", "nbdev_down"};
  py_inst *in = live_in(((ind_obj *)self)->in);
  PyObject *a[4];
  const char *symbol;
  int period;
  double up = 2, down = 2;
  if (!in || take_args("bbands", names, 2, 4, args, nargs, kw, a) ||
      !(symbol = ta_symbol(in, a[0])) || int_arg(a[1], "period", &period) ||
      (a[2] && double_arg(a[2], &up)) || (a[3] && double_arg(a[3], &down))) {
    return NULL;
  }
  double v[3] = {NAN, NAN, NAN};
  int rc = in->api->ta_bbands(in->ctx, symbol, period, up, down, &v[0], &v[1], &v[2]);
  return ta_triple(in, rc, v);
}

/* ta_info's JSON for function (NULL: the list of names), parsed. An unknown function raises
 * ValueError with the host's message. */
static PyObject *ta_describe(py_inst *in, const char *function) {
  char small[8192], *buf;
  size_t cap = sizeof small;
  PyObject *result = NULL;
  int rc = host_text(in, in->api->ta_info, function, small, &cap, (size_t)1 << 26, &buf);
  if (rc >= 0) {
    PyObject *text = PyUnicode_DecodeUTF8(buf, rc, "strict");
    result = text ? PyObject_CallOneArg(json_loads, text) : NULL;
    Py_XDECREF(text);
  } else if (rc == ARGO_S_NOTFOUND) {
    const char *why = in->api->last_error(in->ctx);
    PyErr_SetString(PyExc_ValueError, why && *why ? why : "no such TA-Lib function");
  } else if (rc != NO_ROOM) {
    fail(in, rc);
  }
  if (buf != small) {
    PyMem_Free(buf);
  }
  return result;
}

/* How many outputs function has, from ta_info once per name, then from the object's cache. */
static Py_ssize_t ta_outputs(ind_obj *io, py_inst *in, PyObject *name, const char *function) {
  PyObject *known = PyDict_GetItemWithError(io->nout, name);
  if (known) {
    return PyLong_AsSsize_t(known);
  }
  if (PyErr_Occurred()) {
    return -1;
  }
  PyObject *d = ta_describe(in, function);
  if (!d) {
    return -1;
  }
  PyObject *outs = PyDict_Check(d) ? PyDict_GetItemString(d, "outputs") : NULL;
  Py_ssize_t n = outs && PyList_Check(outs) ? PyList_GET_SIZE(outs) : -1;
  Py_DECREF(d);
  if (n < 1 || n > 16) {
    PyErr_Format(host_error, "ta_info('%s') did not list the function's outputs", function);
    return -1;
  }
  PyObject *v = PyLong_FromSsize_t(n);
  if (!v || PyDict_SetItem(io->nout, name, v) != 0) {
    Py_XDECREF(v);
    return -1;
  }
  Py_DECREF(v);
  return n;
}

/* call(name, symbol, inputs=None, options=None, window=0, nlast=1): ta_call, into numpy arrays
 * made for the answer (output k's values are row k of one (outputs, nlast) array). */
static PyObject *i_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  static const char *const names[] = {"name", "symbol", "inputs", "options", "window", "nlast"};
  ind_obj *io = (ind_obj *)self;
  py_inst *in = live_in(io->in);
  PyObject *a[6];
  if (!in || take_args("call", names, 2, 6, args, nargs, kw, a)) {
    return NULL;
  }
  if (!PyUnicode_Check(a[0])) {
    PyErr_Format(PyExc_TypeError, "call: name must be a str (a TA-Lib function), not %.200s",
                 Py_TYPE(a[0])->tp_name);
    return NULL;
  }
  const char *function = PyUnicode_AsUTF8(a[0]);
  Py_ssize_t nout = function ? ta_outputs(io, in, a[0], function) : -1;
  const char *symbol = nout > 0 ? ta_symbol(in, a[1]) : NULL;
  if (!symbol) {
    return NULL;
  }
  const char *inputs = NULL;
  if (a[2] && a[2] != Py_None) {
    if (!PyUnicode_Check(a[2])) {
      PyErr_Format(PyExc_TypeError,
                   "call: inputs must be a str of price names ('high,low'), not %.200s",
                   Py_TYPE(a[2])->tp_name);
      return NULL;
    }
    if (!(inputs = PyUnicode_AsUTF8(a[2]))) {
      return NULL;
    }
  }
  double opts[TA_OPTIONS_MAX];
  Py_ssize_t nopts = 0;
  if (a[3] && a[3] != Py_None) {
    PyObject *seq = PySequence_Fast(
        a[3], "call: options must be a sequence of numbers (None for a default), or None");
    if (!seq) {
      return NULL;
    }
    nopts = PySequence_Fast_GET_SIZE(seq);
    int bad = 0;
    if (nopts > TA_OPTIONS_MAX) {
      PyErr_Format(PyExc_ValueError, "%s: %zd options given; no TA-Lib function takes more than %d",
                   function, nopts, TA_OPTIONS_MAX);
      bad = 1;
    }
    for (Py_ssize_t i = 0; !bad && i < nopts; i++) {
      PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
      opts[i] = NAN; /* None: TA-Lib's default, as NaN is in C */
      bad = o != Py_None && double_arg(o, &opts[i]) != 0;
    }
    Py_DECREF(seq);
    if (bad) {
      return NULL;
    }
  }
  Py_ssize_t window = 0, nlast = 1;
  if ((a[4] && size_arg(a[4], "window", &window)) || (a[5] && size_arg(a[5], "nlast", &nlast)) ||
      numpy_ready() != 0) {
    return NULL;
  }
  if (nlast == 0) {
    nlast = 1; /* as ta_call */
  }
  if (nlast > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(double) / nout) {
    PyErr_Format(PyExc_ValueError, "nlast is too large: %zd", nlast);
    return NULL;
  }
  npy_intp dims[2] = {(npy_intp)nout, (npy_intp)nlast};
  PyObject *arr = nout == 1 ? PyArray_SimpleNew(1, dims + 1, NPY_DOUBLE)
                            : PyArray_SimpleNew(2, dims, NPY_DOUBLE);
  if (!arr) {
    return NULL;
  }
  int rc =
      in->api->ta_call(in->ctx, function, symbol, inputs, opts, (size_t)nopts, (size_t)window,
                       (size_t)nlast, PyArray_DATA((PyArrayObject *)arr), (size_t)(nout * nlast));
  /* ARGO_S_STATE: the newest value is not defined yet; the arrays say which are (NaN). */
  if (rc != ARGO_S_OK && rc != ARGO_S_STATE) {
    Py_DECREF(arr);
    return fail(in, rc);
  }
  if (nout == 1) {
    return arr;
  }
  PyObject *t = PyTuple_New(nout);
  for (Py_ssize_t k = 0; t && k < nout; k++) {
    PyObject *row = PySequence_GetItem(arr, k); /* a view of row k */
    if (!row) {
      Py_CLEAR(t);
      break;
    }
    PyTuple_SET_ITEM(t, k, row);
  }
  Py_DECREF(arr);
  return t;
}

static PyObject *i_info(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kw) {
  static const char *const names[] = {"name"};
  py_inst *in = live_in(((ind_obj *)self)->in);
  PyObject *a[1];
  if (!in || take_args("info", names, 0, 1, args, nargs, kw, a)) {
    return NULL;
  }
  const char *function = NULL;
  if (a[0] && a[0] != Py_None) {
    if (!PyUnicode_Check(a[0])) {
      PyErr_Format(PyExc_TypeError, "info: name must be a str or None, not %.200s",
                   Py_TYPE(a[0])->tp_name);
      return NULL;
    }
    if (!(function = PyUnicode_AsUTF8(a[0]))) {
      return NULL;
    }
  }
  return ta_describe(in, function);
}

#define FASTKW (METH_FASTCALL | METH_KEYWORDS)

static PyMethodDef ind_methods[] = {
    {"sma", FN(i_sma), FASTKW,
     "sma(symbol, period) -> TA-Lib's SMA of the closes at the current candle, or None while "
     "the window holds fewer than period candles"},
    {"ema", FN(i_ema), FASTKW, "ema(symbol, period) -> TA-Lib's EMA of the closes, or None"},
    {"rsi", FN(i_rsi), FASTKW, "rsi(symbol, period) -> Wilder's RSI (0 to 100), or None"},
    {"atr", FN(i_atr), FASTKW, "atr(symbol, period) -> Wilder's Average True Range, or None"},
    {"macd", FN(i_macd), FASTKW,
     "macd(symbol, fast=12, slow=26, signal=9) -> (macd, signal, hist), or None"},
    {"bbands", FN(i_bbands), FASTKW,
     "bbands(symbol, period, nbdev_up=2, nbdev_down=2) -> (upper, middle, lower), or None"},
    {"call", FN(i_call), FASTKW,
     "call(name, symbol, inputs=None, options=None, window=0, nlast=1) -> any TA-Lib function "
     "over the last `window` candles (0: all the window holds): a numpy array of its last "
     "nlast values, NaN where not defined yet, or a tuple of one array per output"},
    {"info", FN(i_info), FASTKW,
     "info(name=None) -> the function's description (a dict), or the list of every name"},
    {NULL, NULL, 0, NULL},
};

static void ind_dealloc(PyObject *self) {
  Py_XDECREF(((ind_obj *)self)->nout);
  Py_TYPE(self)->tp_free(self);
}

static PyTypeObject ind_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "argo.Indicators",
    .tp_basicsize = sizeof(ind_obj),
    .tp_dealloc = ind_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "TA-Lib's indicators over the engine's window of candles (self.host.indicators; "
              "docs/strategies.md sections 7 and 9).",
    .tp_methods = ind_methods,
};

static PyObject *ind_new(py_inst *in) {
  ind_obj *o = PyObject_New(ind_obj, &ind_type);
  if (o) {
    o->in = in;
    o->nout = PyDict_New();
    if (!o->nout) {
      Py_CLEAR(o);
    }
  }
  return (PyObject *)o;
}

static PyObject *h_indicators(PyObject *self, void *unused) {
  PyObject *i = ((host_obj *)self)->indicators;
  Py_INCREF(i);
  return i;
}

static PyMethodDef host_methods[] = {
    {"place_order", FN(h_place_order), KW,
     "place_order(symbol, side, quantity, limit_price=None, position_type=argo.LONG) -> order "
     "id, or None while warming up"},
    {"buy", FN(h_buy), KW, "buy(symbol, quantity, limit_price=None, position_type=argo.LONG)"},
    {"sell", FN(h_sell), KW, "sell(symbol, quantity, limit_price=None, position_type=argo.LONG)"},
    {"cancel_order", h_cancel_order, METH_O, "cancel_order(order_id) -> True if cancelled"},
    {"cancel_all", FN(h_cancel_all), KW, "cancel_all(symbol=None) -> how many were cancelled"},
    {"position", h_position, METH_O, "position(symbol) -> argo.Position"},
    {"positions", h_positions, METH_NOARGS, "positions() -> [argo.Position]"},
    {"account", h_account, METH_NOARGS, "account() -> argo.Account"},
    {"open_orders", h_open_orders, METH_NOARGS, "open_orders() -> [argo.Order], oldest first"},
    {"candles", FN(h_candles), METH_FASTCALL,
     "candles(symbol, n) -> numpy array of the last n candles (fields time, open, high, low, "
     "close, volume), oldest first, the current one included"},
    {"mark", FN(h_mark), KW,
     "mark(title='', message='', *, symbol=None, color=None, shape=None, level=None, "
     "category=None, signal_type=None)"},
    {"log", FN(h_log), KW, "log(level, message, **fields)"},
    {"debug", FN(h_debug), KW, "debug(message, **fields)"},
    {"info", FN(h_info), KW, "info(message, **fields)"},
    {"warning", FN(h_warning), KW, "warning(message, **fields)"},
    {"error", FN(h_error), KW, "error(message, **fields)"},
    {"cache_get", h_cache_get, METH_VARARGS, "cache_get(key, default=None) -> str"},
    {"cache_set", h_cache_set, METH_VARARGS, "cache_set(key, value): value a str"},
    {"now", h_now, METH_NOARGS, "now() -> the current candle's time (microseconds)"},
    {"last_error", h_last_error, METH_NOARGS, "last_error() -> why the last host call failed"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef host_getset[] = {
    {"config", h_config, NULL, "the strategy's configuration (a dict)", NULL},
    {"indicators", h_indicators, NULL,
     "argo.Indicators: TA-Lib's indicators; None when the host has none (an older argo)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static void host_dealloc(PyObject *self) {
  Py_XDECREF(((host_obj *)self)->config);
  Py_XDECREF(((host_obj *)self)->indicators);
  Py_TYPE(self)->tp_free(self);
}

static PyTypeObject host_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "argo.Host",
    .tp_basicsize = sizeof(host_obj),
    .tp_dealloc = host_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "What a strategy calls: orders, positions, the account, candles, marks, logs, a "
              "cache, its configuration and indicators (self.host).",
    .tp_methods = host_methods,
    .tp_getset = host_getset,
};

PyObject *argo__py_host_new(py_inst *in, PyObject *config) {
  host_obj *h = PyObject_New(host_obj, &host_type);
  if (h) {
    h->in = in;
    h->config = config;
    Py_INCREF(config);
    /* Made once: the strategy reaches it on every candle. */
    h->indicators = host_has_indicators(in->api) ? ind_new(in) : (Py_INCREF(Py_None), Py_None);
    if (!h->indicators) {
      Py_CLEAR(h);
    }
  }
  return (PyObject *)h;
}

void argo__py_host_detach(PyObject *host) {
  host_obj *h = (host_obj *)host;
  h->in = NULL;
  if (h->indicators && Py_IS_TYPE(h->indicators, &ind_type)) {
    ((ind_obj *)h->indicators)->in = NULL;
  }
}

/* ---- the module --------------------------------------------------------------------------- */

static struct PyModuleDef argo_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "argo",
    .m_doc = "argo's Python strategy API (docs/strategies.md): subclass argo.Strategy.",
    .m_size = -1,
};

static int add_str(PyObject *mod, const char *name, const char *value, PyObject **keep) {
  PyObject *s = PyUnicode_InternFromString(value);
  if (!s || PyModule_AddObjectRef(mod, name, s) != 0) {
    Py_XDECREF(s);
    return -1;
  }
  *keep = s; /* one reference kept for the process */
  return 0;
}

static PyTypeObject *new_structseq(PyObject *mod, PyStructSequence_Desc *desc, const char *name) {
  PyTypeObject *t = PyStructSequence_NewType(desc);
  if (t && PyModule_AddObjectRef(mod, name, (PyObject *)t) != 0) {
    Py_CLEAR(t);
  }
  return t;
}

PyObject *argo__py_module_new(void) {
  if (PyType_Ready(&candle_type) < 0 || PyType_Ready(&host_type) < 0 ||
      PyType_Ready(&ind_type) < 0) {
    return NULL;
  }
  if (!json_loads) {
    PyObject *json = PyImport_ImportModule("json");
    json_loads = json ? PyObject_GetAttrString(json, "loads") : NULL; /* kept for the process */
    Py_XDECREF(json);
    if (!json_loads) {
      return NULL;
    }
  }
  PyObject *mod = PyModule_Create(&argo_module);
  if (!mod) {
    return NULL;
  }
  PyObject *lv;
  static const char *statuses[5] = {"PENDING", "FILLED", "CANCELLED", "REJECTED", "FAILED"};
  int bad = PyModule_AddObjectRef(mod, "Candle", (PyObject *)&candle_type) ||
            PyModule_AddObjectRef(mod, "Host", (PyObject *)&host_type) ||
            PyModule_AddObjectRef(mod, "Indicators", (PyObject *)&ind_type) ||
            add_str(mod, "BUY", "BUY", &s_buy) || add_str(mod, "SELL", "SELL", &s_sell) ||
            add_str(mod, "MARKET", "MARKET", &s_market) ||
            add_str(mod, "LIMIT", "LIMIT", &s_limit) || add_str(mod, "LONG", "LONG", &s_long) ||
            add_str(mod, "SHORT", "SHORT", &s_short) || add_str(mod, "DEBUG", "debug", &lv) ||
            add_str(mod, "INFO", "info", &lv) || add_str(mod, "WARNING", "warning", &lv) ||
            add_str(mod, "ERROR", "error", &lv);
  for (int i = 0; !bad && i < 5; i++) {
    bad = add_str(mod, statuses[i], statuses[i], &s_status[i]);
  }
  if (!bad) {
    order_type = new_structseq(mod, &order_desc, "Order");
    fill_type = new_structseq(mod, &fill_desc, "Fill");
    position_type = new_structseq(mod, &position_desc, "Position");
    account_type = new_structseq(mod, &account_desc, "Account");
    bad = !order_type || !fill_type || !position_type || !account_type;
  }
  if (!bad) {
    bad = PyDict_SetItemString(PyModule_GetDict(mod), "__builtins__", PyEval_GetBuiltins()) != 0;
  }
  if (!bad) {
    PyObject *code =
        Py_CompileString((const char *)argo__py_prelude, "<argo prelude>", Py_file_input);
    PyObject *r = code ? PyEval_EvalCode(code, PyModule_GetDict(mod), PyModule_GetDict(mod)) : NULL;
    bad = !r;
    Py_XDECREF(r);
    Py_XDECREF(code);
  }
  if (!bad) {
    host_error = PyObject_GetAttrString(mod, "HostError");
    bad = !host_error;
  }
  if (bad) {
    Py_DECREF(mod);
    return NULL;
  }
  return mod;
}
