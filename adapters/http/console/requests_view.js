// The request list: the list API's filters, kept in the address, and cursor paging.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, t} = Rog;
  const {stateName, title} = Rog.names;
  const {definition, message, marks} = Rog;
  Rog.viewRequests = async (main, params) => {
    const wfList = await Rog.api('/v1/workflows');
    const workflows = [...new Set((wfList.body || []).map((w) => w.workflow))];
    const chosen = params.get('workflow') || '';
    const def = chosen ? await definition(chosen) : null;
    const select = (id, name, options, value) =>
      h('label', {}, h('span', {}, name),
        h('select', {id, name: id}, h('option', {value: ''}, t('any')),
          options.map(([v, text]) => h('option', {value: v, selected: v === value}, text))));
    const titles = new Map();
    for (const w of workflows) titles.set(w, title(await definition(w), w));
    const form = h('form', {class: 'filters', id: 'filters', role: 'search'},
      select('f-workflow', t('workflow'), workflows.map((w) => [w, titles.get(w)]), chosen),
      def ? select('f-state', t('state'),
                   Object.keys(def.states).map((s) => [s, stateName(def, s)]), params.get('state') || '')
          : h('label', {}, h('span', {}, t('state')),
              h('input', {id: 'f-state', value: params.get('state') || '', size: 14})),
      select('f-phase', t('phase'), Rog.PHASES.map((p) => [p, Rog.phaseName(p)]), params.get('phase') || ''),
      h('label', {}, h('span', {}, t('party')),
        h('input', {id: 'f-party', value: params.get('party') || '', size: 14})),
      h('label', {class: 'check'}, h('input', {id: 'f-overdue', type: 'checkbox',
                                               checked: params.get('overdue') === 'true'}),
        h('span', {}, t('overdue_only'))),
      select('f-limit', t('per_page'), [['10', '10'], ['25', '25'], ['50', '50'], ['100', '100']],
             params.get('limit') || ''),
      h('button', {type: 'submit', id: 'f-apply'}, t('apply')),
      h('a', {href: '#/requests', class: 'button secondary'}, t('reset')));
    form.querySelector('#f-workflow').addEventListener('change', () => form.requestSubmit());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = new URLSearchParams();
      const put = (k, v) => v && q.set(k, v);
      put('workflow', form.querySelector('#f-workflow').value);
      const st = form.querySelector('#f-state').value;
      if (!(form.querySelector('#f-workflow').value !== chosen && def)) put('state', st);
      put('phase', form.querySelector('#f-phase').value);
      put('party', form.querySelector('#f-party').value.trim());
      if (form.querySelector('#f-overdue').checked) q.set('overdue', 'true');
      put('limit', form.querySelector('#f-limit').value);
      location.hash = '#/requests' + (q.toString() ? '?' + q : '');
    });

    const api = new URLSearchParams();
    for (const k of ['workflow', 'state', 'phase', 'overdue', 'party', 'limit', 'after']) {
      if (params.get(k)) api.set(k, params.get(k));
    }
    if (!api.get('limit')) api.set('limit', '25');
    const r = await Rog.api('/v1/requests?' + api);
    const body = [h('h1', {}, t('requests')), form];
    if (r.status !== 200) {
      body.push(message(Rog.errorText(r), 'error'));
    } else if (r.body.items.length === 0) {
      body.push(message(t('none')));
    } else {
      const rows = [];
      for (const req of r.body.items) {
        const d = await definition(req.workflow, req.version);
        rows.push(h('tr', {'data-id': req.id, class: marks(req).length ? 'late' : null},
          h('td', {}, h('a', {href: '#/requests/' + encodeURIComponent(req.id), class: 'mono'}, req.id)),
          h('td', {class: 'refs'}, Object.values(req.references || {}).join(', ')),
          h('td', {}, title(d, req.workflow), h('span', {class: 'muted'}, ' v' + req.version)),
          h('td', {'data-state': req.state}, stateName(d, req.state)),
          h('td', {}, Rog.phaseName(req.phase)),
          h('td', {}, Rog.formatDateTime(req.updated_at)),
          h('td', {class: 'marks'}, marks(req))));
      }
      body.push(h('div', {class: 'table-wrap'}, h('table', {id: 'request-table'},
        h('thead', {}, h('tr', {}, [t('id'), t('references'), t('workflow'), t('state'), t('phase'), t('updated'), t('marks')]
          .map((c) => h('th', {scope: 'col'}, c)))),
        h('tbody', {}, rows))));
    }
    // Cursor paging: the API gives `next`; the stack of cursors we came through gives "previous".
    const trail = (params.get('trail') || '').split(',').filter(Boolean);
    const pageLink = (after, newTrail, text, id) => {
      const q = new URLSearchParams(params);
      if (after) q.set('after', after); else q.delete('after');
      if (newTrail.length) q.set('trail', newTrail.join(',')); else q.delete('trail');
      return h('a', {href: '#/requests?' + q, class: 'button secondary', id}, text);
    };
    const pager = h('nav', {class: 'pager', 'aria-label': t('requests')});
    if (params.get('after')) {
      const prevTrail = trail.slice(0, -1);
      const prevAfter = trail.length ? trail[trail.length - 1] : '';
      pager.append(pageLink(prevAfter === '-' ? '' : prevAfter, prevTrail, t('previous'), 'page-prev'));
    }
    if (r.status === 200 && r.body.next) {
      pager.append(pageLink(r.body.next, [...trail, params.get('after') || '-'], t('next'), 'page-next'));
    }
    body.push(pager);
    Rog.clear(main).append(...body);
  };
})(window.Rog);
