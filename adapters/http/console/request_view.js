// One request: state, parties, clocks, the history checked link by link (chain.js), and a
// form for each event the caller may fire.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const {h, t} = Rog;
  const {stateName, eventName, fieldName, valueName, title} = Rog.names;
  const {definition, message, marks} = Rog;
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
})(window.Rog);
