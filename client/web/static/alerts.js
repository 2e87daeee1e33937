/*
 * alerts.js - the open alerts, live. The page loads the open and
 * acknowledged alerts with the stream position they were read at, then
 * follows the live stream from exactly there (Server-Sent Events; the
 * browser sends the last event's id when it reconnects, so nothing is
 * missed). RED first, then AMBER; each child's (or household's) alerts
 * together, the most urgent first. Working an alert takes two clicks:
 * one opens the action, one confirms it. ffcd's refusals are shown as it
 * words them.
 */
'use strict';

(() => {
  const {el, clear, api, when, span, time, words, childName, announce, problem} = ffc;
  const alerts = new Map();   // alert_id -> alert (as ffcd sends it)
  const cards = new Map();    // alert_id -> {root, state, due, lead, evidence, news}
  const groups = new Map();   // group key -> {root, list}
  let outcomes = [];
  let stream = null;
  let reloading = null;       // events that arrive while the list reloads
  const problemBox = document.getElementById('problem');

  const OPENISH = new Set(['OPEN', 'ACKNOWLEDGED']);

  /* When an alert last changed, by ffcd's clock: an update older than
   * what is shown is not applied (the stream and a reload may overlap). */
  function changedAt(a) {
    return Math.max(Number(a.raised_at_ms) || 0, Number(a.acknowledged_at_ms) || 0,
                    Number(a.closed_at_ms) || 0, Number(a.reopened_at_ms) || 0,
                    Number(a._changed_ms) || 0);
  }

  function groupKey(a) {
    return a.household_id ? 'h:' + a.household_id : 'c:' + a.child_id;
  }

  function urgency(a) {
    // Overdue and unacknowledged first, then by due time.
    const overdue = a.state === 'OPEN' && Number(a.due_at_ms) && Number(a.due_at_ms) < ffc.now();
    return (overdue ? 0 : a.state === 'OPEN' ? 1 : 2) * 1e15 + (Number(a.due_at_ms) || 0);
  }

  /* ---- a card per alert ---- */

  function dueText(a) {
    const due = Number(a.due_at_ms);
    if (a.state !== 'OPEN' || !due) return null;
    const left = due - ffc.now();
    return left < 0 ? 'OVERDUE by ' + span(-left) + ' (due ' + when(due) + ')'
                    : 'due in ' + span(left) + ' (by ' + when(due) + ')';
  }

  function stateText(a) {
    if (a.state === 'ACKNOWLEDGED') {
      return 'Acknowledged by ' + a.acknowledged_by + ', ' +
             span(ffc.now() - Number(a.acknowledged_at_ms)) + ' ago';
    }
    if (a.state === 'OPEN') {
      return Number(a.reopened_at_ms) ? 'Open again: reopened by new evidence ' +
                                         when(a.reopened_at_ms)
                                       : 'Open: nobody has it yet';
    }
    return words(a.state);
  }

  function evidenceText(a) {
    const ev = a.evidence || [];
    return ev.map((c) => words(c.agency) + ' ' + words(c.category) + ' (' +
                         words(c.severity) + ', ' + ffc.day(c.occurred_at_ms) + ')').join('; ');
  }

  function refresh(a) {
    const c = cards.get(a.alert_id);
    if (!c) return;
    c.root.className = 'alert ' + a.level.toLowerCase() + ' ' + a.state.toLowerCase() +
                       (dueText(a) && dueText(a).startsWith('OVERDUE') ? ' overdue' : '');
    c.state.textContent = stateText(a);
    const due = dueText(a);
    c.due.textContent = due || '';
    c.due.hidden = !due;
    c.raised.textContent = when(a.raised_at_ms) + ' (' + span(ffc.now() - Number(a.raised_at_ms)) +
                           ' ago)';
    c.lead.textContent = a.lead_practitioner || 'none assigned';
    c.evidence.textContent = (a.evidence || []).length + ' concerns: ' + evidenceText(a);
    c.reason.textContent = a.reason;
    c.ack.hidden = a.state !== 'OPEN';
  }

  function actionPanel(c, a, kind) {
    const panel = clear(c.panel);
    panel.hidden = false;
    const id = a.alert_id;
    const say = (msg) => problem(c.problem, msg);
    const done = (reply, what) => {
      if (reply && reply.alert) upsert(reply.alert, false);
      clear(panel).hidden = true;
      say('');
      announce(what);
      c.status.textContent = what;
    };
    const run = async (btn, path, fields, what) => {
      btn.disabled = true;
      try {
        const reply = await api(path, Object.assign({alert_id: id}, fields));
        done(reply, what);
      } catch (e) {
        say(e.message);
        btn.disabled = false;
      }
    };
    const cancel = el('button', {type: 'button', class: 'quiet', onclick: () => {
      clear(panel).hidden = true; say(''); c.buttons[kind].focus();
    }}, 'Cancel');
    const fid = id + '-' + kind;
    if (kind === 'ack') {
      const note = el('input', {id: fid + '-note', maxlength: 2000});
      const ok = el('button', {type: 'button', class: 'confirm', 'data-action': 'confirm-ack',
        onclick: () => run(ok, '/api/ack', {note: note.value}, id + ' acknowledged by you')},
        'Confirm: I have it');
      panel.append(el('p', {}, el('label', {for: fid + '-note'}, 'Note (optional)'), note),
                   el('p', {}, ok, ' ', cancel));
      ok.focus();
    } else if (kind === 'note') {
      const text = el('textarea', {id: fid + '-text', rows: 3, maxlength: 2000, required: true});
      const ok = el('button', {type: 'button', class: 'confirm', 'data-action': 'confirm-note',
        onclick: () => run(ok, '/api/note', {text: text.value}, 'note added to ' + id)},
        'Save the note');
      panel.append(el('p', {}, el('label', {for: fid + '-text'}, 'Note'), text),
                   el('p', {}, ok, ' ', cancel));
      text.focus();
    } else if (kind === 'lead') {
      const who = el('input', {id: fid + '-who', maxlength: 128, required: true,
                               value: a.lead_practitioner || ''});
      const ok = el('button', {type: 'button', class: 'confirm', 'data-action': 'confirm-lead',
        onclick: async () => {
          ok.disabled = true;
          try {
            const r = await api('/api/assign', {child_id: a.child_id, practitioner: who.value});
            for (const x of alerts.values()) {
              if (x.child_id === a.child_id) { x.lead_practitioner = r.lead_practitioner; refresh(x); }
            }
            done(null, r.lead_practitioner + ' is now the lead practitioner for ' + a.child_id);
          } catch (e) { say(e.message); ok.disabled = false; }
        }}, 'Assign');
      panel.append(el('p', {}, el('label', {for: fid + '-who'}, 'Lead practitioner for ' +
                                  childName(a.child)), who),
                   el('p', {}, ok, ' ', cancel));
      who.focus();
    } else if (kind === 'close') {
      const note = el('input', {id: fid + '-note', maxlength: 2000});
      const list = el('p', {class: 'outcomes', role: 'group', 'aria-label': 'Close with the outcome'});
      for (const o of outcomes) {
        const b = el('button', {type: 'button', class: 'confirm', 'data-outcome': o,
          onclick: () => run(b, '/api/close', {outcome: o, note: note.value},
                             id + ' closed: ' + o)}, o);
        list.append(b, ' ');
      }
      if (!outcomes.length) list.append('ffcd has told no outcomes.');
      panel.append(el('p', {}, 'Close with the outcome:'), list,
                   el('p', {}, el('label', {for: fid + '-note'}, 'Note (optional)'), note),
                   el('p', {}, cancel));
      const first = list.querySelector('button');
      if (first) first.focus();
    } else if (kind === 'history') {
      const purpose = el('input', {id: fid + '-purpose', maxlength: 512, required: true});
      const out = el('ol', {class: 'history'});
      const ok = el('button', {type: 'button', class: 'confirm', onclick: async () => {
        ok.disabled = true;
        try {
          const full = await api('/api/alert', {alert_id: id, purpose: purpose.value});
          clear(out);
          for (const h of full.history || []) {
            out.append(el('li', {}, time(h.at_ms), ' ', words(h.action), ' by ', h.by,
                          h.outcome ? ' (' + h.outcome + ')' : '', h.text ? ': ' + h.text : ''));
          }
          if (!out.firstChild) out.append(el('li', {}, 'Nothing yet.'));
          say('');
        } catch (e) { say(e.message); }
        ok.disabled = false;
      }}, 'Show the history');
      panel.append(el('p', {}, el('label', {for: fid + '-purpose'},
                                  'Why do you need the notes? (kept in the audit trail)'),
                      purpose), el('p', {}, ok, ' ', cancel), out);
      purpose.focus();
    }
  }

  function makeCard(a) {
    const c = {};
    const h = 'h-' + a.alert_id;
    c.state = el('span', {class: 'state'});
    c.due = el('span', {class: 'due'});
    c.raised = el('span', {});
    c.lead = el('span', {class: 'lead'});
    c.evidence = el('span', {});
    c.reason = el('p', {class: 'reason'});
    c.news = el('ul', {class: 'news', 'aria-label': 'What happened since the page opened'});
    c.problem = el('p', {class: 'problem', role: 'alert', hidden: true});
    c.status = el('p', {class: 'visually-hidden', role: 'status'});
    c.panel = el('div', {class: 'panel', hidden: true});
    c.buttons = {};
    const button = (kind, text) => {
      c.buttons[kind] = el('button', {type: 'button', 'data-action': kind,
        'aria-describedby': h, onclick: () => actionPanel(c, alerts.get(a.alert_id), kind)}, text);
      return c.buttons[kind];
    };
    c.ack = button('ack', 'Acknowledge');
    c.root = el('article', {id: 'alert-' + a.alert_id, 'aria-labelledby': h, 'data-seq': a.seq},
      el('h4', {id: h}, el('span', {class: 'badge'}, a.level), ' ', a.rule, ' ',
         el('span', {class: 'id'}, a.alert_id)),
      c.reason,
      el('dl', {},
         el('dt', {}, 'State'), el('dd', {}, c.state, ' ', c.due),
         el('dt', {}, 'Raised'), el('dd', {}, c.raised),
         el('dt', {}, 'Lead practitioner'), el('dd', {}, c.lead),
         el('dt', {}, 'Evidence'), el('dd', {}, c.evidence)),
      c.news,
      el('div', {class: 'actions'}, c.ack, ' ', button('note', 'Add a note'), ' ',
         button('lead', 'Lead practitioner'), ' ', button('close', 'Close'), ' ',
         button('history', 'History')),
      c.problem, c.status, c.panel);
    cards.set(a.alert_id, c);
    return c;
  }

  function groupFor(a) {
    const key = groupKey(a);
    let g = groups.get(key + ':' + a.level);
    if (!g) {
      const link = el('a', {href: '/family?id=' + encodeURIComponent(a.child_id)},
                      'Open ' + childName(a.child) + "'s record");
      const born = a.child && a.child.date_of_birth ? ', born ' + a.child.date_of_birth : '';
      g = {list: el('div', {class: 'list'})};
      g.root = el('article', {class: 'group', 'data-group': key},
                  el('h3', {}, childName(a.child), el('span', {class: 'id'}, ' ' + a.child_id + born)),
                  el('p', {class: 'open-record'}, link), g.list);
      groups.set(key + ':' + a.level, g);
    }
    return g;
  }

  /* Put each level's groups, and each group's alerts, most urgent first. */
  function order() {
    for (const level of ['red', 'amber']) {
      const box = document.getElementById(level);
      const mine = [...groups.entries()].filter(([k]) => k.endsWith(':' + level.toUpperCase()));
      const ranked = mine.map(([k, g]) => {
        const items = [...g.list.children].map((n) => alerts.get(n.id.slice(6))).filter(Boolean);
        items.sort((x, y) => urgency(x) - urgency(y));
        items.forEach((x, i) => {
          const n = cards.get(x.alert_id).root;
          if (g.list.children[i] !== n) g.list.insertBefore(n, g.list.children[i] || null);
        });
        return [items.length ? urgency(items[0]) : Infinity, k, g];
      }).sort((x, y) => x[0] - y[0]);
      ranked.forEach(([, , g], i) => {
        if (box.children[i] !== g.root) box.insertBefore(g.root, box.children[i] || null);
      });
      const n = [...alerts.values()].filter((a) => a.level === level.toUpperCase()).length;
      document.getElementById(level + '-count').textContent = '(' + n + ')';
      if (!n && !box.querySelector('.empty')) {
        box.append(el('p', {class: 'empty'}, 'None open.'));
      } else if (n) {
        for (const e of box.querySelectorAll('.empty')) e.remove();
      }
    }
  }

  function remove(id) {
    const c = cards.get(id);
    const a = alerts.get(id);
    alerts.delete(id);
    cards.delete(id);
    if (!c) return;
    const g = a ? groups.get(groupKey(a) + ':' + a.level) : null;
    c.root.remove();
    if (g && !g.list.children.length) {
      g.root.remove();
      groups.delete(groupKey(a) + ':' + a.level);
    }
  }

  /* An alert as ffcd sent it: new, or newer than the one shown. */
  function upsert(a, live) {
    const old = alerts.get(a.alert_id);
    if (old && changedAt(a) < changedAt(old)) return;
    if (a.supersedes && alerts.has(a.supersedes)) remove(a.supersedes);
    if (!OPENISH.has(a.state)) { remove(a.alert_id); order(); return; }
    alerts.set(a.alert_id, Object.assign(old || {}, a));
    if (!cards.has(a.alert_id)) {
      const c = makeCard(a);
      groupFor(a).list.append(c.root);
      if (live) {
        c.root.classList.add('new');
        announce('New ' + a.level + ' alert, ' + a.rule + ', for ' + childName(a.child) + ': ' +
                 a.reason, a.level === 'RED');
      }
    }
    refresh(alerts.get(a.alert_id));
    order();
  }

  function news(id, text) {
    const c = cards.get(id);
    if (!c) return;
    c.news.append(el('li', {}, text));
  }

  /* Someone acknowledged, noted or closed an alert; new evidence; reopened. */
  function change(ch) {
    const a = alerts.get(ch.alert_id);
    const e = ch.event || {};
    if (!a) return; // not shown: closed or superseded already
    const at = Number(e.at_ms) || 0;
    if (at < changedAt(a) && e.action !== 'NOTE' && e.action !== 'EVIDENCE') return;
    const what = words(e.action);
    if (e.action === 'EVIDENCE' || e.action === 'REOPENED') {
      if (ch.concern && !(a.evidence || []).some((c) => c.concern_id === ch.concern.concern_id &&
                                                       c.agency === ch.concern.agency)) {
        a.evidence = (a.evidence || []).concat([ch.concern]);
      }
      a.lead_practitioner = ch.lead_practitioner || a.lead_practitioner;
      const c = ch.concern || {};
      const text = 'New evidence ' + when(at) + ': ' + words(c.agency) + ' ' + c.concern_id +
                   ' (' + words(c.category) + ', ' + words(c.severity) + ')' +
                   (e.action === 'REOPENED' ? ': open again' : '');
      news(a.alert_id, text);
      announce(a.level + ' ' + a.rule + ' for ' + childName(a.child) + ': ' + text,
               a.level === 'RED');
      cards.get(a.alert_id).root.classList.add('new');
    } else {
      news(a.alert_id, when(at) + ': ' + what + ' by ' + e.by + (e.outcome ? ' (' + e.outcome + ')' : ''));
      announce(a.alert_id + ' ' + what + ' by ' + e.by);
    }
    if (e.action === 'ACKNOWLEDGED') {
      a.acknowledged_by = e.by;
      a.acknowledged_at_ms = at;
    }
    if (e.action === 'REOPENED') {
      a.reopened_at_ms = at;
      a.acknowledged_by = '';
      a.acknowledged_at_ms = 0;
    }
    a._changed_ms = Math.max(Number(a._changed_ms) || 0, at);
    a.state = ch.state || a.state;
    if (!OPENISH.has(a.state)) { remove(a.alert_id); order(); return; }
    refresh(a);
    order();
  }

  function live(ok, why) {
    const p = document.getElementById('live');
    p.textContent = ok ? 'Live: new alerts appear here as they are raised.'
                       : 'Not live: ' + why + '. The page catches up when it is back.';
    p.className = 'live ' + (ok ? 'on' : 'off');
  }

  /* The whole list again: after ffcd restarted, or when the stream could
   * not say what changed. Events arriving meanwhile are applied after. */
  async function reload() {
    if (reloading) return;
    reloading = [];
    try {
      const r = await api('/api/alerts');
      ffc.setServerNow(r.now_ms);
      const ids = new Set(r.alerts.map((a) => a.alert_id));
      for (const id of [...alerts.keys()]) if (!ids.has(id)) remove(id);
      for (const a of r.alerts) {
        const old = alerts.get(a.alert_id);
        if (old) { delete old._changed_ms; Object.assign(old, a); refresh(old); } else upsert(a, false);
      }
      order();
    } catch (e) {
      problem(problemBox, e.message);
    }
    const queued = reloading;
    reloading = null;
    for (const [kind, data] of queued) handle(kind, data);
  }

  function handle(kind, data) {
    if (reloading && kind !== 'status') { reloading.push([kind, data]); return; }
    if (kind === 'alert') upsert(data, true);
    else if (kind === 'overdue') {
      upsert(data, true);
      news(data.alert_id, 'Overdue: nobody acknowledged it by ' + when(data.due_at_ms));
      announce(data.level + ' ' + data.rule + ' for ' + childName(data.child) +
               ' is overdue: nobody has acknowledged it', data.level === 'RED');
    }
    else if (kind === 'change') change(data);
    else if (kind === 'resync') reload();
    else if (kind === 'status') live(data.live, data.why);
  }

  let lastId = '';

  function follow(position) {
    lastId = position;
    stream = new EventSource('/api/events?from=' + encodeURIComponent(position));
    for (const kind of ['alert', 'change', 'overdue', 'resync', 'status']) {
      stream.addEventListener(kind, (ev) => {
        if (ev.lastEventId) lastId = ev.lastEventId;
        handle(kind, JSON.parse(ev.data));
      });
    }
    stream.addEventListener('refused', (ev) => {
      stream.close();
      const d = JSON.parse(ev.data);
      live(false, 'ffcd refused the alerts');
      problem(problemBox, d.error);
    });
    stream.addEventListener('ended', () => {
      stream.close();
      location.assign('/login?ended=1');
    });
    stream.onerror = async () => {
      if (stream.readyState === EventSource.CLOSED) {
        // Refused outright (the session ended): find out which.
        try { await api('/api/session'); } catch (e) { return; }
        live(false, 'the stream closed');
        setTimeout(() => follow(lastId), 3000);
      } else {
        live(false, 'reconnecting to ffc-web');
      }
    };
  }

  async function main() {
    try {
      await ffc.start();
    } catch (e) {
      problem(problemBox, e.message);
      return;
    }
    try {
      const s = await api('/api/status');
      outcomes = s.outcomes || [];
    } catch (e) { outcomes = []; }
    let r;
    try {
      r = await api('/api/alerts');
    } catch (e) {
      problem(problemBox, e.message);
      live(false, 'no alerts for you');
      return;
    }
    ffc.setServerNow(r.now_ms);
    for (const a of r.alerts) upsert(a, false);
    order();
    follow(r.position);
    // Ages and due times move on by themselves.
    setInterval(() => { for (const a of alerts.values()) refresh(a); order(); }, 30000);
  }

  main();
})();
