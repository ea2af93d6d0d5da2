// Statistics drawn as SVG bar charts of our own (no library, nothing from other hosts). Each
// row is label | bar | value; in a right-to-left page the stylesheet mirrors the bars.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, svg} = Rog;

  function bar(fraction, kind) {
    const width = Math.max(0, Math.min(100, fraction * 100));
    return svg('svg', {class: 'meter ' + (kind || ''), viewBox: '0 0 100 10',
                       preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false'},
               svg('rect', {x: 0, y: 0, width: width.toFixed(2), height: 10}));
  }

  // A chart of `counts` ({key: n}), largest first; `name(key)` gives each row's label.
  Rog.barChart = (title, counts, name, id) => {
    const rows = Object.entries(counts || {}).sort((a, b) => b[1] - a[1]);
    const max = Math.max(1, ...rows.map((r) => r[1]));
    return h('figure', {class: 'chart', 'data-chart': id},
      h('figcaption', {}, title),
      rows.length === 0 ? h('p', {class: 'muted'}, Rog.t('none'))
        : h('div', {class: 'rows', role: 'list'}, rows.map(([k, n]) =>
          h('div', {class: 'row', role: 'listitem'},
            h('span', {class: 'key'}, name ? name(k) : k),
            bar(n / max),
            h('span', {class: 'num'}, Rog.formatNumber(n))))));
  };

  // Median and 90th-percentile days for each phase pair, two bars per row.
  Rog.durationChart = (title, durations) => {
    const rows = durations || [];
    const max = Math.max(1, ...rows.map((d) => d.p90_days || 0));
    return h('figure', {class: 'chart', 'data-chart': 'durations'},
      h('figcaption', {}, title),
      h('p', {class: 'legend'}, h('span', {class: 'swatch median'}), Rog.t('median'), ' ',
        h('span', {class: 'swatch p90'}), Rog.t('p90')),
      rows.length === 0 ? h('p', {class: 'muted'}, Rog.t('none'))
        : h('div', {class: 'rows', role: 'list'}, rows.map((d) =>
          h('div', {class: 'row pair', role: 'listitem'},
            h('span', {class: 'key'}, Rog.phaseName(d.from), Rog.arrow(), Rog.phaseName(d.to),
              ' (' + Rog.formatNumber(d.count) + ')'),
            h('span', {class: 'bars'}, bar((d.median_days || 0) / max, 'median'),
              bar((d.p90_days || 0) / max, 'p90')),
            h('span', {class: 'num'},
              d.median_days === null || d.median_days === undefined ? '–'
                : Rog.formatNumber(d.median_days, 1) + ' / ' + Rog.formatNumber(d.p90_days, 1))))));
  };
})(window.Rog);
