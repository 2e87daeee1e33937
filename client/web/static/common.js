/*
 * common.js - what every page of the console shares: who is signed in,
 * asking ffc-web (which asks ffcd as you), building the page from data
 * without ever parsing it as HTML, times in words, and announcements for
 * screen readers. No library, no build step.
 */
'use strict';

const ffc = (() => {
  let session = null;
  let clockSkew = 0; // server time minus this browser's

  /* An element: el('p', {class: 'x'}, 'text', child, ...). Text is always
   * text (textContent), never HTML. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) e.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  /* A table: a caption, column headings, and rows of cells (text or
   * nodes). */
  function table(caption, heads, rows) {
    return el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, heads.map((h) => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  class Refused extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  /* GET (no body) or POST (fields) to the API; the reply's JSON, or a
   * Refused error carrying ffcd's words. A session that has ended sends
   * the person to sign in again. */
  async function api(path, fields) {
    const opts = {credentials: 'same-origin', headers: {}};
    if (fields) {
      opts.method = 'POST';
      opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      opts.headers['X-CSRF-Token'] = session ? session.csrf : '';
      opts.body = new URLSearchParams(fields).toString();
    }
    let r;
    try {
      r = await fetch(path, opts);
    } catch (e) {
      throw new Refused(0, 'ffc-web did not answer: check your connection and try again.');
    }
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (r.status === 401) {
      location.assign('/login?ended=1');
      throw new Refused(401, 'Your session ended.');
    }
    if (!r.ok) throw new Refused(r.status, (body && body.error) || ('HTTP ' + r.status));
    return body;
  }

  function now() { return Date.now() + clockSkew; }
  function setServerNow(ms) { if (ms) clockSkew = ms - Date.now(); }

  function pad(n) { return String(n).padStart(2, '0'); }
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct',
                  'Nov', 'Dec'];

  /* "12 Mar 2026 14:05" (local time). */
  function when(ms) {
    if (!ms) return '';
    const d = new Date(Number(ms));
    return d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear() + ' ' +
           pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function day(ms) {
    if (!ms) return '';
    const d = new Date(Number(ms));
    return d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear();
  }

  /* "3 h 12 min", "2 days 4 h", "45 s". */
  function span(ms) {
    ms = Math.abs(ms);
    const m = Math.floor(ms / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d >= 2) return d + ' days ' + (h % 24) + ' h';
    if (h >= 1) return h + ' h ' + (m % 60) + ' min';
    if (m >= 1) return m + ' min';
    return Math.max(1, Math.floor(ms / 1000)) + ' s';
  }

  function time(ms, text) {
    return el('time', {datetime: new Date(Number(ms)).toISOString(), title: when(ms)},
              text || when(ms));
  }

  /* Words for enum names: "DOMESTIC_ABUSE" -> "domestic abuse". */
  function words(name) {
    return String(name || '').toLowerCase().replace(/_/g, ' ');
  }

  function childName(c) {
    if (!c) return '';
    const n = [c.given_name, c.family_name].filter(Boolean).join(' ');
    return n || '(name not known)';
  }

  /* Tell screen readers; assertive for what cannot wait. */
  function announce(text, urgent) {
    const r = document.getElementById(urgent ? 'announce-urgent' : 'announce');
    if (!r) return;
    r.textContent = '';
    setTimeout(() => { r.textContent = text; }, 50);
  }

  /* A refusal or problem, in words, where the person is looking. */
  function problem(node, text) {
    if (!node) return;
    node.textContent = text || '';
    node.hidden = !text;
  }

  const ROLES = {viewer: 1, practitioner: 2, admin: 3};

  async function start() {
    session = await api('/api/session');
    const who = document.getElementById('who');
    if (who) who.textContent = session.name + ' (' + session.role + ')';
    const c = document.getElementById('signout-csrf');
    if (c) c.value = session.csrf;
    for (const n of document.querySelectorAll('[data-role]')) {
      n.hidden = (ROLES[session.role] || 0) < (ROLES[n.getAttribute('data-role')] || 9);
    }
    return session;
  }

  return {el, svg, table, clear, api, Refused, now, setServerNow, when, day, span, time, words,
          childName, announce, problem, start, session: () => session, ROLES};
})();
