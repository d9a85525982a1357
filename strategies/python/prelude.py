# The Python half of the `argo` module that a Python strategy imports (docs/strategies.md).
#
# The Python host (strategies/python/pyhost.c) creates the module in C, with its types (Host,
# Candle, Order, Fill, Position, Account) and constants, then runs this file in the module's
# namespace: it adds the Strategy base class and HostError, and the functions the host calls to
# load a script, start a strategy and describe an exception. Those are written in Python because
# they run once per script or per error, never per candle; the per-candle path is C.
#
# Built into argo_python.so (tools/embed.cmake); nothing is read at run time.

import json as _json
import os as _os
import sys as _sys
import traceback as _traceback
import types as _types


class HostError(RuntimeError):
    """A host function failed for a reason other than a bad argument (ValueError)."""


class Strategy:
    """Base class of a Python strategy: subclass it, set name (and id, version, description,
    config_schema), and define on_candle. argo sets self.host (an argo.Host) before __init__
    runs, and calls the methods below on the engine's thread, one at a time."""

    name = None
    id = ""
    version = ""
    description = ""
    config_schema = None
    host = None

    def initialize(self, config):
        """Called once with the configuration (a dict). Raise to refuse it: the session does not
        start and the message, with this file and line, is shown."""

    def on_candle(self, candle):
        """Called once per finalized candle of every symbol, in time order."""
        raise NotImplementedError

    def on_order_update(self, order, fill):
        """Called after an order of this strategy changed (fill is an argo.Fill or None)."""

    def on_stop(self):
        """Called once after the last candle."""

    def warmup_candles(self):
        """How many past candles per symbol to replay through on_candle at start (read once,
        after initialize)."""
        return 0


class _Refused(Exception):
    """A script that cannot be run: the message says where and why."""


def _exception_text(exc):
    """'ValueError: message', as Python prints it."""
    lines = _traceback.format_exception_only(type(exc), exc)
    return lines[-1].strip() if lines else type(exc).__name__


def _where(exc, path):
    """One line, compiler style: 'file:line: Type: message'. The line is the innermost frame in
    the script itself, else the innermost frame (an error inside a module it imports)."""
    if isinstance(exc, _Refused):
        return str(exc)
    if isinstance(exc, SyntaxError) and exc.lineno:
        return "%s:%d: %s: %s" % (exc.filename or path, exc.lineno, type(exc).__name__, exc.msg)
    frames = _traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename == path]
    frame = mine[-1] if mine else (frames[-1] if frames else None)
    where = "%s:%d" % (frame.filename, frame.lineno) if frame else path
    return "%s: %s" % (where, " ".join(_exception_text(exc).split()))


def _describe(exc, limit):
    """The exception, then the last frames of its traceback that fit in limit characters."""
    head = _exception_text(exc)
    if len(head) > limit:
        return head[: limit - 3] + "..."
    frames = _traceback.extract_tb(exc.__traceback__)
    kept = []
    used = len(head)
    for f in reversed(frames):
        entry = '  File "%s", line %d, in %s' % (f.filename, f.lineno, f.name)
        if f.line:
            entry += "\n    " + f.line.strip()
        if used + len(entry) + 1 > limit:
            break
        kept.insert(0, entry)
        used += len(entry) + 1
    return "\n".join([head] + kept)


def _class_line(code, cls):
    """The line of the class statement: its body's code object is a constant of the module's."""
    for const in code.co_consts:
        if isinstance(const, _types.CodeType) and const.co_name == cls.__name__:
            return const.co_firstlineno
    return 1


def _text(cls, attr, where, required):
    value = getattr(cls, attr, None)
    if value is None or (required and value == ""):
        if required:
            raise _Refused('%s: class %s has no %s (a class attribute: %s = "...")'
                           % (where, cls.__name__, attr, attr))
        return ""
    if not isinstance(value, str):
        raise _Refused("%s: %s.%s must be a str, not %s"
                       % (where, cls.__name__, attr, type(value).__name__))
    if "\0" in value:
        raise _Refused("%s: %s.%s contains a NUL character" % (where, cls.__name__, attr))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise _Refused("%s: %s.%s is not valid text: %s" % (where, cls.__name__, attr, e))
    return value


def _schema(cls, where):
    value = getattr(cls, "config_schema", None)
    if value is None:
        return "{}"
    if isinstance(value, str):
        try:
            _json.loads(value)
        except ValueError as e:
            raise _Refused("%s: %s.config_schema is not JSON: %s" % (where, cls.__name__, e))
        return value
    try:
        return _json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        raise _Refused("%s: %s.config_schema cannot be written as JSON: %s"
                       % (where, cls.__name__, e))


def _find_class(mod, modname, path, code):
    chosen = mod.__dict__.get("STRATEGY")
    if chosen is not None:
        if not (isinstance(chosen, type) and issubclass(chosen, Strategy)):
            raise _Refused("%s: STRATEGY must be a class deriving from argo.Strategy, not %r"
                           % (path, chosen))
        return chosen
    found = [v for v in mod.__dict__.values()
             if isinstance(v, type) and issubclass(v, Strategy) and v.__module__ == modname]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join("%s (line %d)" % (c.__name__, _class_line(code, c)) for c in found)
        raise _Refused("%s: %d strategy classes: %s; set STRATEGY = the one to run"
                       % (path, len(found), names))
    near = [v for v in mod.__dict__.values()
            if isinstance(v, type) and v.__module__ == modname and hasattr(v, "on_candle")]
    if near:
        raise _Refused("%s:%d: class %s has on_candle but does not derive from argo.Strategy "
                       "(import argo; class %s(argo.Strategy): ...)"
                       % (path, _class_line(code, near[0]), near[0].__name__,
                          near[0].__name__))
    raise _Refused("%s: no strategy class: define one deriving from argo.Strategy "
                   "(import argo; class MyStrategy(argo.Strategy): ...)" % path)


def _load(path, modname):
    """Runs the script as module modname and finds its strategy class. Returns (class, name, id,
    version, description, config schema as JSON text, whether it defines on_order_update,
    whether it defines on_stop), or a one-line message saying why it cannot run."""
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        return "cannot read Python strategy '%s': %s" % (path, e.strerror or e)
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        return _where(e, path)
    except ValueError as e:  # a NUL byte in the source
        return "%s: %s" % (path, _exception_text(e))
    mod = _types.ModuleType(modname)
    mod.__file__ = path
    # The script's own folder first on the path, so that it can import modules beside it.
    folder = _os.path.dirname(_os.path.abspath(path))
    if folder not in _sys.path:
        _sys.path.insert(0, folder)
    _sys.modules[modname] = mod
    try:
        exec(code, mod.__dict__)
        cls = _find_class(mod, modname, path, code)
        where = "%s:%d" % (path, _class_line(code, cls))
        if cls.on_candle is Strategy.on_candle:
            raise _Refused("%s: class %s does not define on_candle(self, candle)"
                           % (where, cls.__name__))
        for method in ("initialize", "on_candle", "on_order_update", "on_stop",
                       "warmup_candles"):
            if not callable(getattr(cls, method, None)):
                raise _Refused("%s: %s.%s is not a method" % (where, cls.__name__, method))
        return (cls, _text(cls, "name", where, True), _text(cls, "id", where, False),
                _text(cls, "version", where, False), _text(cls, "description", where, False),
                _schema(cls, where), cls.on_order_update is not Strategy.on_order_update,
                cls.on_stop is not Strategy.on_stop)
    except _Refused as e:
        _sys.modules.pop(modname, None)
        return str(e)
    except BaseException as e:  # SystemExit and KeyboardInterrupt too: they end nothing here
        _sys.modules.pop(modname, None)
        return _where(e, path)


def _unload(modname):
    _sys.modules.pop(modname, None)


def _config(text):
    """The strategy's configuration (JSON text the engine has checked) as a dict."""
    return _json.loads(text)


def _defined_at(cls, method):
    """'file:line' of the def of cls's method, for an answer that is wrong but raised nothing."""
    code = getattr(getattr(cls, method, None), "__code__", None)
    return "%s:%d" % (code.co_filename, code.co_firstlineno) if code else "<%s>" % cls.__name__


def _start(cls, host, config):
    """Makes the strategy object and initializes it. Returns (object, warm-up candles); raises
    what the strategy raised."""
    obj = cls.__new__(cls)
    obj.host = host
    obj.__init__()
    if obj.initialize(config) is False:
        raise _Refused("%s: %s.initialize() returned False"
                       % (_defined_at(cls, "initialize"), cls.__name__))
    n = obj.warmup_candles()
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise _Refused("%s: %s.warmup_candles() must return a whole number >= 0, not %r"
                       % (_defined_at(cls, "warmup_candles"), cls.__name__, n))
    return obj, n
