// A small DOM builder: every text goes in as a text node (never as HTML), and no element gets
// a style attribute, so the page keeps to its Content-Security-Policy.
'use strict';
window.Rog = window.Rog || {};
(function (Rog) {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  function build(el, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  // h('a', {href: '#/x', class: 'y'}, 'text', childNode, [more])
  Rog.h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
  Rog.svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);
  // "→" between two names: mirrored in a right-to-left page, so it still points forward.
  Rog.arrow = () => Rog.h('span', {class: 'flip', 'aria-hidden': 'true'}, ' → ');
  Rog.clear = (el) => {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  };
})(window.Rog);
