/*
 * Injected by tests/e2e_inspect.c into a copy of a report, after the report's own script: it
 * uses the page as a reader would, through the events a pointer and a click send, and writes
 * what it saw as JSON into <body data-check="...">, which the test reads from Chromium's DOM.
 * Nothing here is part of the report.
 */
(function () {
  'use strict';
  var out = { errors: [] };
  function fail(msg) { out.errors.push(msg); }
  function attr(e, k) { return Number(e.getAttribute(k)); }
  var charts = Array.prototype.slice.call(document.querySelectorAll('svg.chart'));
  function range(svg) { return [attr(svg, 'data-t0'), attr(svg, 'data-t1')]; }
  function center(svg) {
    var r = svg.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2, r: r };
  }
  function mouse(target, type, x, y) {
    target.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true, cancelable: true, view: window }));
  }

  /* Each chart: its window, its time ticks (round times: multiples of the step), its day lines
   * (UTC midnights inside the window), its fills and marks, its candles. */
  out.charts = charts.map(function (svg) {
    var t0 = attr(svg, 'data-t0'), t1 = attr(svg, 'data-t1'), step = attr(svg, 'data-tick-step');
    var ticks = Array.prototype.map.call(svg.querySelectorAll('.xtick'), function (e) { return attr(e, 'data-t'); });
    var days = Array.prototype.map.call(svg.querySelectorAll('.daysep'), function (e) { return attr(e, 'data-t'); });
    ticks.forEach(function (t) { if (t % step !== 0 || t < t0 || t > t1) fail('tick ' + t + ' not a multiple of ' + step + ' in the window'); });
    days.forEach(function (t) { if (t % 86400000 !== 0 || t < t0 || t > t1) fail('day line at ' + t); });
    var wantDays = 0;
    for (var d = Math.ceil(t0 / 86400000) * 86400000; d <= t1; d += 86400000) wantDays++;
    if (days.length !== wantDays) fail(svg.getAttribute('aria-label') + ': ' + days.length + ' day lines, want ' + wantDays);
    /* Marks lie in their lane, above every candle and fill. */
    var lane = svg.querySelector('.lane'), laneBottom = lane ? attr(lane, 'y') + attr(lane, 'height') : 0;
    var marksInLane = Array.prototype.every.call(svg.querySelectorAll('.mark'), function (m) {
      var b = m.getBBox();
      return lane && b.y + b.height <= laneBottom + 0.5;
    });
    var fillsBelow = Array.prototype.every.call(svg.querySelectorAll('.fill'), function (f) {
      return !lane || f.getBBox().y >= laneBottom - 0.5;
    });
    return {
      label: svg.getAttribute('aria-label'), t0: t0, t1: t1, step: step, ticks: ticks.length,
      days: days.length, candles: svg.hasAttribute('data-candles') ? attr(svg, 'data-candles') : -1,
      fills: svg.querySelectorAll('.fill').length, marks: svg.querySelectorAll('.mark').length,
      lane: !!lane, marks_in_lane: marksInLane, fills_below_lane: fillsBelow,
      lines: svg.querySelectorAll('path.line').length
    };
  });

  /* The key figures of the summary, as shown. */
  out.figures = {};
  Array.prototype.forEach.call(document.querySelectorAll('[data-figure]'), function (f) {
    out.figures[f.getAttribute('data-figure')] = f.querySelector('.fv').textContent;
  });

  /* Zoom: a wheel over the first chart narrows the window of every chart around the pointer. */
  var first = charts[0], before = range(first), c = center(first);
  first.dispatchEvent(new WheelEvent('wheel', { deltaY: -120, clientX: c.x, clientY: c.y, bubbles: true, cancelable: true }));
  var zoomed = range(first);
  out.zoom = { before: before, after: zoomed, shared: charts.every(function (s) { var r = range(s); return r[0] === zoomed[0] && r[1] === zoomed[1]; }) };

  /* Pan: dragging to the left shows later times, by the dragged share of the window. */
  mouse(first, 'mousedown', c.x, c.y);
  mouse(first, 'mousemove', c.x - c.r.width / 4, c.y);
  mouse(window, 'mouseup', c.x - c.r.width / 4, c.y);
  out.pan = { before: zoomed, after: range(first) };

  /* Crosshair: the pointer shows a line in every chart and, in the chart under it, the candle's
   * time and prices. */
  mouse(first, 'mousemove', c.x, c.y);
  out.cross = charts.map(function (s) {
    var g = s.querySelector('.cross');
    return { visible: g.getAttribute('visibility') === 'visible', t: attr(s, 'data-crosshair'), text: s.querySelector('.readout').textContent };
  });
  mouse(first, 'mouseleave', c.x, c.y);
  out.cross_hidden = charts.every(function (s) { return s.querySelector('.cross').getAttribute('visibility') === 'hidden'; });

  /* Reset. */
  document.getElementById('zoom-reset').click();
  out.reset = range(first);

  /* Tables: a click on a header sorts, a second one reverses; the CSV button downloads the table
   * as shown. The download is caught here: the Blob it makes is read back. */
  var blobs = [];
  var make = window.URL.createObjectURL.bind(window.URL);
  window.URL.createObjectURL = function (b) { blobs.push(b); return make(b); };
  HTMLAnchorElement.prototype.click = function () { out.downloads = (out.downloads || []).concat([this.download]); };
  out.tables = {};
  var pending = [];
  Array.prototype.forEach.call(document.querySelectorAll('table[data-table]'), function (t) {
    var name = t.getAttribute('data-table');
    var heads = Array.prototype.map.call(t.querySelectorAll('th'), function (h) { return h.textContent; });
    var info = { rows: t.tBodies[0].rows.length, heads: heads };
    if (name === 'statistics') {
      info.cells = {};
      Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {
        info.cells[r.cells[0].textContent] = Array.prototype.slice.call(r.cells, 1).map(function (c) { return c.textContent; });
      });
    }
    function column(k) {
      return Array.prototype.map.call(t.tBodies[0].rows, function (r) { return r.cells[k].textContent; });
    }
    var k = heads.indexOf('pnl');
    if (k >= 0 && t.querySelector('th.sortable')) {
      var th = t.querySelectorAll('th')[k];
      th.click();
      var up = column(k).map(parseFloat);
      info.ascending = th.getAttribute('aria-sort') === 'ascending' && up.every(function (v, i) { return i === 0 || v >= up[i - 1]; });
      th.click();
      var down = column(k).map(parseFloat);
      info.descending = th.getAttribute('aria-sort') === 'descending' && down.every(function (v, i) { return i === 0 || v <= down[i - 1]; });
      info.first_text = t.tBodies[0].rows.length ? t.tBodies[0].rows[0].cells[0].textContent : '';
    }
    var button = t.parentNode.previousSibling.querySelector('button.csv');
    var n = blobs.length;
    button.click();
    if (blobs.length !== n + 1) { fail(name + ': the CSV button made no download'); return; }
    pending.push(blobs[n].text().then(function (text) {
      var lines = text.split('\n');
      info.csv_lines = lines.length - 1; /* the text ends with a new line */
      info.csv_head = lines[0];
      info.csv_first = lines[1] || '';
    }));
    out.tables[name] = info;
  });
  Promise.all(pending).then(function () {
    document.body.setAttribute('data-check', JSON.stringify(out));
  }, function (e) {
    fail(String(e));
    document.body.setAttribute('data-check', JSON.stringify(out));
  });
})();
