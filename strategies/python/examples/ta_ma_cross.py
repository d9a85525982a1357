"""ta_ma_cross in Python: strategies/examples/ta_ma_cross.c line for line, on host.indicators.

The builtin ma_cross keeps a ring of closes and two running sums per symbol (ma_cross.py copies
it); this one asks the host for TA-Lib's SMA of the fast and the slow period at every candle
(self.host.indicators.sma, computed in C over the window the engine keeps anyway) and holds
nothing but the side the averages were on. On a golden cross (fast rises above slow) with no
long position it buys `size` of its buying power at market; on a death cross with a long
position it sells all of it; equal averages are no cross. Same configuration and same fills as
the C example (tests/e2e_python.c checks it).

    build/argo run --strategy strategies/python/examples/ta_ma_cross.py --strategy-config '{"fast": 8, "slow": 21}'
"""
import math

import argo


def number(config, key, default):
    """A number of the configuration as the C host's config_number reads it."""
    value = config.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return default


class TaMaCross(argo.Strategy):
    name = "ta_ma_cross_py"
    id = "org.argo.examples.ta_ma_cross_py"
    version = "1.0.0"
    description = "Moving-average cross on TA-Lib's SMA (ta_ma_cross in Python)"
    config_schema = {
        "type": "object",
        "properties": {
            "fast": {"type": "integer", "minimum": 1, "default": 10,
                     "description": "candles in the fast average"},
            "slow": {"type": "integer", "minimum": 2, "maximum": 100000, "default": 30,
                     "description": "candles in the slow average (more than fast)"},
            "size": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.1,
                     "description": "fraction of buying power per entry"},
        },
    }

    def initialize(self, config):
        # The indicators came to the host after its first version: an older argo has none.
        self.ta = self.host.indicators
        if self.ta is None:
            raise RuntimeError("this argo has no indicators (host.indicators): a newer one is "
                               "needed")
        fast = number(config, "fast", 10)
        slow = number(config, "slow", 30)
        size = number(config, "size", 0.1)
        if not (fast >= 1 and slow > fast and slow <= 100000 and fast == math.floor(fast)
                and slow == math.floor(slow)):
            raise ValueError("need whole numbers 1 <= fast < slow <= 100000, got %g and %g"
                             % (fast, slow))
        if not (size > 0 and size <= 1):
            raise ValueError("size must be a fraction of buying power in (0, 1], got %g" % size)
        self.fast = int(fast)
        self.slow = int(slow)
        self.size = size
        self.state = {}  # symbol -> +1 fast above slow, -1 below (0 or absent: not known yet)

    def warmup_candles(self):
        return self.slow

    def on_candle(self, candle):
        sym = candle.symbol
        fast = self.ta.sma(sym, self.fast)
        slow = self.ta.sma(sym, self.slow)
        if fast is None or slow is None:  # the window holds fewer than `slow` candles
            return
        before = self.state.get(sym, 0)
        state = 1 if fast > slow else -1 if fast < slow else before
        if before != 0 and state != before:
            self.trade(candle, state > 0, fast, slow)
        self.state[sym] = state

    def trade(self, candle, golden, fast, slow):
        host = self.host
        pos = host.position(candle.symbol)
        if golden:
            if pos.long_qty > 0:
                return
            qty = self.size * host.account().buying_power / candle.close
            if self.size > 0.99:
                qty *= 0.99  # leave room for the commission, which buying power must cover
            if not qty > 0 or not math.isfinite(qty):
                return
            order_id = host.buy(candle.symbol, qty)
        else:
            if not pos.long_qty > 0:
                return
            qty = pos.long_qty
            order_id = host.sell(candle.symbol, qty)
        why = host.last_error()
        fields = {"fast": "%.6f" % fast, "slow": "%.6f" % slow, "quantity": "%.8g" % qty,
                  "order_id": order_id or ""}
        what = "golden cross" if golden else "death cross"
        if why:
            host.warning("%s: order refused: %s" % (what, why), **fields)
            return
        host.mark(what, color="green" if golden else "red", shape="triangle", category="signal",
                  signal_type="buy_long" if golden else "sell_long")
        host.info("golden cross: bought" if golden else "death cross: sold", **fields)
