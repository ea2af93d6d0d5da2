// GET /v1/stats as charts (charts.js), one section per workflow and version.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, t} = Rog;
  const {stateName, fieldName, valueName, title} = Rog.names;
  const {definition, message} = Rog;
  Rog.viewStats = async (main, params) => {
    const q = new URLSearchParams();
    for (const k of ['workflow', 'from', 'to']) if (params.get(k)) q.set(k, params.get(k));
    const r = await Rog.api('/v1/stats' + (q.toString() ? '?' + q : ''));
    const list = await Rog.api('/v1/workflows');
    const ids = [...new Set((list.body || []).map((w) => w.workflow))];
    const names = new Map();
    for (const id of ids) names.set(id, title(await definition(id), id));
    const form = h('form', {class: 'filters', id: 'stats-filters'},
      h('label', {}, h('span', {}, t('workflow')),
        h('select', {id: 's-workflow'}, h('option', {value: ''}, t('any')),
          ids.map((id) => h('option', {value: id, selected: id === params.get('workflow')}, names.get(id))))),
      h('label', {}, h('span', {}, t('from')), h('input', {type: 'date', id: 's-from', value: params.get('from') || ''})),
      h('label', {}, h('span', {}, t('to')), h('input', {type: 'date', id: 's-to', value: params.get('to') || ''})),
      h('button', {type: 'submit'}, t('apply')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = new URLSearchParams(params);
      for (const [k, id] of [['workflow', 's-workflow'], ['from', 's-from'], ['to', 's-to']]) {
        const v = form.querySelector('#' + id).value;
        if (v) n.set(k, v); else n.delete(k);
      }
      location.hash = '#/stats?' + n;
    });
    const out = [h('h1', {}, t('stats')), form];
    if (r.status === 404 || r.status === 405 || r.status === 501) {
      out.push(message(t('no_stats')));
    } else if (r.status !== 200) {
      out.push(message(Rog.errorText(r), 'error'));
    } else {
      for (const w of r.body.workflows || []) {
        const def = await definition(w.workflow, w.version);
        const cards = [['total', w.total], ['open', w.open], ['closed', w.closed], ['overdue', w.overdue]]
          .map(([k, n]) => h('div', {class: 'figure ' + k}, h('span', {class: 'n'}, Rog.formatNumber(n || 0)),
            h('span', {}, t(k === 'overdue' ? 'overdue_now' : k))));
        const charts = [
          Rog.barChart(t('by_state'), w.by_state, (s) => stateName(def, s), 'by_state'),
          Rog.barChart(t('by_phase'), w.by_phase, Rog.phaseName, 'by_phase'),
          Rog.barChart(t('outcomes'), w.outcomes, (s) => stateName(def, s), 'outcomes'),
          Rog.barChart(t('lapses'), w.lapses, null, 'lapses'),
          Rog.barChart(t('by_counterpart'), w.by_counterpart, null, 'by_counterpart'),
          ...Object.entries(w.breakdowns || {}).map(([f, counts]) =>
            Rog.barChart(t('breakdown', {field: fieldName(def, f)}), counts, (v) => valueName(def, f, v), 'breakdown-' + f)),
          Rog.durationChart(t('durations'), w.durations)];
        out.push(h('section', {class: 'stats', 'data-workflow': w.workflow},
          h('h2', {}, title(def, w.workflow), h('span', {class: 'muted'}, ' v' + w.version)),
          h('div', {class: 'figures'}, cards), h('div', {class: 'charts'}, charts)));
      }
      if ((r.body.workflows || []).length === 0) out.push(message(t('none')));
    }
    Rog.clear(main).append(...out);
  };
})(window.Rog);
