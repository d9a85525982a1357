# The indicator strategy of bench/bench_python.c: on each candle, SMA(20), EMA(50), RSI(14) and
# MACD(12,26,9) of the candle's symbol from the host's TA-Lib indicators (the C twin is
# ta_on_candle in bench_python.c, the "shortcuts" strategy of bench_indicators.c). It keeps their
# sum, so that no call can be skipped.
import argo


class Ta(argo.Strategy):
    name = "bench_ta_py"
    version = "1"
    description = "SMA, EMA, RSI and MACD from host.indicators on each candle (bench_python)"
    config_schema = {"type": "object", "properties": {"period": {"type": "integer"}}}

    def initialize(self, config):
        self.ta = self.host.indicators
        self.value = 0.0

    def on_candle(self, candle):
        ta, s = self.ta, candle.symbol
        total = 0.0
        v = ta.sma(s, 20)
        if v is not None:
            total += v
        v = ta.ema(s, 50)
        if v is not None:
            total += v
        v = ta.rsi(s, 14)
        if v is not None:
            total += v
        m = ta.macd(s, 12, 26, 9)
        if m is not None:
            total += m[0] + m[1] + m[2]
        self.value = total
