# The SMA strategy of bench/bench_python.c: on each candle, the mean close of the symbol's last
# `period` candles, with numpy over the host's window (the C twin is sma_on_candle in
# bench_python.c). It keeps the latest value, so the work cannot be skipped.
import argo


class Sma(argo.Strategy):
    name = "bench_sma_py"
    version = "1"
    description = "SMA of the last closes with numpy on each candle (bench_python)"
    config_schema = {"type": "object", "properties": {"period": {"type": "integer"}}}

    def initialize(self, config):
        self.period = int(config.get("period", 20))
        self.value = 0.0

    def on_candle(self, candle):
        closes = self.host.candles(candle.symbol, self.period)["close"]
        self.value = closes.mean()
