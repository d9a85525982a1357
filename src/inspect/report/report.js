(function () {
  'use strict';
  var body = document.body;
  var drawn = 0;
  function noteDrawn() {
    drawn++;
    body.setAttribute('data-charts', String(drawn));
  }
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('argo-data').textContent);
  body.setAttribute('data-charts-expected', String(data.symbols.length + 2));

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
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function fmtTime(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) +
      ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
  }
  function fmtNum(v, dp) {
    return (typeof v !== 'number' || !isFinite(v)) ? '-' : v.toFixed(dp);
  }
  function fmtPrice(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '-';
    var a = Math.abs(v);
    return v.toFixed(a >= 1000 ? 2 : a >= 1 ? 4 : 6);
  }
  function fmtPct(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '-';
    return (Math.abs(v) < 5e-7 ? 0 : v * 100).toFixed(2) + '%';
  }
  function fmtDur(s) {
    if (typeof s !== 'number' || !isFinite(s) || s <= 0) return '-';
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d ? d + 'd ' + h + 'h' : h ? h + 'h ' + pad2(m) + 'm' : m + 'm ' + pad2(Math.round(s % 60)) + 's';
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
  function safeColor(c, dflt) {
    return (typeof c === 'string' && /^#?[A-Za-z0-9]{1,20}$/.test(c)) ? c : dflt;
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

  /* A line chart: opt.series [{t, v, color, width, area}], opt.points [{t, v, shape, color, label}],
   * opt.yfmt (tick labels), opt.zero (keep 0 in range). Times are milliseconds, UTC. */
  function chart(container, opt) {
    var W = 1200, H = opt.height || 300, L = 84, R = 16, T = 30, B = 36;
    var svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, 'class': 'chart', role: 'img', 'aria-label': opt.title });
    var t0 = Infinity, t1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    function take(t, v) {
      if (typeof v !== 'number' || !isFinite(v)) return;
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
    }
    opt.series.forEach(function (s) { for (var i = 0; i < s.t.length; i++) take(s.t[i], s.v[i]); });
    (opt.points || []).forEach(function (p) { take(p.t, p.v); });
    var title = sv('text', { x: L, y: 18, 'class': 'ctitle' });
    title.textContent = opt.title;
    svg.appendChild(title);
    if (!(t1 >= t0)) {
      var nd = sv('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', 'class': 'nodata' });
      nd.textContent = 'no data in this range';
      svg.appendChild(nd);
      container.appendChild(svg);
      noteDrawn();
      return;
    }
    if (opt.zero) { if (y0 > 0) y0 = 0; if (y1 < 0) y1 = 0; }
    if (y1 === y0) { y0 -= Math.abs(y0) * 0.01 || 1; y1 += Math.abs(y1) * 0.01 || 1; }
    var pad = (y1 - y0) * 0.06;
    y1 += pad;
    if (!(opt.zero && y0 === 0)) y0 -= pad;
    if (t1 === t0) { t0 -= 60000; t1 += 60000; }
    function X(t) { return L + (t - t0) / (t1 - t0) * (W - L - R); }
    function Y(v) { return T + (y1 - v) / (y1 - y0) * (H - T - B); }
    niceTicks(y0, y1, 5).forEach(function (v) {
      var y = Y(v);
      svg.appendChild(sv('line', { x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid' }));
      var tx = sv('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', 'class': 'tick' });
      tx.textContent = opt.yfmt(v);
      svg.appendChild(tx);
    });
    for (var i = 0; i <= 5; i++) {
      var t = t0 + (t1 - t0) * i / 5, x = X(t);
      svg.appendChild(sv('line', { x1: x, x2: x, y1: T, y2: H - B, 'class': 'grid' }));
      var tx = sv('text', { x: x, y: H - B + 16, 'text-anchor': i === 0 ? 'start' : i === 5 ? 'end' : 'middle', 'class': 'tick' });
      tx.textContent = fmtTime(t) + (i === 5 ? ' UTC' : '');
      svg.appendChild(tx);
    }
    svg.appendChild(sv('rect', { x: L, y: T, width: W - L - R, height: H - T - B, 'class': 'frame' }));
    opt.series.forEach(function (s) {
      var d = '', pen = 'M', first = null, last = null;
      for (var i = 0; i < s.t.length; i++) {
        if (typeof s.v[i] !== 'number' || !isFinite(s.v[i])) { pen = 'M'; continue; }
        var x = X(s.t[i]).toFixed(1), y = Y(s.v[i]).toFixed(1);
        d += pen + x + ' ' + y;
        pen = 'L';
        if (first === null) first = x;
        last = x;
      }
      if (!d) return;
      if (s.area && first !== null) {
        var base = Y(0).toFixed(1);
        svg.appendChild(sv('path', { d: d + 'L' + last + ' ' + base + 'L' + first + ' ' + base + 'Z', fill: s.color, 'fill-opacity': 0.15, stroke: 'none' }));
      }
      svg.appendChild(sv('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': s.width || 1.5, 'stroke-dasharray': s.dash || 'none', 'class': 'line' }));
    });
    (opt.points || []).forEach(function (p) {
      if (typeof p.v !== 'number' || !isFinite(p.v)) return;
      var g = marker(X(p.t), Y(p.v), p.shape, p.color, p.size || 6);
      if (p.opacity) g.setAttribute('fill-opacity', String(p.opacity));
      var tt = sv('title', {});
      tt.textContent = p.label;
      g.appendChild(tt);
      svg.appendChild(g);
    });
    if (opt.legend) {
      var lx = W - R - 8;
      for (var k = opt.legend.length - 1; k >= 0; k--) {
        var it = opt.legend[k];
        var lt = sv('text', { x: lx, y: 18, 'text-anchor': 'end', 'class': 'legend' });
        lt.textContent = it[1];
        svg.appendChild(lt);
        lx -= it[1].length * 7 + 8;
        svg.appendChild(marker(lx, 13, it[2], it[0], 5));
        lx -= 14;
      }
    }
    container.appendChild(svg);
    noteDrawn();
  }

  function table(container, head, rows, numeric) {
    var box = el('div', 'tablebox');
    container.appendChild(box);
    container = box;
    var t = el('table');
    var tr = el('tr');
    head.forEach(function (h, i) { var th = el('th', numeric[i] ? 'num' : '', h); tr.appendChild(th); });
    var thead = el('thead');
    thead.appendChild(tr);
    t.appendChild(thead);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c, i) {
        var td = el('td', numeric[i] ? 'num' : '', c);
        if (numeric[i] && typeof c === 'string' && c.charAt(0) === '-' && c.length > 1) td.className += ' neg';
        row.appendChild(td);
      });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    container.appendChild(t);
  }

  /* Summary. */
  var sum = document.getElementById('summary');
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
  var c = data.check;
  var ok = Math.abs(c.equity_replayed - c.equity_file) <= 1e-6 * Math.max(1, Math.abs(c.equity_file)) &&
    Math.abs(c.max_drawdown_replayed - c.max_drawdown_file) <= 1e-9;
  sum.appendChild(el('p', ok ? 'check ok' : 'check warn',
    'Curves recomputed from the recorded fills and candle closes: equity at the end ' + fmtNum(c.equity_replayed, 2) +
    ' (stats.yaml: ' + fmtNum(c.equity_file, 2) + '), session max drawdown ' + fmtPct(c.max_drawdown_replayed) +
    ' (stats.yaml: ' + fmtPct(c.max_drawdown_file) + ')' + (ok ? '.' : ' - they differ (a session still running, or one that resumed another).')));

  /* Price of each symbol, with fills and marks. */
  var prices = document.getElementById('prices');
  data.symbols.forEach(function (sym) {
    var p = data.prices[sym] || { t: [], v: [] };
    var pts = [];
    data.marks.forEach(function (m) {
      if (m[1] !== sym) return;
      pts.push({ t: m[0], v: m[2], shape: m[4], color: safeColor(m[3], '#7c3aed'), size: 9, opacity: 0.45,
        label: fmtTime(m[0]) + ' ' + m[5] + (m[6] ? ': ' + m[6] : '') });
    });
    data.fills.forEach(function (f) {
      if (f[1] !== sym) return;
      var buy = f[2] === 'BUY';
      pts.push({ t: f[0], v: f[4], shape: buy ? 'up' : 'down', color: buy ? '#15803d' : '#b91c1c', size: data.fills.length > 400 ? 3.5 : 6,
        label: fmtTime(f[0]) + ' ' + f[2] + ' ' + f[3] + ' @ ' + fmtPrice(f[4]) + ' (' + f[5] + ') pnl ' + fmtNum(f[6], 2) + ' ' + f[8] });
    });
    var box = el('div', 'chartbox');
    prices.appendChild(box);
    chart(box, { title: sym + ' close', series: [{ t: p.t, v: p.v, color: '#1d4ed8', width: 1.2 }], points: pts,
      yfmt: fmtPrice, legend: [['#15803d', 'buy', 'up'], ['#b91c1c', 'sell', 'down'], ['#7c3aed', 'mark', 'circle']] });
  });

  /* Equity and drawdown. */
  var capT = data.equity.t.length ? [data.equity.t[0], data.equity.t[data.equity.t.length - 1]] : [];
  chart(document.getElementById('equity'), { title: 'Equity (capital + realized + unrealized pnl, at each candle close)',
    series: [{ t: capT, v: capT.map(function () { return data.capital; }), color: '#9ca3af', width: 1, dash: '4 4' },
             { t: data.equity.t, v: data.equity.v, color: '#0f766e', width: 1.6 }],
    yfmt: function (v) { return fmtNum(v, 2); } });
  chart(document.getElementById('drawdown'), { title: 'Drawdown from the running equity peak', height: 220, zero: true,
    series: [{ t: data.drawdown.t, v: data.drawdown.v.map(function (v) { return -v; }), color: '#b91c1c', width: 1.2, area: true }],
    yfmt: function (v) { return fmtPct(-v); } });

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
    ['avg holding time', function (c) { return fmtDur(c.b.holding_avg); }],
    ['equity at the end', function (c) { return fmtNum(c.equity, 2); }]
  ];
  var statsBox = document.getElementById('stats');
  if (cols.length <= 7) {
    var head = ['figure'].concat(cols.map(function (c) { return c.head; }));
    table(statsBox, head, figs.map(function (f) {
      return [f[0]].concat(cols.map(function (c) { return f[1](c); }));
    }), head.map(function (h, i) { return i > 0; }));
  } else {
    var head2 = ['day'].concat(figs.map(function (f) { return f[0]; }));
    table(statsBox, head2, cols.map(function (c) {
      return [c.head].concat(figs.map(function (f) { return f[1](c); }));
    }), head2.map(function (h, i) { return i > 1; }));
  }

  /* Fills. */
  var fillBox = document.getElementById('fills');
  var shown = data.fills.slice(-data.fills_table_max);
  if (data.fills_total > shown.length) {
    fillBox.appendChild(el('p', 'note', 'The last ' + shown.length + ' of ' + data.fills_total + ' fills.'));
  }
  table(fillBox, ['executed at (UTC)', 'day', 'order', 'symbol', 'side', 'position', 'quantity', 'price', 'fee', 'pnl'],
    shown.map(function (f) {
      return [fmtTime(f[0]), f[9], f[8], f[1], f[2], f[5], String(f[3]), fmtPrice(f[4]), fmtNum(f[7], 4), fmtNum(f[6], 2)];
    }), [false, false, false, false, false, false, true, true, true, true]);
  if (!data.fills.length) fillBox.appendChild(el('p', 'note', 'No fills in these days.'));
})();
