"""Bollinger bands, long only, in Python (docs/strategies.md, "9. Strategies in Python"): below
the lower band it buys with a limit order that waits `patience` candles at most; at the mean it
sells. Shows numpy over the host's window, limit orders and cancels, positions, marks, logs, the
cache, on_order_update, on_stop and warm-up.

    build/argo run --strategy strategies/python/examples/bands.py --symbols BTCUSDT,ETHUSDT
"""
import numpy as np

import argo


class Bands(argo.Strategy):
    name = "bands"
    id = "org.example.bands"
    version = "1.0.0"
    description = "Buys a dip below the lower Bollinger band, sells at the mean"
    config_schema = {
        "type": "object",
        "properties": {
            "period": {"type": "integer", "minimum": 2, "default": 20},
            "k": {"type": "number", "exclusiveMinimum": 0, "default": 2.0},
            "qty": {"type": "number", "exclusiveMinimum": 0, "default": 0.01},
            "patience": {"type": "integer", "minimum": 1, "default": 3,
                         "description": "candles a limit order may wait before it is cancelled"},
        },
    }

    def initialize(self, config):
        self.period = int(config.get("period", 20))
        self.k = float(config.get("k", 2.0))
        self.qty = float(config.get("qty", 0.01))
        self.patience = int(config.get("patience", 3))
        if self.period < 2 or self.k <= 0 or self.qty <= 0 or self.patience < 1:
            raise ValueError("period >= 2, k > 0, qty > 0 and patience >= 1, got %r" % config)
        self.waiting = {}  # symbol -> (order id, candles waited)

    def warmup_candles(self):
        return self.period  # the bands are ready at the first live candle

    def on_candle(self, candle):
        host, sym = self.host, candle.symbol
        closes = host.candles(sym, self.period)["close"]  # numpy, oldest first, this one last
        if len(closes) < self.period:
            return
        mean, std = np.mean(closes), np.std(closes)
        order = self.waiting.get(sym)
        if order:  # a limit buy still open: give it `patience` candles
            order_id, waited = order
            if waited + 1 >= self.patience and host.cancel_order(order_id):
                host.info("bands: gave up", symbol=sym, order_id=order_id)
                del self.waiting[sym]
            elif sym in self.waiting:
                self.waiting[sym] = (order_id, waited + 1)
            return
        held = host.position(sym).long_qty
        if held == 0 and candle.close < mean - self.k * std:
            order_id = host.buy(sym, self.qty, limit_price=round(candle.close * 0.997, 2))
            if order_id and not host.last_error():
                self.waiting[sym] = (order_id, 0)
                host.mark("dip", "limit buy below %.2f" % (mean - self.k * std), symbol=sym,
                          color="green", shape="triangle", signal_type="buy_long")
        elif held > 0 and candle.close >= mean:
            host.sell(sym, held)
            host.mark("mean", "sold at the mean", symbol=sym, color="red", shape="square",
                      signal_type="sell_long")

    def on_order_update(self, order, fill):
        if order.side == argo.BUY and order.status != argo.PENDING:
            self.waiting.pop(order.symbol, None)
        if fill is not None:
            trades = int(self.host.cache_get("fills", "0")) + 1
            self.host.cache_set("fills", str(trades))
            self.host.info("bands: filled", side=order.side, price=fill.executed_price,
                           pnl=fill.pnl, fills=trades)

    def on_stop(self):
        account = self.host.account()
        self.host.info("bands: stopped", equity=round(account.equity, 2),
                       fills=self.host.cache_get("fills", "0"))
