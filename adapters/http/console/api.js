// The REST API as the console calls it: the bearer token lives in sessionStorage, so it is
// kept for this tab only and never written to disk by the page.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const KEY = 'rogatory.token';
  Rog.token = () => sessionStorage.getItem(KEY);
  Rog.setToken = (t) => (t ? sessionStorage.setItem(KEY, t) : sessionStorage.removeItem(KEY));

  // Calls the API; resolves to {status, body} (body parsed as JSON when it is JSON, else
  // text). A 401 forgets the token and goes back to the sign-in page.
  Rog.api = async (path, options) => {
    const opts = options || {};
    const headers = {Accept: opts.accept || 'application/json'};
    const token = opts.token || Rog.token();
    if (token) headers.Authorization = 'Bearer ' + token;
    let body;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(path, {method: opts.method || 'GET', headers, body, cache: 'no-store'});
    const type = res.headers.get('Content-Type') || '';
    const parsed = type.startsWith('application/json') ? await res.json() : await res.text();
    if (res.status === 401 && !opts.token) {
      Rog.setToken(null);
      if (Rog.onSignedOut) Rog.onSignedOut();
    }
    return {status: res.status, body: parsed};
  };
  // The API's error message, or the HTTP status.
  Rog.errorText = (r) =>
    (r.body && r.body.error && r.body.error.message) || Rog.t('error') + ' ' + r.status;
})(window.Rog);
