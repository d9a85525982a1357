// The fixed candle series of tests/test_indicators.c and the values an independent implementation
// of the indicators gives for it: the npm package technicalindicators 3.1.0 (MIT), not TA-Lib.
// The test holds the output of this script as constants, so it runs offline; to make them again:
//   mkdir /tmp/ti && cd /tmp/ti && npm install technicalindicators@3.1.0 && \
//     NODE_PATH=/tmp/ti/node_modules node /path/to/tools/indicator_reference.js
// Its RSI is rounded to 2 decimals, and its MACD starts both averages at the first candle (TA-Lib
// starts the fast one where the slow one's first value is), so the test compares the last 20
// values, long after the starts no longer matter, with tolerances that say so.
const ti = require('technicalindicators');
const N = 300;
let c = [], h = [], l = [], o = [];
let x = 100;
for (let i = 0; i < N; i++) {
  // a deterministic walk: a sum of waves, prices with 2 decimals
  const close = Math.round((100 + 8 * Math.sin(i / 9) + 3 * Math.sin(i / 2.3) + 0.05 * i) * 100) / 100;
  const open = i ? c[i - 1] : close;
  const hi = Math.round((Math.max(open, close) + 0.5 + (i % 5) * 0.17) * 100) / 100;
  const lo = Math.round((Math.min(open, close) - 0.4 - (i % 7) * 0.11) * 100) / 100;
  c.push(close); o.push(open); h.push(hi); l.push(lo);
}
const fmt = a => a.map(v => v.toFixed(2)).join(', ');
const fmt17 = a => a.map(v => Number.isFinite(v) ? v.toPrecision(17) : 'NAN').join(', ');
const tail = (a, k) => a.slice(a.length - k);
const K = 20;
const sma = ti.SMA.calculate({period: 20, values: c});
const ema = ti.EMA.calculate({period: 50, values: c});
const rsi = ti.RSI.calculate({period: 14, values: c});
const macd = ti.MACD.calculate({values: c, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false});
const bb = ti.BollingerBands.calculate({period: 20, stdDev: 2, values: c});
const atr = ti.ATR.calculate({period: 14, high: h, low: l, close: c});
console.log('open', fmt(o)); console.log('high', fmt(h)); console.log('low', fmt(l)); console.log('close', fmt(c));
console.log('sma20', fmt17(tail(sma, K)));
console.log('ema50', fmt17(tail(ema, K)));
console.log('rsi14', fmt17(tail(rsi, K)));
console.log('macd', fmt17(tail(macd.map(m => m.MACD), K)));
console.log('signal', fmt17(tail(macd.map(m => m.signal), K)));
console.log('hist', fmt17(tail(macd.map(m => m.histogram), K)));
console.log('bbup', fmt17(tail(bb.map(m => m.upper), K)));
console.log('bbmid', fmt17(tail(bb.map(m => m.middle), K)));
console.log('bblow', fmt17(tail(bb.map(m => m.lower), K)));
console.log('atr14', fmt17(tail(atr, K)));
console.log('lens', sma.length, ema.length, rsi.length, macd.length, bb.length, atr.length);
