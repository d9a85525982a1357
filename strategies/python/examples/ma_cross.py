"""ma_cross in Python: the builtin ma_cross (strategies/builtin/ma_cross.c) line for line.

For each symbol it keeps a fast and a slow simple moving average of closes, with the sums kept
incrementally in a ring of the last `slow` closes (the same additions and subtractions, in the
same order, as the C builtin, so that both see the same crosses to the last bit and their fills
are the same: tests/e2e_python.c checks it). On a golden cross (fast rises above slow) with no
long position it buys `size` of its buying power at market; on a death cross it sells all of it.
Each trade is marked and logged. See bands.py for statistics computed with numpy over the
host's window of candles.

    build/argo run --strategy strategies/python/examples/ma_cross.py --strategy-config '{"fast": 8, "slow": 21}'
"""
import math

import argo

# Recompute the sums from the ring this often, so that rounding cannot accumulate.
RESUM_EVERY = 4096


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


class Averages:
    """The last `slow` closes of one symbol and the two running sums."""

    __slots__ = ("ring", "n", "head", "sum_fast", "sum_slow", "state")

    def __init__(self, slow):
        self.ring = [0.0] * slow
        self.n = 0
        self.head = 0
        self.sum_fast = 0.0
        self.sum_slow = 0.0
        self.state = 0  # +1 fast above slow, -1 below, 0 not known yet


class MaCross(argo.Strategy):
    name = "ma_cross_py"
    id = "org.argo.examples.ma_cross_py"
    version = "1.0.0"
    description = "Moving-average cross: buys on a golden cross, sells on a death cross (Python)"
    config_schema = {
        "type": "object",
        "properties": {
            "fast": {"type": "integer", "minimum": 1, "default": 10,
                     "description": "candles in the fast average"},
            "slow": {"type": "integer", "minimum": 2, "default": 30,
                     "description": "candles in the slow average (more than fast)"},
            "size": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.1,
                     "description": "fraction of buying power per entry"},
        },
    }

    def initialize(self, config):
        fast = number(config, "fast", 10)
        slow = number(config, "slow", 30)
        size = number(config, "size", 0.1)
        if not fast >= 1 or fast != math.floor(fast) or fast > 100000:
            raise ValueError("fast must be a whole number of candles >= 1, got %g" % fast)
        if not slow > fast or slow != math.floor(slow) or slow > 100000:
            raise ValueError("slow must be a whole number of candles greater than fast (%g), "
                             "got %g" % (fast, slow))
        if not (size > 0 and size <= 1):
            raise ValueError("size must be a fraction of buying power in (0, 1], got %g" % size)
        self.fast = int(fast)
        self.slow = int(slow)
        self.size = size
        self.symbols = {}

    def warmup_candles(self):
        return self.slow

    def ago(self, s, back):
        """The close `back` candles ago (0 = the newest)."""
        return s.ring[(s.head + self.slow - 1 - back) % self.slow]

    def on_candle(self, candle):
        s = self.symbols.get(candle.symbol)
        if s is None:
            s = self.symbols[candle.symbol] = Averages(self.slow)
        slow, fast = self.slow, self.fast
        # The close slow - 1 ago leaves the slow window and the one fast - 1 ago the fast one,
        # before the ring slot of the oldest is overwritten.
        if s.n >= slow:
            s.sum_slow -= self.ago(s, slow - 1)
        if s.n >= fast:
            s.sum_fast -= self.ago(s, fast - 1)
        close = candle.close
        s.ring[s.head] = close
        s.head = 0 if s.head + 1 == slow else s.head + 1
        s.n += 1
        s.sum_slow += close
        s.sum_fast += close
        if s.n % RESUM_EVERY == 0:
            a = b = 0.0
            i = 0
            while i < slow and i < s.n:
                v = self.ago(s, i)
                b += v
                a += v if i < fast else 0
                i += 1
            s.sum_fast = a
            s.sum_slow = b
        if s.n < slow:
            return
        f = s.sum_fast / fast
        sl = s.sum_slow / slow
        # Equal averages keep the previous side: a touch is not a cross.
        state = 1 if f > sl else -1 if f < sl else s.state
        if s.state != 0 and state != s.state:
            self.trade(candle, state > 0, f, sl)
        s.state = state

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
                return  # nothing to spend
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
        host.mark(what,
                  "fast average crossed above slow: buy" if golden
                  else "fast average crossed below slow: sell",
                  color="green" if golden else "red", shape="triangle", level="info",
                  category="signal", signal_type="buy_long" if golden else "sell_long")
        host.info("golden cross: bought" if golden else "death cross: sold", **fields)
