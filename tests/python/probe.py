"""The host API from Python, for tests/e2e_python.c: every host function is called and its
answer checked here; a surprise raises, which the test sees as a strategy error. One symbol,
BTCUSDT, at least 6 candles, capital 10000."""
import threading

import numpy as np

import argo


def expect(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc:
        return
    raise AssertionError("%s%r did not raise %s" % (fn.__name__, args, exc.__name__))


class Probe(argo.Strategy):
    name = "py_probe"
    id = "org.argo.tests.py_probe"
    version = "0.1.0"
    description = "checks the host API from Python"
    config_schema = '{"type": "object"}'

    def initialize(self, config):
        assert config == {"hello": [1, 2]} and self.host.config == config, config
        assert isinstance(self.host.indicators, argo.Indicators)
        assert self.host.account().balance == 10000
        self.n = 0
        self.updates = []

    def on_candle(self, c):
        h = self.host
        self.n += 1
        assert isinstance(c, argo.Candle) and c.symbol == "BTCUSDT", c
        assert isinstance(c.time, int) and c.time == h.now(), (c.time, h.now())
        assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high, c
        if self.n == 1:
            self.first(h, c)
        elif self.n == 2:
            assert h.cancel_order(self.limit_id) is True
            assert h.cancel_order(self.limit_id) is False
            assert h.open_orders() == []
            pos = h.position("BTCUSDT")
            assert isinstance(pos, argo.Position) and abs(pos.long_qty - 0.01) < 1e-12, pos
            assert pos.last_price == c.close, pos
            sell = h.sell("BTCUSDT", 0.01, position_type=argo.LONG)
            assert sell and h.last_error() == "", h.last_error()
        elif self.n == 3:
            a = h.candles("BTCUSDT", 10)
            assert isinstance(a, np.ndarray) and len(a) == 3, a
            assert a.dtype.names == ("time", "open", "high", "low", "close", "volume"), a.dtype
            assert a["close"][-1] == c.close and a["time"][-1] == c.time, (a, c)
            assert np.all(np.diff(a["time"]) > 0), a
            assert len(h.candles("BTCUSDT", 0)) == 0 and len(h.candles("BTCUSDT", 2)) == 2
            expect(KeyError, h.candles, "NOPE", 3)
            expect(ValueError, h.candles, "BTCUSDT", -1)
            h.buy("BTCUSDT", 0.02, limit_price=c.close * 0.5)
            h.buy("BTCUSDT", 0.03, limit_price=c.close * 0.4)
            assert len(h.open_orders()) == 2
            assert h.cancel_all("BTCUSDT") == 2 and h.cancel_all() == 0
        elif self.n == 4:
            h.info("probe: all checked", candles=self.n, updates=len(self.updates))

    def first(self, h, c):
        assert h.cache_get("missing") is None and h.cache_get("missing", "d") == "d"
        h.cache_set("k", "v" * 1000)  # more than the first buffer holds
        assert h.cache_get("k") == "v" * 1000
        expect(TypeError, h.cache_set, "k", 3)
        acct = h.account()
        assert isinstance(acct, argo.Account) and acct.balance == 10000, acct
        ps = h.positions()
        assert [p.symbol for p in ps] == ["BTCUSDT"] and ps[0].long_qty == 0, ps
        expect(KeyError, h.position, "NOPE")
        expect(ValueError, h.place_order, "BTCUSDT", "UP", 1)
        expect(ValueError, h.buy, "BTCUSDT", 1, position_type="SIDEWAYS")
        expect(TypeError, h.buy, "BTCUSDT")
        rejected = h.buy("BTCUSDT", 1e9)  # more than the account can pay: recorded, REJECTED
        assert rejected and h.last_error() != "", (rejected, h.last_error())
        self.limit_id = h.place_order("BTCUSDT", "buy", 0.01, limit_price=c.close * 0.5)
        assert self.limit_id and h.last_error() == "", h.last_error()
        oo = h.open_orders()
        assert len(oo) == 1 and isinstance(oo[0], argo.Order), oo
        o = oo[0]
        assert (o.order_id, o.type, o.side, o.status, o.position_type) == (
            self.limit_id, argo.LIMIT, argo.BUY, argo.PENDING, argo.LONG), o
        assert o.price == c.close * 0.5 and o.strategy_name == "py_probe", o
        assert h.buy("BTCUSDT", 0.01) and h.last_error() == ""
        # Another thread may not call the host: the engine's state is the engine thread's.
        seen = []

        def other():
            try:
                h.account()
            except RuntimeError:
                seen.append("refused")
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert seen == ["refused"], seen
        h.mark("probe", "first candle", color="green", shape="square", level="warning",
               category="test", signal_type="none")
        expect(ValueError, h.mark, "bad", shape="hexagon")
        expect(KeyError, h.mark, "bad", symbol="NOPE")
        h.log(argo.WARNING, "probe: fields", a=1, b="two", c=None)
        expect(ValueError, h.log, "loud", "x")

    def on_order_update(self, order, fill):
        assert isinstance(order, argo.Order)
        if fill is not None:
            assert isinstance(fill, argo.Fill) and fill.order_id == order.order_id, (order, fill)
            assert fill.executed_qty > 0 and fill.executed_at == self.host.now(), fill
        self.updates.append(order.status + ("+fill" if fill is not None else ""))

    def on_stop(self):
        self.host.info("probe: stopped", updates=",".join(sorted(set(self.updates))))
