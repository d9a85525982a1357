"""Raises on purpose, for tests/e2e_python.c: on_candle every `every`-th candle (inside a
helper, so that the traceback has two frames), and on_order_update for every fill when
`order_update` is set. Buys and sells 0.01 every 3 candles."""
import argo


def divide(a, b):
    return a / b


class Raising(argo.Strategy):
    name = "py_raising"

    def initialize(self, config):
        self.every = config.get("every", 10)
        self.order_update = config.get("order_update", False)
        self.n = 0

    def on_candle(self, candle):
        self.n += 1
        if self.n % 3 == 0:
            pos = self.host.position(candle.symbol)
            if pos.long_qty > 0:
                self.host.sell(candle.symbol, pos.long_qty)
            else:
                self.host.buy(candle.symbol, 0.01)
        if self.n % self.every == 0:
            divide(self.n, 0)

    def on_order_update(self, order, fill):
        if self.order_update and fill is not None:
            raise KeyError("no such thing: " + order.order_id)
