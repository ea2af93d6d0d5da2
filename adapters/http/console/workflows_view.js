// The loaded workflows, and one workflow with its states, events and diagram (SVG from the API).
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, t} = Rog;
  const {stateName, eventName, title} = Rog.names;
  const {definition, message} = Rog;
  Rog.viewWorkflows = async (main) => {
    const r = await Rog.api('/v1/workflows');
    if (r.status !== 200) return Rog.clear(main).append(message(Rog.errorText(r), 'error'));
    const rows = [];
    for (const w of r.body) {
      const d = await definition(w.workflow, w.version);
      rows.push(h('li', {},
        h('a', {href: '#/workflows/' + encodeURIComponent(w.workflow) + '?version=' + w.version},
          title(d, w.title)), h('span', {class: 'muted'}, ' — ', w.workflow, ' ', t('version'), ' ',
          Rog.formatNumber(w.version))));
    }
    Rog.clear(main).append(h('h1', {}, t('workflows')), h('ul', {class: 'plain', id: 'workflow-list'}, rows));
  };

  Rog.viewWorkflow = async (main, id, version) => {
    const def = await definition(id, version);
    if (!def) return Rog.clear(main).append(h('h1', {}, id), message(t('not_found'), 'error'));
    const figure = h('figure', {class: 'diagram', id: 'diagram'}, h('p', {class: 'muted'}, t('loading')));
    const states = Object.entries(def.states).map(([s, st]) => h('li', {},
      h('strong', {}, stateName(def, s)), ' ', h('span', {class: 'muted'}, '(', s, ') · ', Rog.phaseName(st.phase),
        st.initial ? ' · ' + t('initial') : '', st.terminal ? ' · ' + t('terminal') : '')));
    const events = [...new Set(def.transitions.map((tr) => tr.event))].map((e) =>
      h('li', {}, h('strong', {}, eventName(def, e)), ' ', h('span', {class: 'muted'}, '(', e, ')')));
    Rog.clear(main).append(
      h('h1', {}, title(def, id)), h('p', {class: 'muted'}, id, ' · ', t('version'), ' ', Rog.formatNumber(def.version)),
      def.description ? h('p', {}, def.description) : null,
      h('h2', {}, t('diagram')), figure,
      h('div', {class: 'two'}, h('section', {}, h('h2', {}, t('states')), h('ul', {class: 'plain'}, states)),
        h('section', {}, h('h2', {}, t('events')), h('ul', {class: 'plain'}, events))));
    const r = await Rog.api('/v1/workflows/' + encodeURIComponent(id) + '/diagram.svg?version=' + def.version,
                            {accept: 'image/svg+xml'});
    Rog.clear(figure);
    if (r.status !== 200) return figure.append(message(Rog.errorText(r), 'error'));
    // Parsed as XML and adopted as SVG elements: scripts and event handlers are dropped first.
    const doc = new DOMParser().parseFromString(r.body, 'image/svg+xml');
    const root = doc.documentElement;
    if (root.nodeName !== 'svg') return figure.append(message(t('error'), 'error'));
    for (const s of root.querySelectorAll('script, foreignObject')) s.remove();
    for (const el of [root, ...root.querySelectorAll('*')]) {
      for (const a of [...el.attributes]) if (a.name.startsWith('on') || a.name === 'style') el.removeAttribute(a.name);
    }
    root.setAttribute('role', 'img');
    root.setAttribute('aria-label', t('diagram') + ': ' + title(def, id));
    figure.append(document.importNode(root, true));
  };
})(window.Rog);
