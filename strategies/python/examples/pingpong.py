"""pingpong in Python: the builtin pingpong (strategies/builtin/pingpong.c) line for line.

On every `every`-th candle of a symbol it buys `qty` at market if it holds no long position, or
sells the whole long position; each trade is marked and logged. On the same market its fills
are the builtin's (tests/e2e_python.c checks it).

    build/argo run --strategy strategies/python/examples/pingpong.py --strategy-config '{"every": 3}'
"""
import math

import argo


def number(config, key, default):
    """A number of the configuration as the C host's config_number reads it: a JSON number, or
    a string holding one; anything else is the default."""
    value = config.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return default


class PingPong(argo.Strategy):
    name = "pingpong_py"
    id = "org.argo.examples.pingpong_py"
    version = "1.0.0"
    description = "Buys, then sells, every N candles per symbol (Python)"
    config_schema = {
        "type": "object",
        "properties": {
            "every": {"type": "integer", "minimum": 1, "default": 5,
                      "description": "trade on every N-th candle of a symbol"},
            "qty": {"type": "number", "exclusiveMinimum": 0, "default": 0.01,
                    "description": "quantity bought, in units of the symbol"},
        },
    }

    def initialize(self, config):
        every = number(config, "every", 5)
        qty = number(config, "qty", 0.01)
        if not every >= 1 or every != math.floor(every) or every > 1e15:
            raise ValueError("every must be a whole number of candles >= 1, got %g" % every)
        if not qty > 0 or not math.isfinite(qty):
            raise ValueError("qty must be a positive number, got %g" % qty)
        self.every = int(every)
        self.qty = qty
        self.count = {}  # candles seen, per symbol

    def on_candle(self, candle):
        n = self.count.get(candle.symbol, 0) + 1
        self.count[candle.symbol] = n
        if n % self.every != 0:
            return
        host = self.host
        pos = host.position(candle.symbol)
        buy = not pos.long_qty > 0
        qty = self.qty if buy else pos.long_qty
        if buy:
            order_id = host.buy(candle.symbol, qty)
        else:
            order_id = host.sell(candle.symbol, qty)
        why = host.last_error()
        fields = {"quantity": "%.8g" % qty, "order_id": order_id or ""}
        if why:
            host.warning("%s refused: %s" % ("ping" if buy else "pong", why), **fields)
            return
        host.mark("ping" if buy else "pong", "bought" if buy else "sold",
                  color="green" if buy else "red", shape="triangle" if buy else "square",
                  category="trade", signal_type="buy_long" if buy else "sell_long")
        host.info("ping: bought" if buy else "pong: sold", **fields)
