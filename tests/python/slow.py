"""Sleeps `sleep` seconds in every on_candle (in time.sleep, the GIL released: where CPython's
own SIGINT handler, were it installed, would raise KeyboardInterrupt), for tests/e2e_python.c:
Ctrl-C and SIGTERM must stop the session through argo's handler, cleanly, with on_stop called."""
import time

import argo


class Slow(argo.Strategy):
    name = "py_slow"

    def initialize(self, config):
        self.sleep = float(config.get("sleep", 0.02))
        self.n = 0

    def on_candle(self, candle):
        self.n += 1
        if self.n % 10 == 0:
            pos = self.host.position(candle.symbol)
            if pos.long_qty > 0:
                self.host.sell(candle.symbol, pos.long_qty)
            else:
                self.host.buy(candle.symbol, 0.01)
        time.sleep(self.sleep)

    def on_stop(self):
        self.host.info("slow: stopped", candles=self.n)
