// Injected into a copy of a report by BrowserReportTests: records JavaScript errors from the first script on,
// then, once the charts have drawn, counts each chart's marks and writes the result as JSON into the DOM.
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message || e)); });
window.addEventListener('unhandledrejection', function (e) { window.__reportErrors.push('unhandled rejection: ' + String(e.reason)); });
window.addEventListener('load', function () {
  setTimeout(function () {
    function glPixels(canvas) {
      // Copies a WebGL canvas onto a 2D one and counts the pixels that are not transparent.
      try {
        if (!canvas.width || !canvas.height) return 0;
        var c = document.createElement('canvas');
        c.width = canvas.width; c.height = canvas.height;
        var g = c.getContext('2d');
        g.drawImage(canvas, 0, 0);
        var d = g.getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
        return n;
      } catch (e) { return -1; }
    }
    function drawn(el) { var d = el.getAttribute('d'); return d && d !== 'M0,0Z' && d !== 'M0,0' && d.length > 4; }
    var charts = [];
    document.querySelectorAll('.plot[data-chart]').forEach(function (gd) {
      var traces = (gd._fullData || []).map(function (t) {
        return { type: t.type, visible: t.visible, points: (t.x && t.x.length) || (t.values && t.values.length) || (t.dimensions && t.dimensions.length && t.dimensions[0].values.length) || (t.z && t.z.length) || 0 };
      });
      var svgMarks = 0;
      gd.querySelectorAll('.cartesianlayer .plot path, .cartesianlayer .plot text.textpoint').forEach(function (p) { if (p.tagName !== 'path' || drawn(p)) svgMarks++; });
      var parcoordsLines = 0, glPixelCount = 0;
      gd.querySelectorAll('canvas').forEach(function (c) {
        var n = glPixels(c);
        if (c.className.indexOf('gl-canvas') >= 0 || gd.querySelector('.parcoords')) glPixelCount += Math.max(n, 0);
      });
      gd.querySelectorAll('.parcoords .axis .domain, .parcoords .axis-heading').forEach(function () { parcoordsLines++; });
      charts.push({ id: gd.dataset.chart, traces: traces, svgMarks: svgMarks, glPixels: glPixelCount, parcoordsAxes: parcoordsLines, mainSvg: gd.querySelectorAll('.main-svg').length });
    });
    var external = performance.getEntriesByType('resource').map(function (r) { return r.name; })
      .filter(function (u) { return !/^(file|data|blob|about):/.test(u); });
    var out = document.createElement('pre');
    out.id = 'browser-check';
    out.textContent = JSON.stringify({ errors: window.__reportErrors, external: external, charts: charts, webgl: !!document.createElement('canvas').getContext('webgl') });
    document.body.appendChild(out);
  }, 3000);
});
