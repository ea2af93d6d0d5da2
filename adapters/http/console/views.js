// What the console's pages share (each page is a file of its own: requests_view.js, ...):
// workflow definitions (cached), their names in the user's language, messages and the
// overdue/lapsed marks; and the sign-in page. Pages fill `main` from the API and link to each
// other through the URL's fragment (#/requests?..., #/requests/ID, #/workflows/ID, #/stats), so
// the back button, bookmarks and the keyboard all work.
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

  Rog.definition = definition;
  Rog.message = message;
  Rog.marks = marks;

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
})(window.Rog);
