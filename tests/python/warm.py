"""Asks for `n` candles of warm-up and logs, at its first live candle, how many it saw before
(warm-up candles reach on_candle while place_order returns None), for tests/e2e_python.c."""
import argo


class Warm(argo.Strategy):
    name = "py_warm"

    def initialize(self, config):
        self.n = config.get("n", 5)
        self.seen = 0
        self.refused = 0
        self.logged = False

    def warmup_candles(self):
        return self.n

    def on_candle(self, candle):
        if self.host.buy(candle.symbol, 0.001) is None:
            self.refused += 1
        elif not self.logged:
            self.logged = True
            self.host.info("warm: first live candle", seen=self.seen, refused=self.refused,
                           window=len(self.host.candles(candle.symbol, 100)))
        self.seen += 1
