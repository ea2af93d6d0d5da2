// The console's shell: sign-in state, language, navigation and the fragment router.
'use strict';
(function (Rog) {
  const main = document.getElementById('main');
  const nav = document.getElementById('nav');
  const signout = document.getElementById('signout');
  const langSelect = document.getElementById('lang');

  // The fixed words of the page shell, in the chosen language.
  function translateShell() {
    document.querySelector('.skip').textContent = Rog.t('skip');
    document.getElementById('lang-label').textContent = Rog.t('language');
    document.getElementById('nav-requests').textContent = Rog.t('requests');
    document.getElementById('nav-workflows').textContent = Rog.t('workflows');
    document.getElementById('nav-stats').textContent = Rog.t('stats');
    signout.textContent = Rog.t('sign_out');
    langSelect.value = Rog.lang();
  }

  let rendering = 0;
  async function route() {
    const signedIn = !!Rog.token();
    nav.hidden = !signedIn;
    signout.hidden = !signedIn;
    if (!signedIn) return Rog.viewSignIn(main);
    const hash = location.hash.replace(/^#/, '') || '/requests';
    const [path, query] = hash.split('?');
    const params = new URLSearchParams(query || '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const a of nav.querySelectorAll('a')) {
      if (a.dataset.view === parts[0]) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const mine = ++rendering;
    main.setAttribute('aria-busy', 'true');
    try {
      if (parts[0] === 'requests' && parts[1]) await Rog.viewRequest(main, parts[1]);
      else if (parts[0] === 'workflows' && parts[1]) await Rog.viewWorkflow(main, parts[1], params.get('version'));
      else if (parts[0] === 'workflows') await Rog.viewWorkflows(main);
      else if (parts[0] === 'stats') await Rog.viewStats(main, params);
      else await Rog.viewRequests(main, params);
    } catch (e) {
      Rog.clear(main).append(Rog.h('p', {class: 'message error', role: 'alert'}, Rog.t('error') + ': ' + e.message));
    } finally {
      if (mine === rendering) {
        main.removeAttribute('aria-busy');
        document.body.dataset.view = parts[0] || 'requests';
        document.body.dataset.ready = String(mine);
      }
    }
  }

  Rog.signedIn = () => {
    if (!location.hash || location.hash === '#/') location.hash = '#/requests';
    route();
  };
  Rog.onSignedOut = () => route();
  Rog.refresh = () => route();
  signout.addEventListener('click', () => {
    Rog.setToken(null);
    location.hash = '';
    route();
  });
  langSelect.addEventListener('change', () => {
    Rog.setLanguage(langSelect.value);
    translateShell();
    route();
  });
  window.addEventListener('hashchange', () => {
    route();
    main.focus({preventScroll: true});
  });
  translateShell();
  route();
})(window.Rog);
