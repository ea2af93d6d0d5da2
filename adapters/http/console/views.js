// The console's pages. Each view fills `main` from the API and links to the others through
// the URL's fragment (#/requests?..., #/requests/ID, #/workflows/ID, #/stats), so the back
// button, bookmarks and the keyboard all work.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, t} = Rog;
  const defs = new Map();

  // A workflow's definition (cached: versions never change).
  async function definition(workflow, version) {
    const key = workflow + '@' + (version || '');
    if (!defs.has(key)) {
      const r = await Rog.api('/v1/workflows/' + encodeURIComponent(workflow) +
                              (version ? '?version=' + version : ''));
      if (r.status !== 200) return null;
      defs.set(key, r.body);
    }
    return defs.get(key);
  }
  const stateName = (def, s) => (def && def.states && def.states[s] ? Rog.label(def.states[s].labels, s) : s);
  const eventName = (def, e) => (def && def.events && def.events[e] ? Rog.label(def.events[e].labels, e) : e);
  const fieldName = (def, f) => (def && def.fields && def.fields[f] ? Rog.label(def.fields[f].labels, f) : f);
  const valueName = (def, f, v) => {
    const vl = def && def.fields && def.fields[f] && def.fields[f].value_labels;
    return vl && vl[v] ? Rog.label(vl[v], v) : v;
  };
  const title = (def, id) => (def ? Rog.label(def.labels, def.title || id) : id);
  Rog.names = {stateName, eventName, fieldName, valueName, title};

  function message(text, kind) {
    return h('p', {class: 'message ' + (kind || ''), role: kind === 'error' ? 'alert' : null}, text);
  }

  // Marks for a request: lapsed (a clock ran out) and overdue (a running clock past due).
  function marks(req) {
    const now = Date.now();
    const out = [];
    const ds = req.deadlines || [];
    if (ds.some((d) => d.lapsed)) out.push(h('span', {class: 'mark lapsed'}, t('lapsed')));
    if (ds.some((d) => !d.lapsed && !d.paused && Date.parse(d.due_at) <= now)) {
      out.push(h('span', {class: 'mark overdue'}, t('overdue')));
    }
    return out;
  }

  // ---- Sign-in ----
  Rog.viewSignIn = (main) => {
    const input = h('input', {id: 'token', type: 'password', autocomplete: 'off', required: true,
                              'aria-describedby': 'token-help'});
    const err = h('p', {class: 'field-error', id: 'signin-error', role: 'alert'});
    const form = h('form', {class: 'card signin', id: 'signin', novalidate: true},
      h('h1', {}, t('sign_in')),
      h('label', {for: 'token'}, t('token')), input,
      h('p', {id: 'token-help', class: 'muted'}, t('sign_in_help')), err,
      h('button', {type: 'submit'}, t('sign_in')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const token = input.value.trim();
      const r = await Rog.api('/v1/workflows', {token});
      if (r.status !== 200) {
        err.textContent = t('bad_token');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      Rog.setToken(token);
      Rog.signedIn();
    });
    Rog.clear(main).append(form);
    input.focus();
  };

  // ---- Request list ----
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

  // ---- One request ----
  function clockRow(def, d) {
    const due = Date.parse(d.due_at);
    const left = d.paused ? (d.remaining_ms || 0) : due - Date.now();
    const state = d.lapsed ? 'lapsed' : d.paused ? 'paused' : left <= 0 ? 'overdue' : 'running';
    const described = def && def.deadlines && def.deadlines[d.name] && def.deadlines[d.name].description;
    return h('tr', {'data-clock': d.name, class: state},
      h('th', {scope: 'row'}, Rog.label(def && def.deadlines && def.deadlines[d.name] &&
                                        def.deadlines[d.name].labels, d.name),
        described ? h('div', {class: 'muted small'}, described) : null),
      h('td', {}, Rog.formatDateTime(d.due_at)),
      h('td', {}, d.lapsed ? t('lapsed_at') + ' ' + Rog.formatDateTime(d.lapsed_at || d.due_at)
                           : Rog.formatRelative(left)),
      h('td', {}, h('span', {class: 'mark ' + state}, t(state)), d.extended ? ' ' + t('extended') : ''));
  }

  function dataList(def, data) {
    const entries = Object.entries(data || {});
    if (entries.length === 0) return null;
    return h('dl', {class: 'data'}, entries.map(([k, v]) => [
      h('dt', {}, fieldName(def, k)),
      h('dd', {}, Array.isArray(v) ? v.map((x) => valueName(def, k, x)).join(', ')
        : typeof v === 'boolean' ? t(v ? 'yes' : 'no')
        : typeof v === 'object' && v !== null ? JSON.stringify(v) : valueName(def, k, String(v)))]));
  }

  async function timeline(req, def) {
    const r = await Rog.api('/v1/requests/' + encodeURIComponent(req.id) + '/history');
    if (r.status !== 200) return message(Rog.errorText(r), 'error');
    const entries = r.body;
    const check = await Rog.verifyChain(req.id, entries, req.head_hash);
    const banner = check.ok
      ? h('p', {class: 'chain ok', id: 'chain-status', 'data-ok': 'true'}, '✔ ', t('chain_ok', {n: Rog.formatNumber(entries.length)}))
      : h('p', {class: 'chain broken', id: 'chain-status', 'data-ok': 'false', 'data-break': check.breakAt, role: 'alert'},
          '✖ ', t('chain_broken', {seq: Rog.formatNumber(check.breakAt), why: t(check.reason)}));
    const items = entries.map((e, i) => {
      const st = check.results[i].status;
      return h('li', {class: 'entry ' + st, 'data-seq': e.seq, 'data-status': st},
        h('div', {class: 'when'}, h('time', {datetime: e.at}, Rog.formatDateTime(e.at))),
        h('div', {class: 'what'},
          h('strong', {}, e.event === 'create' ? t('created') : eventName(def, e.event)), ' ',
          e.from ? [stateName(def, e.from), Rog.arrow()] : '', stateName(def, e.to),
          h('div', {class: 'muted small'}, t('by'), ' ', e.actor, e.authority ? ' (' + e.authority + ')' : ''),
          e.comment ? h('blockquote', {}, e.comment) : null,
          dataList(def, e.data),
          st === 'ok' ? h('span', {class: 'seal ok', title: e.hash}, t('verified'))
            : h('span', {class: 'seal bad'}, st === 'unverified' ? t('unverified') : t('broken') + ': ' + t(st))));
    });
    return h('section', {id: 'history', 'aria-labelledby': 'history-h'},
      h('h2', {id: 'history-h'}, t('history')), banner, h('ol', {class: 'timeline', id: 'timeline'}, items));
  }

  // One input for field `name` of `def`, filled with `value` when given.
  function fieldInput(def, name, value, required) {
    const f = (def.fields || {})[name] || {type: 'string'};
    const id = 'field-' + name;
    const common = {id, name, 'aria-describedby': id + '-error', 'aria-required': required ? 'true' : null};
    let input;
    if (f.type === 'enum') {
      input = h('select', common, h('option', {value: ''}, t('unset')),
        (f.values || []).map((v) => h('option', {value: v, selected: v === value}, valueName(def, name, v))));
    } else if (f.type === 'boolean') {
      input = h('select', Object.assign({'data-type': 'boolean'}, common), h('option', {value: ''}, t('unset')),
        h('option', {value: 'true', selected: value === true}, t('yes')),
        h('option', {value: 'false', selected: value === false}, t('no')));
    } else if (f.type === 'list' && f.items === 'enum') {
      input = h('fieldset', Object.assign({class: 'choices', 'data-type': 'enum-list'}, common),
        (f.values || []).map((v) => h('label', {class: 'check'},
          h('input', {type: 'checkbox', value: v, checked: Array.isArray(value) && value.includes(v)}),
          h('span', {}, valueName(def, name, v)))));
    } else if (f.type === 'list') {
      input = h('textarea', Object.assign({'data-type': 'list', rows: 2}, common),
        Array.isArray(value) ? value.join('\n') : '');
    } else if (f.type === 'integer' || f.type === 'number') {
      input = h('input', Object.assign({type: 'number', step: f.type === 'integer' ? 1 : 'any',
                                        'data-type': f.type, value: value ?? ''}, common));
    } else if (f.type === 'date') {
      input = h('input', Object.assign({type: 'date', value: value ?? ''}, common));
    } else {
      input = h('input', Object.assign({type: 'text', value: value ?? ''}, common));
    }
    return h('div', {class: 'field', 'data-field': name},
      h('label', {for: id}, fieldName(def, name), required ? h('abbr', {title: t('required'), class: 'req'}, ' *') : null),
      input,
      f.description ? h('div', {class: 'muted small'}, f.description) : null,
      h('div', {class: 'field-error', id: id + '-error', role: 'alert'}));
  }

  function readField(el) {
    const type = el.getAttribute('data-type');
    if (type === 'enum-list') {
      const picked = [...el.querySelectorAll('input:checked')].map((c) => c.value);
      return picked.length ? picked : undefined;
    }
    const v = el.value.trim();
    if (v === '') return undefined;
    if (type === 'boolean') return v === 'true';
    if (type === 'list') return v.split('\n').map((s) => s.trim()).filter(Boolean);
    if (type === 'integer' || type === 'number') return Number(v);  // the server judges it
    return v;
  }

  // The form for one event: its required fields first, then every other field folded away.
  // The browser does not validate (novalidate): the server's answer is the rule, and its
  // error is shown next to the field it names.
  function eventForm(req, def, ev, onDone) {
    const required = ev.require || [];
    const others = Object.keys(def.fields || {}).filter((f) => !required.includes(f));
    const general = h('p', {class: 'field-error form-error', role: 'alert'});
    const form = h('form', {class: 'event-form card', 'data-event': ev.event, novalidate: true},
      h('h3', {}, eventName(def, ev.event), h('span', {class: 'muted'}, Rog.arrow(), stateName(def, ev.to))),
      required.map((f) => fieldInput(def, f, (req.data || {})[f], true)),
      others.length ? h('details', {}, h('summary', {}, t('optional_fields')),
                        others.map((f) => fieldInput(def, f, undefined, false))) : null,
      h('div', {class: 'field'}, h('label', {for: 'comment-' + ev.event}, t('comment')),
        h('textarea', {id: 'comment-' + ev.event, name: 'comment', rows: 2})),
      general,
      h('button', {type: 'submit', class: 'fire'}, t('fire'), ': ', eventName(def, ev.event)));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
      for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
      const data = {};
      for (const el of form.querySelectorAll('[id^="field-"]')) {
        if (el.matches('.field-error')) continue;
        const v = readField(el);
        if (v !== undefined) data[el.getAttribute('name')] = v;
      }
      const body = {event: ev.event, data, expected_revision: req.revision};
      const comment = form.querySelector('textarea[name=comment]').value.trim();
      if (comment) body.comment = comment;
      const r = await Rog.api('/v1/requests/' + encodeURIComponent(req.id) + '/events',
                              {method: 'POST', json: body});
      if (r.status === 200) return onDone(t('fired', {event: eventName(def, ev.event)}));
      const text = Rog.errorText(r);
      const m = /field '([^']+)'/.exec(text);
      const target = m && form.querySelector('[data-field="' + CSS.escape(m[1]) + '"]');
      if (target) {
        const details = target.closest('details');
        if (details) details.open = true;
        target.querySelector('.field-error').textContent = text;
        const input = target.querySelector('[id^="field-"]');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } else {
        general.textContent = text;
      }
    });
    return form;
  }

  Rog.viewRequest = async (main, id) => {
    const flash = Rog.flash;
    Rog.flash = null;
    const r = await Rog.api('/v1/requests/' + encodeURIComponent(id));
    if (r.status !== 200) {
      Rog.clear(main).append(h('h1', {}, id), message(r.status === 404 ? t('not_found') : Rog.errorText(r), 'error'));
      return;
    }
    const req = r.body;
    const def = await definition(req.workflow, req.version);
    const evs = await Rog.api('/v1/requests/' + encodeURIComponent(id) + '/events');
    const reload = (text) => {
      Rog.flash = text;
      Rog.refresh();
    };
    const clocks = req.deadlines || [];
    const head = h('header', {class: 'request-head'},
      h('p', {}, h('a', {href: '#/requests'}, h('span', {class: 'flip', 'aria-hidden': 'true'}, '←'), ' ', t('back'))),
      h('h1', {class: 'mono'}, req.id),
      h('p', {class: 'muted'}, h('a', {href: '#/workflows/' + encodeURIComponent(req.workflow) + '?version=' + req.version},
        title(def, req.workflow)), ' · ', t('version'), ' ', Rog.formatNumber(req.version), ' · ',
        t('revision'), ' ', Rog.formatNumber(req.revision)),
      h('p', {class: 'state-line'},
        h('span', {class: 'pill state', id: 'request-state', 'data-state': req.state}, stateName(def, req.state)),
        h('span', {class: 'pill phase', 'data-phase': req.phase}, Rog.phaseName(req.phase)), marks(req)));
    const parties = Object.entries(req.parties || {});
    const refs = Object.entries(req.references || {});
    const side = h('section', {class: 'card', 'aria-labelledby': 'parties-h'},
      h('h2', {id: 'parties-h'}, t('parties')),
      parties.length ? h('dl', {class: 'data', id: 'parties'}, parties.map(([s, a]) => [h('dt', {}, s), h('dd', {}, a)]))
        : h('p', {class: 'muted'}, '–'),
      refs.length ? [h('h2', {}, t('references')),
        h('dl', {class: 'data', id: 'references'}, refs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))] : null,
      h('h2', {}, t('data')), dataList(def, req.data) || h('p', {class: 'muted'}, '–'));
    const clockBox = h('section', {class: 'card', 'aria-labelledby': 'clocks-h', id: 'clocks'},
      h('h2', {id: 'clocks-h'}, t('clocks')),
      clocks.length === 0 ? h('p', {class: 'muted'}, t('no_clocks'))
        : h('div', {class: 'table-wrap'}, h('table', {},
          h('thead', {}, h('tr', {}, ['', t('due'), t('time_left'), t('state')].map((c) => h('th', {scope: 'col'}, c)))),
          h('tbody', {}, clocks.map((d) => clockRow(def, d))))));
    const actions = h('section', {id: 'actions', 'aria-labelledby': 'actions-h'},
      h('h2', {id: 'actions-h'}, t('actions')),
      flash ? message(flash, 'ok') : null,
      evs.status !== 200 ? message(Rog.errorText(evs), 'error')
        : evs.body.length === 0 ? h('p', {class: 'muted'}, t('no_actions'))
          : evs.body.map((ev) => eventForm(req, def, ev, reload)));
    const layout = h('div', {class: 'request-grid'},
      h('div', {class: 'col'}, clockBox, actions),
      h('div', {class: 'col'}, side, await timeline(req, def)));
    Rog.clear(main).append(head, layout);
  };

  // ---- Workflows ----
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

  // ---- Statistics ----
  Rog.viewStats = async (main, params) => {
    const q = new URLSearchParams();
    for (const k of ['workflow', 'from', 'to']) if (params.get(k)) q.set(k, params.get(k));
    const r = await Rog.api('/v1/stats' + (q.toString() ? '?' + q : ''));
    const form = h('form', {class: 'filters', id: 'stats-filters'},
      h('label', {}, h('span', {}, t('from')), h('input', {type: 'date', id: 's-from', value: params.get('from') || ''})),
      h('label', {}, h('span', {}, t('to')), h('input', {type: 'date', id: 's-to', value: params.get('to') || ''})),
      h('button', {type: 'submit'}, t('apply')));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const n = new URLSearchParams(params);
      for (const [k, id] of [['from', 's-from'], ['to', 's-to']]) {
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
          .map(([k, n]) => h('div', {class: 'figure ' + k}, h('span', {class: 'n'}, Rog.formatNumber(n || 0)), h('span', {}, t(k))));
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
