"""The indicators from Python, for tests/e2e_python.c: the Python twin of tests/plugins/taprobe.c.
On every candle it logs (message "ta") the indicators of the candle's symbol with the same keys
and the same text (%.17g; "none" for a shortcut without a value yet) as the C plugin, so that
the test can compare the two logs row by row. It also checks the rest of host.indicators (info,
errors, call's inputs and options, a symbol given as another str) and raises on a surprise,
which the test sees as a strategy error; on_stop logs "ta: checked" with what it saw."""
import math

import numpy as np

import argo


def expect(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        return str(e)
    raise AssertionError("%s%r did not raise %s" % (fn.__name__, args, exc.__name__))


def text(v):
    return "none" if v is None else "%.17g" % v


class TaProbe(argo.Strategy):
    name = "py_ta_probe"
    version = "0.1.0"
    description = "logs host.indicators on every candle (tests)"
    config_schema = {"type": "object"}

    def initialize(self, config):
        ind = self.ind = self.host.indicators
        assert isinstance(ind, argo.Indicators), ind
        self.names = ind.info()
        assert isinstance(self.names, list) and all(isinstance(n, str) for n in self.names)
        assert "BBANDS" in self.names and "CDLENGULFING" in self.names, self.names
        d = ind.info("bbands")
        assert d["name"] == "BBANDS" and len(d["outputs"]) == 3, d
        assert [o["name"] for o in d["options"]][:1] == ["optInTimePeriod"], d
        # Nothing in the window yet: no value, and call's array is NaN.
        assert ind.sma("BTCUSDT", 20) is None and ind.macd("BTCUSDT") is None
        a = ind.call("SMA", "BTCUSDT", options=[20])
        assert isinstance(a, np.ndarray) and a.shape == (1,) and math.isnan(a[0]), a
        # Errors: ValueError with the host's message; KeyError for a symbol not traded.
        self.unknown = ""
        try:
            ind.call("NOSUCH", "BTCUSDT")
        except ValueError as e:
            self.unknown = str(e)
        assert "NoSuch" in expect(ValueError, ind.info, "NoSuch")
        assert "NOPE" in expect(KeyError, ind.sma, "NOPE", 20)
        expect(KeyError, ind.call, "SMA", "NOPE")
        assert "period" in expect(ValueError, ind.sma, "BTCUSDT", 1)
        expect(ValueError, ind.macd, "BTCUSDT", 12, 26, 1)
        expect(ValueError, ind.ema, "BTCUSDT", 10**12)
        expect(TypeError, ind.sma, "BTCUSDT", 2.5)
        expect(TypeError, ind.sma, 3, 20)
        expect(TypeError, ind.sma, "BTCUSDT")
        expect(TypeError, ind.sma, "BTCUSDT", 20, period=20)
        expect(TypeError, ind.call, "SMA", "BTCUSDT", colour=1)
        expect(ValueError, ind.call, "SMA", "BTCUSDT", window=-1)
        self.n = 0
        self.checked = 0

    def on_candle(self, c):
        ind, s = self.ind, c.symbol
        self.n += 1
        macd = ind.macd(s, 12, 26, 9) or (None, None, None)
        bb = ind.bbands(s, 20) or (None, None, None)
        upper, middle, lower = ind.call("BBANDS", s, options=[20, 2, 2], window=40, nlast=2)
        assert upper.shape == (2,) and middle.shape == (2,), (upper, middle)
        self.host.info("ta", sma=text(ind.sma(s, 20)), ema=text(ind.ema(s, 50)),
                       rsi=text(ind.rsi(s, 14)), macd=text(macd[0]), macd_signal=text(macd[1]),
                       macd_hist=text(macd[2]), bb_upper=text(bb[0]), bb_middle=text(bb[1]),
                       bb_lower=text(bb[2]), atr=text(ind.atr(s, 14)),
                       call_upper=text(upper[0]), call_upper1=text(upper[1]),
                       call_middle=text(middle[0]), call_middle1=text(middle[1]),
                       call_lower=text(lower[0]), call_lower1=text(lower[1]))
        if self.n >= 120 and self.n % 25 == 0:
            self.check(ind, c)

    def check(self, ind, c):
        s = c.symbol
        # The same symbol as another str object: the host is given it as text.
        other = "".join(list(s))
        assert other is not s and ind.sma(other, 20) == ind.sma(s, 20)
        assert ind.bbands(s, 20, nbdev_up=1.5, nbdev_down=2.5) == ind.bbands(s, 20, 1.5, 2.5)
        # call by name over the whole window agrees with the shortcut (TA-Lib sums a longer run,
        # so the last bits may differ), and nlast gives the last values oldest first.
        sma = ind.call("sma", s, options=[20], nlast=3)
        assert sma.shape == (3,) and abs(sma[-1] - ind.sma(s, 20)) <= 1e-9 * abs(sma[-1]), sma
        closes = self.host.candles(s, 22)["close"]
        assert abs(sma[0] - closes[:20].mean()) <= 1e-9 * closes[:20].mean(), (sma, closes)
        # Defaults: an option given as None, or not given, is TA-Lib's default.
        assert np.array_equal(ind.call("RSI", s, options=[None], window=100),
                              ind.call("RSI", s, window=100)), "defaults"
        # Named inputs, and an integer output (a candle pattern) as doubles.
        r = ind.call("CORREL", s, inputs="high,low", options=[30], window=60)
        assert -1 <= r[0] <= 1, r
        p = ind.call("CDLENGULFING", s, window=10, nlast=5)
        assert all(v == int(v) and -100 <= v <= 100 for v in p.tolist()), p  # +-80, +-100
        # A bad option is the host's ValueError.
        assert "SMA" in expect(ValueError, ind.call, "SMA", s, options=[0]), "a bad option"
        expect(ValueError, ind.call, "BBANDS", s, options=[20, 2, 2, 0, 1])
        expect(ValueError, ind.call, "CORREL", s, inputs="high,bid")
        self.checked += 1

    def on_stop(self):
        self.host.info("ta: checked", names=len(self.names), unknown=self.unknown,
                       checks=self.checked)
