(function () {
  'use strict';
  /*
   * The report's page: the data is the JSON of <script id="argo-data"> (src/inspect/report.c);
   * everything is drawn here, in SVG, with no library and nothing fetched. The price, equity and
   * drawdown charts share one time window: a wheel zooms it around the pointer, a drag pans it,
   * a double click (or the toolbar's reset) shows everything again, and a crosshair follows the
   * pointer across all of them. Times are UTC.
   */
  var body = document.body;
  var drawn = 0;
  function noteDrawn() {
    drawn++;
    body.setAttribute('data-charts', String(drawn));
  }
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('argo-data').textContent);
  body.setAttribute('data-charts-expected', String(data.symbols.length + 2));

  /* ---- helpers ---------------------------------------------------------------------------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function svText(x, y, cls, text, anchor) {
    var t = sv('text', { x: x, y: y, 'class': cls, 'text-anchor': anchor || 'start' });
    t.textContent = text;
    return t;
  }
  function finite(v) { return typeof v === 'number' && isFinite(v); }
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function fmtDate(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
  }
  function fmtTime(ms) {
    var d = new Date(ms);
    var s = fmtDate(ms) + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    return d.getUTCSeconds() ? s + ':' + pad2(d.getUTCSeconds()) : s;
  }
  function isoTime(ms) {
    return finite(ms) ? new Date(ms).toISOString().replace('.000Z', 'Z') : '';
  }
  function fmtNum(v, dp) { return finite(v) ? v.toFixed(dp) : '-'; }
  /* A number with sig meaningful digits: 0.016598760 -> 0.0166, 1.5 -> 1.5, 1234.567 -> 1234.6
   * (never fewer than its integer digits, trailing zeros dropped). */
  function fmtSig(v, sig) {
    if (!finite(v)) return '-';
    if (v === 0) return '0';
    var mag = Math.floor(Math.log(Math.abs(v)) / Math.LN10);
    var dp = Math.min(12, Math.max(0, sig - 1 - mag));
    var s = v.toFixed(dp);
    if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
    return s === '-0' ? '0' : s;
  }
  function fmtQty(v) { return fmtSig(v, 4); }
  function fmtPrice(v) {
    if (!finite(v)) return '-';
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(2) : a >= 1 ? v.toFixed(4) : fmtSig(v, 6);
  }
  function fmtPct(v) {
    if (!finite(v)) return '-';
    return (Math.abs(v) < 5e-7 ? 0 : v * 100).toFixed(2) + '%';
  }
  function fmtRatio(v) { return finite(v) ? v.toFixed(2) : '-'; }
  /* A span of time in its largest whole unit: 90 s -> "1.5m", 3 h -> "3h". */
  function fmtSpan(ms) {
    var units = [[86400000, 'd'], [3600000, 'h'], [60000, 'm'], [1000, 's']];
    for (var i = 0; i < units.length; i++) {
      if (ms >= units[i][0]) return fmtSig(ms / units[i][0], 2) + units[i][1];
    }
    return ms + 'ms';
  }
  function safeColor(c, dflt) {
    return (typeof c === 'string' && /^#?[A-Za-z0-9]{1,20}$/.test(c)) ? c : dflt;
  }
  /* The index of the first element of the sorted array a that is >= x. */
  function lowerBound(a, x) {
    var lo = 0, hi = a.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (a[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  function niceTicks(lo, hi, n) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var step = Math.pow(10, Math.floor(Math.log(span / n) / Math.LN10));
    var err = span / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
    return ticks;
  }

  /* Time ticks on round times: the smallest of these steps that gives at most max ticks, at
   * multiples of it since the epoch (so minutes, hours and UTC midnights). */
  var SEC = 1000, MIN = 60 * SEC, HOUR = 60 * MIN, DAY = 24 * HOUR;
  var STEPS = [SEC, 2 * SEC, 5 * SEC, 10 * SEC, 15 * SEC, 30 * SEC, MIN, 2 * MIN, 5 * MIN, 10 * MIN,
    15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY,
    28 * DAY, 56 * DAY, 112 * DAY, 364 * DAY];
  function timeTicks(t0, t1, max) {
    var step = STEPS[STEPS.length - 1];
    for (var i = 0; i < STEPS.length; i++) {
      if ((t1 - t0) / STEPS[i] <= max) { step = STEPS[i]; break; }
    }
    var ticks = [];
    for (var t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
    return { step: step, ticks: ticks };
  }
  function tickLabel(t, step) {
    var d = new Date(t);
    if (step >= DAY || t % DAY === 0) return pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
    var s = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    return step < MIN ? s + ':' + pad2(d.getUTCSeconds()) : s;
  }

  /* ---- the shared time window --------------------------------------------------------------- */

  var full = { t0: Infinity, t1: -Infinity };
  function extend(ts) {
    if (ts.length) {
      full.t0 = Math.min(full.t0, ts[0]);
      full.t1 = Math.max(full.t1, ts[ts.length - 1]);
    }
  }
  /* A candle's time is its open: the window goes on to the end of the last one. */
  data.symbols.forEach(function (s) {
    var t = data.candles[s] ? data.candles[s].t : [];
    extend(t);
    if (t.length > 1) full.t1 = Math.max(full.t1, t[t.length - 1] + (t[t.length - 1] - t[0]) / (t.length - 1));
  });
  extend(data.equity.t);
  if (!(full.t1 >= full.t0)) { full.t0 = 0; full.t1 = 0; }
  if (full.t1 - full.t0 < 2 * MIN) { full.t0 -= MIN; full.t1 += MIN; }
  var minSpan = Math.max(10 * SEC, (full.t1 - full.t0) / 5000);
  var view = { t0: full.t0, t1: full.t1 };
  var charts = [];

  function setView(t0, t1) {
    var span = Math.max(minSpan, Math.min(t1 - t0, full.t1 - full.t0));
    if (t0 < full.t0) t0 = full.t0;
    if (t0 + span > full.t1) t0 = full.t1 - span;
    view.t0 = t0;
    view.t1 = t0 + span;
    charts.forEach(function (c) { c.redraw(); });
    rangeLabel.textContent = fmtTime(view.t0) + ' to ' + fmtTime(view.t1) + ' UTC';
  }
  function zoomAt(t, factor) {
    setView(t - (t - view.t0) * factor, t + (view.t1 - t) * factor);
  }
  function panBy(dt) { setView(view.t0 + dt, view.t1 + dt); }

  var toolbar = document.getElementById('toolbar');
  function button(label, title, fn) {
    var b = el('button', 'tool', label);
    b.type = 'button';
    b.title = title;
    b.addEventListener('click', fn);
    toolbar.appendChild(b);
    return b;
  }
  button('\u2212', 'zoom out', function () { zoomAt((view.t0 + view.t1) / 2, 2); }).id = 'zoom-out';
  button('+', 'zoom in', function () { zoomAt((view.t0 + view.t1) / 2, 0.5); }).id = 'zoom-in';
  button('\u25c0', 'earlier', function () { panBy(-(view.t1 - view.t0) / 4); }).id = 'pan-left';
  button('\u25b6', 'later', function () { panBy((view.t1 - view.t0) / 4); }).id = 'pan-right';
  button('reset', 'show everything', function () { setView(full.t0, full.t1); }).id = 'zoom-reset';
  var rangeLabel = el('span', 'range', '');
  toolbar.appendChild(rangeLabel);
  toolbar.appendChild(el('span', 'hint', 'wheel: zoom, drag: pan, double click: everything'));

  /* ---- charts ------------------------------------------------------------------------------- */

  var W = 1200, L = 84, R = 16, B = 36;

  /* A chart of the shared window: opt.render(ctx) draws into ctx.layer for the window
   * (ctx.X maps a time to x, ctx.t0/t1) and returns {Y, readout(t)} for the crosshair. */
  function chart(container, opt) {
    var H = opt.height || 300, T = opt.top || 44;
    var svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', role: 'img', 'aria-label': opt.title });
    svg.appendChild(svText(L, 18, 'ctitle', opt.title));
    var layer = sv('g', {}), cross = sv('g', { 'class': 'cross', visibility: 'hidden' });
    var vline = sv('line', { y1: T, y2: H - B, 'class': 'xhair' });
    var hline = sv('line', { x1: L, x2: W - R, 'class': 'xhair' });
    var readout = svText(L, 36, 'readout', '');
    cross.appendChild(vline);
    cross.appendChild(hline);
    cross.appendChild(readout);
    svg.appendChild(layer);
    svg.appendChild(cross);
    if (opt.legend) {
      var lx = W - R - 8;
      for (var k = opt.legend.length - 1; k >= 0; k--) {
        var it = opt.legend[k];
        svg.appendChild(svText(lx, 18, 'legend', it[1], 'end'));
        lx -= it[1].length * 7 + 8;
        svg.appendChild(marker(lx, 13, it[2], it[0], 5));
        lx -= 14;
      }
    }
    container.appendChild(svg);
    var c = { svg: svg, state: null, H: H, T: T };
    function X(t) { return L + (t - view.t0) / (view.t1 - view.t0) * (W - L - R); }
    c.redraw = function () {
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      svg.setAttribute('data-t0', String(Math.round(view.t0)));
      svg.setAttribute('data-t1', String(Math.round(view.t1)));
      timeAxis(layer, X, T, H, T + (opt.lane || 0));
      c.state = opt.render({ layer: layer, X: X, t0: view.t0, t1: view.t1, T: T, H: H, svg: svg });
      layer.appendChild(sv('rect', { x: L, y: T, width: W - L - R, height: H - T - B, 'class': 'frame' }));
    };
    /* The pointer's place in the chart's own units. */
    function at(ev) {
      var r = svg.getBoundingClientRect();
      var x = (ev.clientX - r.left) / (r.width || 1) * W, y = (ev.clientY - r.top) / (r.height || 1) * H;
      return { x: x, y: y, t: view.t0 + (x - L) / (W - L - R) * (view.t1 - view.t0) };
    }
    c.cross = function (t, y) {
      if (t === null) { cross.setAttribute('visibility', 'hidden'); return; }
      var x = X(t);
      vline.setAttribute('x1', x);
      vline.setAttribute('x2', x);
      hline.setAttribute('visibility', y === null ? 'hidden' : 'visible');
      if (y !== null) { hline.setAttribute('y1', y); hline.setAttribute('y2', y); }
      var text = c.state ? c.state.readout(t, y) : '';
      readout.textContent = text;
      cross.setAttribute('visibility', 'visible');
      svg.setAttribute('data-crosshair', String(Math.round(t)));
    };
    var drag = null;
    svg.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      var p = at(ev);
      zoomAt(Math.max(view.t0, Math.min(view.t1, p.t)), ev.deltaY < 0 ? 0.8 : 1.25);
    }, { passive: false });
    svg.addEventListener('mousedown', function (ev) {
      drag = { x: at(ev).x, t0: view.t0, t1: view.t1 };
      ev.preventDefault();
    });
    window.addEventListener('mouseup', function () { drag = null; });
    svg.addEventListener('mousemove', function (ev) {
      var p = at(ev);
      if (drag) {
        var dt = (p.x - drag.x) / (W - L - R) * (drag.t1 - drag.t0);
        setView(drag.t0 - dt, drag.t1 - dt);
        p = at(ev);
      }
      var inside = p.x >= L && p.x <= W - R;
      charts.forEach(function (o) { o.cross(inside ? p.t : null, o === c && p.y >= T && p.y <= H - B ? p.y : null); });
    });
    svg.addEventListener('mouseleave', function () { charts.forEach(function (o) { o.cross(null, null); }); });
    svg.addEventListener('dblclick', function () { setView(full.t0, full.t1); });
    charts.push(c);
    c.redraw();
    noteDrawn();
    return c;
  }

  /* Time ticks on round times and a dashed line at each UTC midnight with its date. */
  function timeAxis(layer, X, T, H, labelTop) {
    var tt = timeTicks(view.t0, view.t1, 8);
    layer.parentNode.setAttribute('data-tick-step', String(tt.step));
    tt.ticks.forEach(function (t) {
      var x = X(t);
      layer.appendChild(sv('line', { x1: x, x2: x, y1: T, y2: H - B, 'class': 'grid' }));
      var tx = svText(x, H - B + 16, 'tick xtick', tickLabel(t, tt.step), 'middle');
      tx.setAttribute('data-t', String(t));
      layer.appendChild(tx);
    });
    layer.appendChild(svText(W - R, H - 4, 'tick', 'UTC', 'end'));
    for (var d = Math.ceil(view.t0 / DAY) * DAY; d <= view.t1; d += DAY) {
      var x = X(d);
      var ln = sv('line', { x1: x, x2: x, y1: T, y2: H - B, 'class': 'daysep' });
      ln.setAttribute('data-t', String(d));
      layer.appendChild(ln);
      layer.appendChild(svText(x + 3, labelTop + 11, 'daylabel', fmtDate(d)));
    }
  }
  function yAxis(layer, y0, y1, Y, T, H, fmt) {
    niceTicks(y0, y1, 5).forEach(function (v) {
      var y = Y(v);
      if (y < T - 0.5 || y > H - B + 0.5) return;
      layer.appendChild(sv('line', { x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid' }));
      layer.appendChild(svText(L - 6, y + 4, 'tick', fmt(v), 'end'));
    });
  }
  function marker(x, y, shape, color, r) {
    var a;
    if (shape === 'up' || shape === 'triangle') {
      a = { d: 'M' + x + ' ' + (y - r) + 'L' + (x + r) + ' ' + (y + r * 0.8) + 'L' + (x - r) + ' ' + (y + r * 0.8) + 'Z' };
    } else if (shape === 'down') {
      a = { d: 'M' + x + ' ' + (y + r) + 'L' + (x + r) + ' ' + (y - r * 0.8) + 'L' + (x - r) + ' ' + (y - r * 0.8) + 'Z' };
    } else if (shape === 'square') {
      return sv('rect', { x: x - r * 0.8, y: y - r * 0.8, width: r * 1.6, height: r * 1.6, fill: color, 'class': 'pt' });
    } else {
      return sv('circle', { cx: x, cy: y, r: r * 0.8, fill: color, 'class': 'pt' });
    }
    a.fill = color;
    a['class'] = 'pt';
    return sv('path', a);
  }
  function withTip(node, cls, text) {
    node.setAttribute('class', node.getAttribute('class') + ' ' + cls);
    var tt = sv('title', {});
    tt.textContent = text;
    node.appendChild(tt);
    return node;
  }

  /* The candles of a symbol in the window, merged further so that a bar is at least 3 units
   * wide: open of the first, high and low of all, close of the last. */
  function visibleCandles(cd, t0, t1, maxBars) {
    var i0 = Math.max(0, lowerBound(cd.t, t0) - 1), i1 = Math.min(cd.t.length, lowerBound(cd.t, t1) + 1);
    var n = i1 - i0, k = Math.max(1, Math.ceil(n / maxBars));
    var out = { t: [], o: [], h: [], l: [], c: [], k: k };
    for (var i = i0; i < i1; i += k) {
      var e = Math.min(i1, i + k), h = cd.h[i], lo = cd.l[i];
      for (var j = i + 1; j < e; j++) { if (cd.h[j] > h) h = cd.h[j]; if (cd.l[j] < lo) lo = cd.l[j]; }
      out.t.push(cd.t[i]); out.o.push(cd.o[i]); out.h.push(h); out.l.push(lo); out.c.push(cd.c[e - 1]);
    }
    return out;
  }

  /* A symbol's candlesticks, its fills on the price (green up triangles buy, red down ones
   * sell) and the strategy's marks in a lane of their own above the candles. */
  function candleChart(container, sym) {
    var cd = data.candles[sym] || { t: [], o: [], h: [], l: [], c: [], merged: 1 };
    var fills = data.fills.filter(function (f) { return f[1] === sym; });
    var marks = data.marks.filter(function (m) { return m[1] === sym; });
    var lane = 22;
    var interval = cd.t.length > 1 ? (cd.t[cd.t.length - 1] - cd.t[0]) / (cd.t.length - 1) : MIN;
    return chart(container, {
      title: sym + ' candles', height: 350, lane: lane,
      legend: [['#15803d', 'buy', 'up'], ['#b91c1c', 'sell', 'down'], ['#7c3aed', 'mark', 'circle']],
      render: function (ctx) {
        var T = ctx.T + lane, H = ctx.H, layer = ctx.layer, X = ctx.X;
        var laneBox = sv('rect', { x: L, y: ctx.T, width: W - L - R, height: lane, 'class': 'lane' });
        layer.appendChild(laneBox);
        layer.appendChild(svText(L - 6, ctx.T + 15, 'tick', 'marks', 'end'));
        var v = visibleCandles(cd, ctx.t0, ctx.t1, (W - L - R) / 3);
        var y0 = Infinity, y1 = -Infinity;
        for (var i = 0; i < v.t.length; i++) {
          if (v.t[i] + interval * v.k < ctx.t0 || v.t[i] > ctx.t1) continue;
          if (v.l[i] < y0) y0 = v.l[i];
          if (v.h[i] > y1) y1 = v.h[i];
        }
        var shownFills = fills.filter(function (f) { return f[0] >= ctx.t0 && f[0] <= ctx.t1; });
        shownFills.forEach(function (f) { if (f[4] < y0) y0 = f[4]; if (f[4] > y1) y1 = f[4]; });
        if (!(y1 >= y0)) { y0 = 0; y1 = 1; }
        if (y1 === y0) { y0 -= Math.abs(y0) * 0.01 || 1; y1 += Math.abs(y1) * 0.01 || 1; }
        var pad = (y1 - y0) * 0.06;
        y0 -= pad; y1 += pad;
        function Y(p) { return T + 4 + (y1 - p) / (y1 - y0) * (H - T - B - 8); }
        yAxis(layer, y0, y1, Y, T, H, fmtPrice);
        var w = Math.max(1, Math.min(14, (X(ctx.t0 + interval * v.k) - X(ctx.t0)) * 0.7));
        var wick = '', up = '', down = '', bars = 0;
        for (var j = 0; j < v.t.length; j++) {
          var x = X(v.t[j] + interval * v.k / 2);
          if (x < L - w || x > W - R + w) continue;
          bars++;
          wick += 'M' + x.toFixed(1) + ' ' + Y(v.h[j]).toFixed(1) + 'V' + Y(v.l[j]).toFixed(1);
          var top = Y(Math.max(v.o[j], v.c[j])), bot = Y(Math.min(v.o[j], v.c[j]));
          var rect = 'M' + (x - w / 2).toFixed(1) + ' ' + top.toFixed(1) + 'h' + w.toFixed(1) + 'V' +
            Math.max(bot, top + 0.8).toFixed(1) + 'h' + (-w).toFixed(1) + 'Z';
          if (v.c[j] >= v.o[j]) up += rect; else down += rect;
        }
        layer.appendChild(sv('path', { d: wick || 'M0 0', 'class': 'wick' }));
        layer.appendChild(sv('path', { d: up || 'M0 0', 'class': 'candle up' }));
        layer.appendChild(sv('path', { d: down || 'M0 0', 'class': 'candle down' }));
        var merged = v.k * (cd.merged || 1);
        ctx.svg.setAttribute('data-candles', String(bars));
        ctx.svg.setAttribute('data-merged', String(merged));
        if (merged > 1) {
          layer.appendChild(svText(W - R - 4, T + 14, 'tick', 'each bar: ' + fmtSpan(interval * v.k) + ' (' + merged + ' candles)', 'end'));
        }
        var small = shownFills.length > 400;
        shownFills.forEach(function (f) {
          var buy = f[2] === 'BUY';
          layer.appendChild(withTip(marker(X(f[0]), Y(f[4]), buy ? 'up' : 'down', buy ? '#15803d' : '#b91c1c', small ? 3.5 : 6), 'fill',
            fmtTime(f[0]) + ' ' + f[2] + ' ' + fmtQty(f[3]) + ' @ ' + fmtPrice(f[4]) + ' (' + f[5] + ') pnl ' + fmtNum(f[6], 2) + ' ' + f[8]));
        });
        marks.forEach(function (m) {
          if (m[0] < ctx.t0 || m[0] > ctx.t1) return;
          layer.appendChild(withTip(marker(X(m[0]), ctx.T + lane / 2, m[4], safeColor(m[3], '#7c3aed'), 6), 'mark',
            fmtTime(m[0]) + ' ' + m[5] + (m[6] ? ': ' + m[6] : '')));
        });
        return {
          readout: function (t, y) {
            var i = lowerBound(v.t, t + 1) - 1;
            var s = fmtTime(t);
            if (i >= 0 && i < v.t.length && t - v.t[i] <= interval * v.k) {
              s = fmtTime(v.t[i]) + '  O ' + fmtPrice(v.o[i]) + '  H ' + fmtPrice(v.h[i]) + '  L ' + fmtPrice(v.l[i]) + '  C ' + fmtPrice(v.c[i]);
            }
            if (y !== null && y >= T) s += '  | ' + fmtPrice(y1 - (y - T - 4) / (H - T - B - 8) * (y1 - y0));
            return s;
          }
        };
      }
    });
  }

  /* Lines over the window: series [{s: {t, v}, color, width, dash, area, name}], thinned to
   * twice the width (the lowest and highest of each bucket). */
  function lineChart(container, opt) {
    return chart(container, {
      title: opt.title, height: opt.height, legend: opt.legend,
      render: function (ctx) {
        var layer = ctx.layer, X = ctx.X, T = ctx.T, H = ctx.H;
        var vis = opt.series.map(function (se) {
          var a = se.s, i0 = Math.max(0, lowerBound(a.t, ctx.t0) - 1), i1 = Math.min(a.t.length, lowerBound(a.t, ctx.t1) + 1);
          var n = i1 - i0, k = Math.max(1, Math.ceil(n / (2 * (W - L - R)))), t = [], v = [];
          for (var i = i0; i < i1; i += k) {
            var e = Math.min(i1, i + k), lo = i, hi = i;
            for (var j = i; j < e; j++) { if (a.v[j] < a.v[lo]) lo = j; if (a.v[j] > a.v[hi]) hi = j; }
            var p = lo < hi ? [lo, hi] : lo === hi ? [lo] : [hi, lo];
            p.forEach(function (q) { t.push(a.t[q]); v.push(se.neg ? -a.v[q] : a.v[q]); });
          }
          return { t: t, v: v, se: se };
        });
        var y0 = Infinity, y1 = -Infinity;
        vis.forEach(function (s) { s.v.forEach(function (x) { if (finite(x)) { if (x < y0) y0 = x; if (x > y1) y1 = x; } }); });
        if (!(y1 >= y0)) {
          layer.appendChild(svText(W / 2, H / 2, 'nodata', 'no data in this range', 'middle'));
          return { readout: function (t) { return fmtTime(t); } };
        }
        if (opt.zero) { if (y0 > 0) y0 = 0; if (y1 < 0) y1 = 0; }
        if (y1 === y0) { y0 -= Math.abs(y0) * 0.01 || 1; y1 += Math.abs(y1) * 0.01 || 1; }
        var pad = (y1 - y0) * 0.06;
        y1 += pad;
        if (!(opt.zero && y0 === 0)) y0 -= pad;
        function Y(x) { return T + (y1 - x) / (y1 - y0) * (H - T - B); }
        yAxis(layer, y0, y1, Y, T, H, opt.yfmt);
        vis.forEach(function (s) {
          var d = '', pen = 'M', first = null, last = null;
          for (var i = 0; i < s.t.length; i++) {
            if (!finite(s.v[i])) { pen = 'M'; continue; }
            var x = X(s.t[i]).toFixed(1), y = Y(s.v[i]).toFixed(1);
            d += pen + x + ' ' + y;
            pen = 'L';
            if (first === null) first = x;
            last = x;
          }
          if (!d) return;
          if (s.se.area) {
            var base = Y(0).toFixed(1);
            layer.appendChild(sv('path', { d: d + 'L' + last + ' ' + base + 'L' + first + ' ' + base + 'Z', fill: s.se.color, 'fill-opacity': 0.15, stroke: 'none' }));
          }
          layer.appendChild(sv('path', { d: d, fill: 'none', stroke: s.se.color, 'stroke-width': s.se.width || 1.5, 'stroke-dasharray': s.se.dash || 'none', 'class': 'line', 'data-series': s.se.name }));
        });
        return {
          readout: function (t) {
            var parts = [fmtTime(t)];
            vis.forEach(function (s) {
              var i = lowerBound(s.t, t + 1) - 1;
              if (i >= 0 && s.se.name) parts.push(s.se.name + ' ' + opt.yfmt(s.v[i]));
            });
            return parts.join('  ');
          }
        };
      }
    });
  }

  /* ---- tables ------------------------------------------------------------------------------- */

  function csvField(v) {
    var s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]|^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function download(name, text) {
    var blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
    var make = window.URL.createObjectURL.bind(window.URL);
    var href = make(blob);
    var a = el('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    var revoke = window.URL.revokeObjectURL.bind(window.URL);
    setTimeout(function () { revoke(href); }, 1000);
  }

  /* A table of spec.rows: columns [{head, num, value(row) (sorted by and written to the CSV),
   * text(row) (shown; value when absent)}]. Its header sorts it (a click: ascending, again:
   * descending) when spec.sortable; its button downloads it as CSV, in the order shown. */
  function table(container, spec) {
    var bar = el('div', 'tablebar');
    var csv = el('button', 'csv', 'Download CSV');
    csv.type = 'button';
    csv.setAttribute('data-table', spec.name);
    bar.appendChild(csv);
    if (spec.note) bar.appendChild(el('span', 'note', spec.note));
    container.appendChild(bar);
    var box = el('div', 'tablebox');
    container.appendChild(box);
    var t = el('table');
    t.setAttribute('data-table', spec.name);
    var thead = el('thead'), hr = el('tr'), tb = el('tbody');
    var rows = spec.rows.slice(), sortCol = -1, dir = 1;
    spec.columns.forEach(function (c, i) {
      var th = el('th', c.num ? 'num' : '', c.head);
      if (spec.sortable) {
        th.className += ' sortable';
        th.setAttribute('aria-sort', 'none');
        th.title = 'sort';
        th.addEventListener('click', function () {
          dir = sortCol === i ? -dir : 1;
          sortCol = i;
          rows.sort(function (a, b) {
            var x = c.value(a), y = c.value(b);
            var xn = x === null || x === undefined || (typeof x === 'number' && !isFinite(x));
            var yn = y === null || y === undefined || (typeof y === 'number' && !isFinite(y));
            if (xn || yn) return xn === yn ? 0 : xn ? 1 : -1; /* no value: last either way */
            return (x < y ? -1 : x > y ? 1 : 0) * dir;
          });
          Array.prototype.forEach.call(hr.children, function (h, k) {
            h.setAttribute('aria-sort', k === i ? (dir > 0 ? 'ascending' : 'descending') : 'none');
          });
          fill();
        });
      }
      hr.appendChild(th);
    });
    thead.appendChild(hr);
    t.appendChild(thead);
    t.appendChild(tb);
    box.appendChild(t);
    function fill() {
      while (tb.firstChild) tb.removeChild(tb.firstChild);
      rows.forEach(function (r) {
        var tr = el('tr');
        spec.columns.forEach(function (c) {
          var text = c.text ? c.text(r) : String(c.value(r));
          var td = el('td', c.num ? 'num' : '', text);
          if (c.num && text.charAt(0) === '-' && text.length > 1) td.className += ' neg';
          tr.appendChild(td);
        });
        tb.appendChild(tr);
      });
    }
    fill();
    csv.addEventListener('click', function () {
      var lines = [spec.columns.map(function (c) { return csvField(c.csvHead || c.head); }).join(',')];
      rows.forEach(function (r) {
        lines.push(spec.columns.map(function (c) { var v = c.value(r); return csvField(c.csv ? c.csv(r) : v); }).join(','));
      });
      download('argo-' + data.session_id.slice(0, 8) + '-' + spec.name + '.csv', lines.join('\n') + '\n');
    });
    return t;
  }
  function col(head, i, num, text, csvHead) {
    return { head: head, num: num, value: function (r) { return r[i]; }, text: text ? function (r) { return text(r[i], r); } : null, csvHead: csvHead };
  }
  function timeCol(head, i, csvHead) {
    return { head: head, value: function (r) { return r[i]; }, text: function (r) { return finite(r[i]) ? fmtTime(r[i]) : '-'; },
      csv: function (r) { return isoTime(r[i]); }, csvHead: csvHead };
  }

  /* ---- the page ----------------------------------------------------------------------------- */

  /* Summary. */
  var sum = document.getElementById('summary');
  var sess = data.session.block;
  var facts = [
    ['session', data.session_id],
    ['strategy', data.strategy.name + (data.strategy.id ? ' (' + data.strategy.id + (data.strategy.version ? ' ' + data.strategy.version : '') + ')' : '')],
    ['symbols', data.symbols.join(', ') + (data.interval ? ', ' + data.interval + ' candles' : '')],
    ['days shown', data.days.length <= 6 ? data.days.map(function (d) { return d.date + '/' + d.run; }).join(', ') : data.days[0].date + '/' + data.days[0].run + ' to ' + data.days[data.days.length - 1].date + '/' + data.days[data.days.length - 1].run + ' (' + data.days.length + ' day folders)'],
    ['status', data.days.length ? data.days[data.days.length - 1].status : '-'],
    ['starting capital', fmtNum(data.capital, 2)]
  ];
  if (data.resumed_from) facts.push(['resumed from', data.resumed_from + ' (positions carried over are not in these files; the curves start from the starting capital)']);
  var dl = el('dl');
  facts.forEach(function (f) { dl.appendChild(el('dt', '', f[0])); dl.appendChild(el('dd', '', f[1])); });
  sum.appendChild(dl);
  /* The session's key figures (stats.yaml's cumulative block of the last day shown). */
  var keyFigs = [
    ['total_return', 'return', fmtPct(sess.total_return)],
    ['buy_and_hold_return', 'buy and hold', fmtPct(sess.buy_and_hold_return)],
    ['max_drawdown', 'max drawdown', fmtPct(sess.max_drawdown)],
    ['sharpe_ratio', 'sharpe ratio', sess.days >= 2 ? fmtRatio(sess.sharpe_ratio) : '-'],
    ['sortino_ratio', 'sortino ratio', sess.days >= 2 ? fmtRatio(sess.sortino_ratio) : '-'],
    ['calmar_ratio', 'calmar ratio', fmtRatio(sess.calmar_ratio)],
    ['profit_factor', 'profit factor', fmtRatio(sess.profit_factor)],
    ['expectancy', 'expectancy', fmtNum(sess.expectancy, 2)],
    ['win_rate', 'win rate', fmtPct(sess.win_rate)],
    ['exposure', 'exposure', fmtPct(sess.exposure)],
    ['holding_count', 'round trips', String(sess.holding_count)],
    ['total_pnl', 'total pnl', fmtNum(sess.total_pnl, 2)]
  ];
  var grid = el('div', 'figures');
  keyFigs.forEach(function (f) {
    var card = el('div', 'figure');
    card.setAttribute('data-figure', f[0]);
    card.appendChild(el('div', 'fv', f[2]));
    card.appendChild(el('div', 'fk', f[1]));
    grid.appendChild(card);
  });
  sum.appendChild(grid);
  sum.appendChild(el('p', 'note', 'Ratios from the daily returns of equity (UTC days), annualized with the square root of 365; calmar: the return per year over the max drawdown; buy and hold: the symbols held alike over the same span (docs/statistics.md).'));
  var c = data.check;
  var ok = Math.abs(c.equity_replayed - c.equity_file) <= 1e-6 * Math.max(1, Math.abs(c.equity_file)) &&
    Math.abs(c.max_drawdown_replayed - c.max_drawdown_file) <= 1e-9;
  sum.appendChild(el('p', ok ? 'check ok' : 'check warn',
    'Curves recomputed from the recorded fills and candle closes: equity at the end ' + fmtNum(c.equity_replayed, 2) +
    ' (stats.yaml: ' + fmtNum(c.equity_file, 2) + '), session max drawdown ' + fmtPct(c.max_drawdown_replayed) +
    ' (stats.yaml: ' + fmtPct(c.max_drawdown_file) + ')' + (ok ? '.' : ' - they differ (a session still running, or one that resumed another).')));

  /* Candles of each symbol, with fills and marks. */
  var prices = document.getElementById('prices');
  data.symbols.forEach(function (sym) {
    var box = el('div', 'chartbox');
    prices.appendChild(box);
    candleChart(box, sym);
  });

  /* Equity, buy and hold, drawdown. */
  var capT = data.equity.t.length ? [data.equity.t[0], data.equity.t[data.equity.t.length - 1]] : [];
  lineChart(document.getElementById('equity'), {
    title: 'Equity (capital + realized + unrealized pnl, at each candle close)',
    legend: [['#0f766e', 'equity', 'circle'], ['#d97706', 'buy and hold', 'circle']],
    series: [{ s: { t: capT, v: capT.map(function () { return data.capital; }) }, color: '#9ca3af', width: 1, dash: '4 4' },
      { s: data.buy_and_hold, color: '#d97706', width: 1.2, dash: '6 3', name: 'buy and hold' },
      { s: data.equity, color: '#0f766e', width: 1.6, name: 'equity' }],
    yfmt: function (v) { return fmtNum(v, 2); }
  });
  lineChart(document.getElementById('drawdown'), {
    title: 'Drawdown from the running equity peak', height: 220, zero: true,
    series: [{ s: data.drawdown, neg: true, color: '#b91c1c', width: 1.2, area: true, name: 'drawdown' }],
    yfmt: function (v) { return fmtPct(-v); }
  });
  setView(full.t0, full.t1);

  /* Statistics: one column per day, then the session; past 6 days, one row per day. */
  var cols = data.days.map(function (d) { return { head: d.date + ' ' + d.run, b: d.daily, candles: d.candles, equity: d.equity, status: d.status }; });
  cols.push({ head: 'session', b: data.session.block, candles: data.session.candles, equity: data.session.equity, status: data.session.status });
  var figs = [
    ['status', function (c) { return c.status; }],
    ['candles', function (c) { return String(c.candles); }],
    ['fills', function (c) { return String(c.b.number_of_trades); }],
    ['winning / losing', function (c) { return c.b.number_of_winning_trades + ' / ' + c.b.number_of_losing_trades; }],
    ['win rate', function (c) { return fmtPct(c.b.win_rate); }],
    ['realized pnl', function (c) { return fmtNum(c.b.realized_pnl, 2); }],
    ['unrealized pnl', function (c) { return fmtNum(c.b.unrealized_pnl, 2); }],
    ['total pnl', function (c) { return fmtNum(c.b.total_pnl, 2); }],
    ['fees', function (c) { return fmtNum(c.b.total_fees, 2); }],
    ['largest profit', function (c) { return fmtNum(c.b.maximum_profit, 2); }],
    ['largest loss', function (c) { return fmtNum(c.b.maximum_loss, 2); }],
    ['max drawdown', function (c) { return fmtPct(c.b.max_drawdown); }],
    ['avg holding time', function (c) { return c.b.holding_avg_text; }],
    ['round trips', function (c) { return String(c.b.holding_count); }],
    ['profit factor', function (c) { return fmtRatio(c.b.profit_factor); }],
    ['expectancy', function (c) { return fmtNum(c.b.expectancy, 2); }],
    ['return', function (c) { return fmtPct(c.b.total_return); }],
    ['buy and hold', function (c) { return fmtPct(c.b.buy_and_hold_return); }],
    ['sharpe ratio', function (c) { return c.b.days >= 2 ? fmtRatio(c.b.sharpe_ratio) : '-'; }],
    ['sortino ratio', function (c) { return c.b.days >= 2 ? fmtRatio(c.b.sortino_ratio) : '-'; }],
    ['calmar ratio', function (c) { return fmtRatio(c.b.calmar_ratio); }],
    ['exposure', function (c) { return fmtPct(c.b.exposure); }],
    ['best day', function (c) { return fmtPct(c.b.best_day); }],
    ['worst day', function (c) { return fmtPct(c.b.worst_day); }],
    ['equity at the end', function (c) { return fmtNum(c.equity, 2); }]
  ];
  var statsBox = document.getElementById('stats');
  if (cols.length <= 7) {
    table(statsBox, { name: 'statistics', rows: figs,
      columns: [{ head: 'figure', value: function (f) { return f[0]; } }].concat(cols.map(function (c) {
        return { head: c.head, num: true, value: function (f) { return f[1](c); } };
      })) });
  } else {
    table(statsBox, { name: 'statistics', rows: cols, sortable: true,
      columns: [{ head: 'day', value: function (c) { return c.head; } }].concat(figs.map(function (f, i) {
        return { head: f[0], num: i > 0, value: function (c) { return f[1](c); } };
      })) });
  }

  /* Each symbol's figures of the session. */
  table(document.getElementById('bysymbol'), {
    name: 'by-symbol', sortable: true, rows: data.session.by_symbol,
    note: data.session.by_symbol.length ? 'The session to ' + (data.days.length ? data.days[data.days.length - 1].date : '') + '.' : 'This stats.yaml predates the figures by symbol.',
    columns: [col('symbol', 0), col('fills', 1, true), col('round trips', 2, true), col('won', 3, true), col('lost', 4, true),
      col('win rate', 5, true, fmtPct, 'win_rate'), col('realized pnl', 6, true, function (v) { return fmtNum(v, 2); }, 'realized_pnl'),
      col('unrealized pnl', 7, true, function (v) { return fmtNum(v, 2); }, 'unrealized_pnl'),
      col('total pnl', 8, true, function (v) { return fmtNum(v, 2); }, 'total_pnl'), col('fees', 9, true, function (v) { return fmtNum(v, 2); }),
      col('exposure', 10, true, fmtPct), col('buy and hold', 11, true, fmtPct, 'buy_and_hold_return')]
  });

  /* Round trips. */
  var tripsBox = document.getElementById('trips');
  table(tripsBox, {
    name: 'round-trips', sortable: true, rows: data.trips,
    note: (data.trips_total > data.trips.length ? 'The last ' + data.trips.length + ' of ' + data.trips_total + ' round trips. ' : '') +
      'Entry to exit, paired first in, first out per symbol and side; pnl net of both fees.',
    columns: [timeCol('exit (UTC)', 5, 'exit_time'), col('day', 13), col('symbol', 0), col('side', 1),
      col('quantity', 2, true, fmtQty), timeCol('entry (UTC)', 3, 'entry_time'), col('entry price', 4, true, fmtPrice, 'entry_price'),
      col('exit price', 6, true, fmtPrice, 'exit_price'), col('pnl', 7, true, function (v) { return fmtNum(v, 2); }),
      col('return', 8, true, function (v) { return finite(v) ? v.toFixed(2) + '%' : '-'; }, 'return_pct'),
      { head: 'duration', num: true, value: function (r) { return r[9]; }, text: function (r) { return r[10]; }, csvHead: 'duration_s' },
      col('fees', 11, true, function (v) { return fmtNum(v, 4); }), col('exit order', 12, false, null, 'exit_order_id')]
  });

  /* Fills. */
  var fillBox = document.getElementById('fills');
  var shown = data.fills.slice(-data.fills_table_max);
  table(fillBox, {
    name: 'fills', sortable: true, rows: shown,
    note: data.fills_total > shown.length ? 'The last ' + shown.length + ' of ' + data.fills_total + ' fills.' : (data.fills.length ? '' : 'No fills in these days.'),
    columns: [timeCol('executed at (UTC)', 0, 'executed_at'), col('day', 9), col('order', 8, false, null, 'order_id'), col('symbol', 1), col('side', 2),
      col('position', 5, false, null, 'position_type'), col('quantity', 3, true, fmtQty), col('price', 4, true, fmtPrice),
      col('fee', 7, true, function (v) { return fmtNum(v, 4); }), col('pnl', 6, true, function (v) { return fmtNum(v, 2); })]
  });
})();
