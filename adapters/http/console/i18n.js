// The console's words in English, French and Arabic, the chosen language (kept in
// localStorage: a preference, not a secret), and Intl formatting of dates, numbers and
// durations in that language. Workflows' own translations come from their `labels`.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const STRINGS = {
    en: {
      skip: 'Skip to content', language: 'Language', requests: 'Requests', workflows: 'Workflows',
      stats: 'Statistics', sign_out: 'Sign out', sign_in: 'Sign in', token: 'Access token',
      sign_in_help: 'Your token is kept only in this tab and forgotten when you close it.',
      bad_token: 'This token is not valid.', workflow: 'Workflow', state: 'State',
      phase: 'Phase', overdue_only: 'Overdue only', party: 'Authority', per_page: 'Per page',
      apply: 'Apply', reset: 'Reset', any: 'Any', id: 'Request', updated: 'Updated',
      marks: 'Marks', overdue: 'overdue', lapsed: 'lapsed', paused: 'paused', running: 'running',
      next: 'Next page', previous: 'Previous page', first: 'First page', none: 'Nothing here.',
      version: 'version', parties: 'Parties', clocks: 'Clocks', due: 'Due', time_left: 'Time left',
      no_clocks: 'No clock is running.', history: 'History', chain_ok: 'Hash chain verified (entries: {n}); the head matches.',
      chain_broken: 'Hash chain BROKEN at entry {seq}: {why}.', tampered: 'content does not match its hash (altered)',
      bad_link: 'does not link to the previous entry', bad_seq: 'an entry is missing or out of order',
      head_mismatch: 'the last entry is not the request\'s head', unverified: 'after the break: not trusted',
      verified: 'verified', broken: 'broken', actions: 'Actions', no_actions: 'You may fire no event now.',
      fire: 'Fire', comment: 'Comment', required: 'required', optional_fields: 'Other fields',
      fired: '{event} done.', error: 'Error', yes: 'yes', no: 'no', unset: '(not set)',
      data: 'Data', by: 'by', diagram: 'Diagram', states: 'States', events: 'Events',
      total: 'Total', open: 'Open', closed: 'Closed', by_state: 'By state', by_phase: 'By phase',
      lapses: 'Lapses by deadline', outcomes: 'Outcomes', by_counterpart: 'By counterpart',
      breakdown: 'Breakdown: {field}', durations: 'Days between phases (median, 90th percentile)',
      median: 'median', p90: '90th pct', from: 'From', to: 'To', no_stats: 'Statistics are not available on this server.',
      loading: 'Loading…', not_found: 'Not found.', extended: 'extended', terminal: 'final',
      initial: 'initial', created: 'Created', revision: 'Revision', lapsed_at: 'lapsed',
      references: 'References', overdue_now: 'Overdue now', back: 'Back to the list', forbidden: 'You may not see this.',
      drafting: 'drafting', transmission: 'transmission', execution: 'execution', closure: 'closure',
    },
    fr: {
      skip: 'Aller au contenu', language: 'Langue', requests: 'Demandes', workflows: 'Procédures',
      stats: 'Statistiques', sign_out: 'Se déconnecter', sign_in: 'Se connecter', token: 'Jeton d\'accès',
      sign_in_help: 'Votre jeton est gardé dans cet onglet seulement et oublié à sa fermeture.',
      bad_token: 'Ce jeton n\'est pas valide.', workflow: 'Procédure', state: 'État',
      phase: 'Phase', overdue_only: 'En retard seulement', party: 'Autorité', per_page: 'Par page',
      apply: 'Appliquer', reset: 'Effacer', any: 'Tous', id: 'Demande', updated: 'Mise à jour',
      marks: 'Signaux', overdue: 'en retard', lapsed: 'délai expiré', paused: 'suspendu', running: 'en cours',
      next: 'Page suivante', previous: 'Page précédente', first: 'Première page', none: 'Rien ici.',
      version: 'version', parties: 'Parties', clocks: 'Délais', due: 'Échéance', time_left: 'Temps restant',
      no_clocks: 'Aucun délai ne court.', history: 'Historique', chain_ok: 'Chaîne de hachage vérifiée (entrées : {n}) ; la tête concorde.',
      chain_broken: 'Chaîne de hachage ROMPUE à l\'entrée {seq} : {why}.', tampered: 'le contenu ne correspond pas à son empreinte (modifié)',
      bad_link: 'ne se rattache pas à l\'entrée précédente', bad_seq: 'une entrée manque ou est déplacée',
      head_mismatch: 'la dernière entrée n\'est pas la tête de la demande', unverified: 'après la rupture : non fiable',
      verified: 'vérifiée', broken: 'rompue', actions: 'Actions', no_actions: 'Vous ne pouvez déclencher aucun événement.',
      fire: 'Déclencher', comment: 'Commentaire', required: 'obligatoire', optional_fields: 'Autres champs',
      fired: '{event} effectué.', error: 'Erreur', yes: 'oui', no: 'non', unset: '(non renseigné)',
      data: 'Données', by: 'par', diagram: 'Schéma', states: 'États', events: 'Événements',
      total: 'Total', open: 'Ouvertes', closed: 'Closes', by_state: 'Par état', by_phase: 'Par phase',
      lapses: 'Délais expirés', outcomes: 'Issues', by_counterpart: 'Par État partenaire',
      breakdown: 'Répartition : {field}', durations: 'Jours entre phases (médiane, 90e centile)',
      median: 'médiane', p90: '90e centile', from: 'Du', to: 'Au', no_stats: 'Les statistiques ne sont pas disponibles sur ce serveur.',
      loading: 'Chargement…', not_found: 'Introuvable.', extended: 'prorogé', terminal: 'final',
      initial: 'initial', created: 'Créée', revision: 'Révision', lapsed_at: 'expiré',
      references: 'Références', overdue_now: 'En retard', back: 'Retour à la liste', forbidden: 'Accès refusé.',
      drafting: 'rédaction', transmission: 'transmission', execution: 'exécution', closure: 'clôture',
    },
    ar: {
      skip: 'انتقل إلى المحتوى', language: 'اللغة', requests: 'الطلبات', workflows: 'الإجراءات',
      stats: 'الإحصاءات', sign_out: 'تسجيل الخروج', sign_in: 'تسجيل الدخول', token: 'رمز الدخول',
      sign_in_help: 'يُحفظ رمزك في هذا التبويب فقط ويُنسى عند إغلاقه.',
      bad_token: 'هذا الرمز غير صالح.', workflow: 'الإجراء', state: 'الحالة',
      phase: 'المرحلة', overdue_only: 'المتأخرة فقط', party: 'السلطة', per_page: 'في الصفحة',
      apply: 'تطبيق', reset: 'مسح', any: 'الكل', id: 'الطلب', updated: 'آخر تحديث',
      marks: 'تنبيهات', overdue: 'متأخر', lapsed: 'انقضت المهلة', paused: 'موقوف', running: 'جارٍ',
      next: 'الصفحة التالية', previous: 'الصفحة السابقة', first: 'الصفحة الأولى', none: 'لا شيء هنا.',
      version: 'الإصدار', parties: 'الأطراف', clocks: 'المهل', due: 'الاستحقاق', time_left: 'الوقت المتبقي',
      no_clocks: 'لا توجد مهلة جارية.', history: 'السجل', chain_ok: 'تم التحقق من سلسلة التجزئة (عدد القيود: {n})، والرأس مطابق.',
      chain_broken: 'سلسلة التجزئة مكسورة عند القيد {seq}: {why}.', tampered: 'المحتوى لا يطابق بصمته (معدَّل)',
      bad_link: 'لا يرتبط بالقيد السابق', bad_seq: 'قيد مفقود أو في غير موضعه',
      head_mismatch: 'القيد الأخير ليس رأس الطلب', unverified: 'بعد الكسر: غير موثوق',
      verified: 'تم التحقق', broken: 'مكسور', actions: 'الإجراءات', no_actions: 'لا يمكنك تنفيذ أي حدث الآن.',
      fire: 'تنفيذ', comment: 'تعليق', required: 'مطلوب', optional_fields: 'حقول أخرى',
      fired: 'تم {event}.', error: 'خطأ', yes: 'نعم', no: 'لا', unset: '(غير محدد)',
      data: 'البيانات', by: 'بواسطة', diagram: 'المخطط', states: 'الحالات', events: 'الأحداث',
      total: 'المجموع', open: 'مفتوحة', closed: 'مغلقة', by_state: 'حسب الحالة', by_phase: 'حسب المرحلة',
      lapses: 'المهل المنقضية', outcomes: 'النتائج', by_counterpart: 'حسب الدولة الشريكة',
      breakdown: 'التوزيع: {field}', durations: 'الأيام بين المراحل (الوسيط، المئين التسعون)',
      median: 'الوسيط', p90: 'المئين 90', from: 'من', to: 'إلى', no_stats: 'الإحصاءات غير متاحة على هذا الخادم.',
      loading: 'جارٍ التحميل…', not_found: 'غير موجود.', extended: 'ممدَّدة', terminal: 'نهائية',
      initial: 'أولية', created: 'أُنشئ', revision: 'المراجعة', lapsed_at: 'انقضت',
      references: 'المراجع', overdue_now: 'متأخرة الآن', back: 'العودة إلى القائمة', forbidden: 'غير مسموح لك.',
      drafting: 'الصياغة', transmission: 'الإحالة', execution: 'التنفيذ', closure: 'الإغلاق',
    },
  };
  const RTL = new Set(['ar']);
  const PHASES = ['drafting', 'transmission', 'execution', 'closure'];

  function initialLanguage() {
    const saved = localStorage.getItem('rogatory.lang');
    if (saved && STRINGS[saved]) return saved;
    const nav = (navigator.language || 'en').slice(0, 2);
    return STRINGS[nav] ? nav : 'en';
  }

  let lang = initialLanguage();

  Rog.PHASES = PHASES;
  Rog.lang = () => lang;
  Rog.setLanguage = (l) => {
    lang = STRINGS[l] ? l : 'en';
    localStorage.setItem('rogatory.lang', lang);
    document.documentElement.lang = lang;
    document.documentElement.dir = RTL.has(lang) ? 'rtl' : 'ltr';
  };
  // The console's own text for `key`, with {name} placeholders filled from `vars`.
  Rog.t = (key, vars) => {
    let s = STRINGS[lang][key] || STRINGS.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  };
  // A workflow's translation from a `labels` map ({fr: ..., ar: ...}), else `id` itself.
  Rog.label = (labels, id) => {
    if (labels && typeof labels === 'object') {
      if (labels[lang]) return labels[lang];
      for (const [tag, text] of Object.entries(labels)) {
        if (tag.toLowerCase().split('-')[0] === lang) return text;
      }
    }
    return id;
  };
  Rog.formatNumber = (n, digits) =>
    new Intl.NumberFormat(lang, {maximumFractionDigits: digits === undefined ? 0 : digits}).format(n);
  Rog.formatDateTime = (iso) => {
    if (!iso) return '';
    return new Intl.DateTimeFormat(lang, {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(iso));
  };
  // "in 3 days", "5 hours ago": the largest unit that keeps the number at least 1.
  Rog.formatRelative = (ms) => {
    const rtf = new Intl.RelativeTimeFormat(lang, {numeric: 'auto'});
    const abs = Math.abs(ms);
    const units = [['day', 86400000], ['hour', 3600000], ['minute', 60000]];
    for (const [unit, size] of units) {
      if (abs >= size) return rtf.format(Math.trunc(ms / size), unit);
    }
    return rtf.format(Math.trunc(ms / 1000), 'second');
  };
  Rog.phaseName = (p) => (PHASES.includes(p) ? Rog.t(p) : p);
  Rog.setLanguage(lang);
})(window.Rog);
