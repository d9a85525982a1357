# The do-nothing strategy of bench/bench_python.c: what the Python host costs per candle when the
# strategy itself costs nothing (the C twin is noop_on_candle in bench_python.c).
import argo


class Noop(argo.Strategy):
    name = "bench_noop_py"
    version = "1"
    description = "does nothing on each candle (bench_python)"

    def on_candle(self, candle):
        pass
