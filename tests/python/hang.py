"""Never returns from on_candle at candle `hang_at`, for tests/e2e_python.c: with `busy` it
spins in Python (taking the GIL back every switch interval), else it sleeps (the GIL released).
Trades every 5 candles before that (59 fills), so that rows exist before the hang."""
import time

import argo


class Hang(argo.Strategy):
    name = "py_hang"

    def initialize(self, config):
        self.hang_at = config.get("hang_at", 300)
        self.busy = config.get("busy", False)
        self.n = 0

    def on_candle(self, candle):
        self.n += 1
        if self.n % 5 == 0 and self.n < self.hang_at:
            pos = self.host.position(candle.symbol)
            if pos.long_qty > 0:
                self.host.sell(candle.symbol, pos.long_qty)
            else:
                self.host.buy(candle.symbol, 0.01)
        if self.n == self.hang_at:
            while self.busy:
                pass
            time.sleep(3600)
