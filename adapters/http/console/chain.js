// Checks a request's history hash chain in the browser, with the server's own canonical form
// (engine/src/history.cc): every field as <UTF-8 byte length>:<bytes>, in the order prev_hash,
// request id, seq, event, from, to, actor, at (unix microseconds), data (compact JSON with
// sorted keys), comment, then the authority only when there is one; SHA-256 in lowercase hex.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const GENESIS = '0'.repeat(64);
  const encoder = new TextEncoder();

  // nlohmann::json::dump() of parsed JSON: no spaces, object keys sorted, strings escaped as
  // JSON.stringify does (both escape only ", \ and control characters, in lowercase \u00xx).
  // Limitation: a float written with a trailing ".0" by the server reads back as an integer.
  function canonicalJson(v) {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
    const keys = Object.keys(v).sort(compareUtf8);
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(v[k])).join(',') + '}';
  }

  // std::map<std::string> order: bytewise on UTF-8.
  function compareUtf8(a, b) {
    const x = encoder.encode(a), y = encoder.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); ++i) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  // "2026-12-02T10:54:15.652070Z" -> "1796208855652070" (exact: below 2^53).
  function unixMicros(iso) {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z$/.exec(iso);
    if (!m) return 'invalid-time';
    const seconds = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
    const frac = +((m[7] || '') + '000000').slice(0, 6);
    return String(seconds * 1000000 + frac);
  }

  function field(parts, text) {
    const bytes = encoder.encode(text);
    parts.push(encoder.encode(bytes.length + ':'), bytes);
  }

  async function entryHash(requestId, e) {
    const parts = [];
    field(parts, e.prev_hash);
    field(parts, requestId);
    field(parts, String(e.seq));
    field(parts, e.event);
    field(parts, e.from || '');
    field(parts, e.to || '');
    field(parts, e.actor);
    field(parts, unixMicros(e.at));
    field(parts, canonicalJson(e.data === undefined ? {} : e.data));
    field(parts, e.comment || '');
    if (e.authority) field(parts, e.authority);
    const total = parts.reduce((n, p) => n + p.length, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // Verifies `entries` (oldest first) of request `requestId` whose head is `headHash`.
  // Resolves to {ok, results: [{seq, status: 'ok'|'tampered'|'bad_link'|'bad_seq'|
  // 'unverified'}], breakAt: seq or null, reason}. Everything after the first break is
  // 'unverified': its own hashes may add up, but it hangs off an untrusted entry.
  Rog.verifyChain = async (requestId, entries, headHash) => {
    const results = [];
    let prev = GENESIS, breakAt = null, reason = null;
    for (let i = 0; i < entries.length; ++i) {
      const e = entries[i];
      let status = 'ok';
      if (breakAt !== null) {
        status = 'unverified';
      } else if (e.seq !== i + 1) {
        status = 'bad_seq';
      } else if (e.prev_hash !== prev) {
        status = 'bad_link';
      } else if ((await entryHash(requestId, e)) !== e.hash) {
        status = 'tampered';
      }
      if (status !== 'ok' && status !== 'unverified') {
        breakAt = e.seq;
        reason = status;
      }
      results.push({seq: e.seq, status});
      prev = e.hash;
    }
    if (breakAt === null && entries.length > 0 && headHash && prev !== headHash) {
      breakAt = entries[entries.length - 1].seq;
      reason = 'head_mismatch';
      results[results.length - 1].status = 'bad_link';
    }
    return {ok: breakAt === null, results, breakAt, reason};
  };
  Rog.canonicalJson = canonicalJson;
  Rog.unixMicros = unixMicros;
})(window.Rog);
