/**
 * The page script: reads the chart specifications (charts.ts) from the embedded JSON and draws
 * them with uPlot. It is kept as a string, not a function whose source is taken with toString(),
 * because the TypeScript build and vitest's transform both rewrite functions (helpers such as
 * `__name`) and the page must get exactly this code. It is plain ES2019, needs no build step, and
 * the Chromium test runs every line of it.
 *
 * It knows nothing about trading: specs say what to draw, this maps them onto uPlot options.
 * Every chart instance is exposed as `window.__aegisCharts[id]` for the tests and the console.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('aegis-charts').textContent || '[]');
  var charts = {};
  window.__aegisCharts = charts;

  var AXIS = '#475569', GRID = '#e5e7eb', FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function decimalsFor(incr, scale) {
    var step = Math.abs(incr * scale);
    if (!isFinite(step) || step === 0) return 2;
    return Math.max(0, Math.min(4, -Math.floor(Math.log10(step) + 1e-9)));
  }

  /** Legend / cursor value. */
  function fmtValue(v, f) {
    if (v == null || !isFinite(v)) return '\u2014';
    switch (f) {
      case 'pct': return (v * 100).toFixed(2) + ' %';
      case 'int': return Math.round(v).toLocaleString('en-US');
      case 'ratio': return v.toFixed(2);
      case 'equity': return v.toFixed(3);
      default: return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(+v.toPrecision(4));
    }
  }

  /** Axis tick, with as many decimals as the tick spacing needs. */
  function fmtTick(v, f, incr, log) {
    if (v == null) return '';
    if (log) return String(+v.toPrecision(3));
    switch (f) {
      case 'pct': return (v * 100).toFixed(decimalsFor(incr, 100)) + '%';
      case 'int': return Math.round(v).toLocaleString('en-US');
      default: return v.toFixed(decimalsFor(incr, 1));
    }
  }

  // Daily data only: ticks are years, months or days ("Mar 16"), the year under the first tick
  // and under every new year. The last row catches any finer increment uPlot may choose.
  var TIME_TICKS = [
    [86400 * 365, '{YYYY}', null, null, null, null, null, null, 1],
    [86400 * 28, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
    [86400, '{MMM} {D}', '\n{YYYY}', null, null, null, null, null, 1],
    [1, '{MMM} {D}', '\n{YYYY}', null, null, null, null, null, 1]
  ];

  function isoDate(ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }

  /** Shaded x ranges and reference lines, drawn under the series. */
  function underlayPlugin(spec) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, b = u.bbox, dpr = devicePixelRatio || 1;
          ctx.save();
          ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
          (spec.bands || []).forEach(function (band, i) {
            var x0 = u.valToPos(band.from, 'x', true), x1 = u.valToPos(band.to, 'x', true);
            ctx.fillStyle = i % 2 ? 'rgba(100,116,139,0.07)' : 'rgba(100,116,139,0.13)';
            ctx.fillRect(x0, b.top, x1 - x0, b.height);
            ctx.fillStyle = '#64748b';
            ctx.font = (10 * dpr) + 'px system-ui, sans-serif';
            ctx.textBaseline = 'top';
            ctx.fillText(band.label, x0 + 4 * dpr, b.top + 4 * dpr);
          });
          (spec.rules || []).forEach(function (r) {
            ctx.strokeStyle = '#94a3b8'; ctx.lineWidth = dpr; ctx.setLineDash([4 * dpr, 3 * dpr]);
            ctx.beginPath();
            if (r.axis === 'y') {
              var y = Math.round(u.valToPos(r.value, 'y', true)) + 0.5;
              ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y);
            } else {
              var x = Math.round(u.valToPos(r.value, 'x', true)) + 0.5;
              ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height);
            }
            ctx.stroke();
            if (r.label) {
              ctx.setLineDash([]);
              ctx.fillStyle = '#64748b';
              ctx.font = (10 * dpr) + 'px system-ui, sans-serif';
              ctx.textBaseline = 'top';
              if (r.axis === 'x') ctx.fillText(r.label, u.valToPos(r.value, 'x', true) + 3 * dpr, b.top + 3 * dpr);
              else ctx.fillText(r.label, b.left + 4 * dpr, u.valToPos(r.value, 'y', true) + 3 * dpr);
            }
          });
          ctx.restore();
        }]
      }
    };
  }

  function seriesOptions(spec, s, legendValues) {
    var o = {
      label: s.label,
      stroke: s.color,
      width: s.width || 1.5,
      spanGaps: spec.spanGaps !== false,
      points: { show: false },
      value: function (u, v, si, di) {
        var shown = legendValues && di != null ? legendValues[di] : v;
        return fmtValue(shown, spec.y.format);
      }
    };
    if (s.style === 'dashed') o.dash = [6, 4];
    if (s.style === 'dotted') o.dash = [2, 3];
    if (s.style === 'area') o.fill = s.color + '30';
    if (s.style === 'points') o.points = { show: true, size: 7, fill: s.color, stroke: s.color };
    if (s.style === 'bars') {
      var grouped = s.align === -1 || s.align === 1;
      o.paths = uPlot.paths.bars({ size: grouped ? [0.38, 44] : [0.9, 64], align: s.align || 0, gap: grouped ? 0 : 1 });
      o.fill = s.color + (spec.stacked ? 'e6' : 'cc');
      o.width = 1;
      o.spanGaps = false;
    }
    return o;
  }

  function build(spec, el, log) {
    var isTime = spec.x.kind === 'time', isCat = spec.x.kind === 'category';
    var xs = spec.x.values;
    var rows = spec.series.map(function (s) { return s.values; });
    var series = spec.series.slice();
    var legendValues = spec.series.map(function () { return null; });

    if (spec.stacked) {
      // uPlot has no stacking: draw running totals, the tallest first so each smaller one
      // covers the lower part of it, and let the legend show the sleeve's own value.
      var totals = xs.map(function () { return 0; });
      var cumulative = rows.map(function (r) {
        return r.map(function (v, i) { totals[i] += v || 0; return totals[i]; });
      });
      legendValues = rows.slice().reverse();
      rows = cumulative.reverse();
      series = series.reverse();
    }

    var opts = {
      width: Math.max(280, el.clientWidth),
      height: spec.height,
      cursor: { points: { size: 6 }, drag: { x: isTime, y: false } },
      legend: { live: true },
      plugins: [underlayPlugin(spec)],
      scales: {
        x: isTime ? { time: true } : {
          time: false,
          range: isCat ? function () { return [-0.5, xs.length - 0.5]; } : undefined
        },
        y: { distr: log ? 3 : 1 }
      },
      axes: [
        {
          stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID },
          incrs: isCat ? [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000] : undefined,
          splits: spec.x.ticks ? function () { return spec.x.ticks; } : undefined,
          values: isTime ? TIME_TICKS : function (u, splits, ai, space, incr) {
            return splits.map(function (v) {
              if (isCat) return Number.isInteger(v) && spec.x.labels ? (spec.x.labels[v] || '') : '';
              return fmtTick(v, spec.x.format || 'num', incr, false);
            });
          },
          // Time ticks take two lines (month, then year); other ticks one.
          size: isTime ? 44 : 30,
          label: spec.x.label || undefined,
          labelFont: FONT, labelSize: spec.x.label ? 18 : 0, labelGap: 0
        },
        {
          stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID },
          size: 58,
          label: spec.y.label, labelFont: FONT, labelSize: 18,
          values: function (u, splits, ai, space, incr) {
            return splits.map(function (v) { return fmtTick(v, spec.y.format, incr, log); });
          }
        }
      ],
      series: [{
        label: isTime ? 'date' : (spec.x.label || 'x'),
        value: function (u, v) {
          if (v == null) return '\u2014';
          if (isTime) return isoDate(v);
          if (isCat) return (spec.x.legendLabels || spec.x.labels || [])[Math.round(v)] || String(v);
          return fmtValue(v, spec.x.format || 'num');
        }
      }].concat(series.map(function (s, i) { return seriesOptions(spec, s, legendValues[i]); }))
    };
    if (isTime) opts.tzDate = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); };
    if (spec.sync) opts.cursor.sync = { key: spec.sync };
    if (log) {
      // uPlot's default log range snaps to whole decades (1..10 for a curve from 1 to 3.5),
      // which flattens the curve; a few percent of headroom is enough.
      opts.scales.y.log = 10;
      opts.scales.y.range = function (u, lo, hi) { return [lo / 1.04, hi * 1.04]; };
    } else if (spec.y.includeZero || spec.y.min != null || spec.y.max != null) {
      opts.scales.y.range = function (u, lo, hi) {
        if (spec.y.includeZero) { lo = Math.min(0, lo); hi = Math.max(0, hi); }
        if (lo === hi) { hi = lo + 1; }
        var pad = (hi - lo) * 0.06;
        var min = spec.y.min != null ? spec.y.min : (lo === 0 ? 0 : lo - pad);
        var max = spec.y.max != null ? spec.y.max : (hi === 0 ? 0 : hi + pad);
        return [min, max];
      };
    }
    return new uPlot(opts, [xs].concat(rows), el);
  }

  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el) { console.error('aegis report: no container for chart ' + spec.id); return; }
    var toggle = document.querySelector('input[data-log-for="' + spec.id + '"]');
    var log = !!(toggle && toggle.checked);
    try {
      if (charts[spec.id]) charts[spec.id].destroy();
      el.textContent = '';
      charts[spec.id] = build(spec, el, log);
      el.setAttribute('data-drawn', log ? 'log' : 'linear');
    } catch (err) {
      el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : err);
      el.classList.add('chart-error');
      console.error('aegis report: chart ' + spec.id + ' failed', err);
    }
  }

  function resizeAll() {
    specs.forEach(function (spec) {
      var u = charts[spec.id], el = document.getElementById(spec.id);
      if (u && el && el.clientWidth > 0 && Math.abs(u.width - el.clientWidth) > 1) {
        u.setSize({ width: el.clientWidth, height: spec.height });
      }
    });
  }

  specs.forEach(function (spec) {
    draw(spec);
    var toggle = document.querySelector('input[data-log-for="' + spec.id + '"]');
    if (toggle) toggle.addEventListener('change', function () { draw(spec); });
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(resizeAll);
  });
  // Paper is narrower than the screen, and at 'beforeprint' the layout is still the screen's, so
  // the containers cannot be measured: draw for the printable width of A4 (210 mm − 2 × 12 mm
  // margins ≈ 700 CSS px), which also fits US Letter, and go back to the screen size afterwards.
  var PRINT_WIDTH = 700;
  window.addEventListener('beforeprint', function () {
    specs.forEach(function (spec) {
      var u = charts[spec.id];
      if (u) u.setSize({ width: PRINT_WIDTH, height: spec.height });
    });
  });
  window.addEventListener('afterprint', resizeAll);
  document.documentElement.setAttribute('data-charts-ready', String(specs.length));
})();
`;
