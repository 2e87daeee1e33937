/*
 * admin.js - the operators' page: ffcd's status and counts, the children
 * to review (possible matches and identity conflicts, for a purpose), and
 * linking, unlinking or dismissing a pair with a reason. Every change is
 * two clicks (open, confirm) and ffcd's refusal is shown as it words it.
 */
'use strict';

(() => {
  const {el, clear, api, when, words, childName, announce, problem} = ffc;
  const problemBox = document.getElementById('problem');

  function dl(pairs) {
    return el('dl', {class: 'facts'}, pairs.filter((p) => p[1] !== undefined && p[1] !== '')
      .flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, String(v))]));
  }

  function counters(caption, list) {
    return el('table', {}, el('caption', {}, caption),
      el('tbody', {}, (list || []).map((c) => el('tr', {}, el('th', {scope: 'row'}, words(c.name)),
                                                 el('td', {class: 'num'}, c.count)))));
  }

  async function status() {
    const box = clear(document.getElementById('status'));
    try {
      const s = await api('/api/status');
      box.append(dl([['ffcd', s.version + ', pid ' + s.pid], ['up since', when(s.started_at_ms)],
                     ['store', s.store_path + (s.store_fault ? ' (FAULT: ' + s.store_fault + ')' : '')],
                     ['concerns', s.concerns], ['children', s.children], ['alerts', s.alerts],
                     ['rules', s.rules + ', loaded ' + when(s.rules_loaded_at_ms)],
                     ['security', s.security_mode], ['outcomes', (s.outcomes || []).join(', ')]]));
      const t = await api('/api/stats');
      box.append(el('div', {class: 'tables'},
        counters('Concerns by agency', t.concerns_by_agency),
        counters('Alerts by level', t.alerts_by_level),
        counters('Alerts by rule', t.alerts_by_rule),
        counters('Possible matches by kind', t.matches_by_kind),
        counters('Other counts', [{name: 'overdue now', count: t.overdue},
                                  {name: 'merges', count: t.merges},
                                  {name: 'splits', count: t.splits},
                                  {name: 'identity conflicts', count: t.identity_conflicts},
                                  {name: 'control refused', count: t.control_refused},
                                  {name: 'audit entries', count: t.audit_entries}])));
    } catch (e) {
      box.append(el('p', {class: 'problem', role: 'alert'}, e.message));
    }
  }

  /* A button that opens a reason field and a confirm button: two clicks. */
  function twoClicks(action, label, confirmLabel, run) {
    const wrap = el('div', {class: 'two-clicks'});
    const msg = el('p', {class: 'problem', role: 'alert', hidden: true});
    const open = el('button', {type: 'button', 'data-action': action, onclick: () => {
      const id = 'r' + Math.random().toString(36).slice(2);
      const reason = el('input', {id: id, maxlength: 1024, required: true});
      const ok = el('button', {type: 'button', class: 'confirm', 'data-action': 'confirm-' + action,
                               onclick: async () => {
        ok.disabled = true;
        try {
          const text = await run(reason.value);
          problem(msg, '');
          clear(panel).append(el('p', {role: 'status'}, text));
          announce(text);
        } catch (e) { problem(msg, e.message); ok.disabled = false; }
      }}, confirmLabel);
      const panel = el('div', {class: 'panel'},
        el('p', {}, el('label', {for: id}, 'Reason (kept with the change)'), reason),
        el('p', {}, ok, ' ', el('button', {type: 'button', class: 'quiet', onclick: () => {
          panel.remove(); open.hidden = false; open.focus();
        }}, 'Cancel')));
      open.hidden = true;
      wrap.insertBefore(panel, msg);
      reason.focus();
    }}, label);
    wrap.append(open, msg);
    return wrap;
  }

  function side(id, identity) {
    return el('div', {class: 'side'}, el('h4', {}, childName(identity), ' ', el('span', {class: 'id'}, id)),
      dl([['born', identity.date_of_birth], ['NHS', identity.nhs_number], ['UPN', identity.upn],
          ['local id', identity.local_id], ['postcode', identity.postcode]]),
      el('p', {}, el('a', {href: '/family?id=' + encodeURIComponent(id)}, 'Open the record')));
  }

  function matches(list) {
    const box = clear(document.getElementById('matches'));
    box.append(el('h3', {}, 'Possible matches (' + list.length + ')'));
    if (!list.length) box.append(el('p', {}, 'None to review.'));
    for (const m of list) {
      box.append(el('article', {class: 'card pair'},
        el('p', {class: 'reason'}, words(m.kind) + ': ' + m.reason + ' (found ' + when(m.found_at_ms) + ')'),
        el('div', {class: 'sides'}, side(m.child_id, m.identity || {}), side(m.other_child_id, m.other_identity || {})),
        twoClicks('link', 'Link: they are one child', 'Confirm the link', async (reason) => {
          const r = await api('/api/link', {child_a: m.child_id, child_b: m.other_child_id, reason});
          return r.merged_child_id + ' is now part of ' + r.child_id;
        }),
        twoClicks('dismiss', 'Dismiss: they are two children', 'Confirm: two children', async (reason) => {
          await api('/api/dismiss', {child_id: m.child_id, other_child_id: m.other_child_id, reason});
          return 'Dismissed: ' + m.child_id + ' and ' + m.other_child_id + ' are two children';
        })));
    }
  }

  function conflicts(list) {
    const box = clear(document.getElementById('conflicts'));
    const open = list.filter((c) => !c.resolved);
    box.append(el('h3', {}, 'Identity conflicts not resolved (' + open.length + ')'));
    if (!open.length) box.append(el('p', {}, 'None to review.'));
    for (const c of open) {
      const e = c.event || {};
      const rec = (r) => el('li', {}, words(r.agency) + ': ' + childName(r.identity || {}) +
                            (r.identity && r.identity.nhs_number ? ', NHS ' + r.identity.nhs_number : '') +
                            (r.identity && r.identity.upn ? ', UPN ' + r.identity.upn : ''));
      box.append(el('article', {class: 'card pair'},
        el('p', {class: 'reason'}, when(e.at_ms) + ': ' + e.reason + (e.identity ? ' (' + e.identity + ')' : '')),
        el('div', {class: 'sides'},
           el('div', {class: 'side'}, el('h4', {}, c.child_id), el('ul', {}, (c.child_identities || []).map(rec))),
           c.other_child_id ? el('div', {class: 'side'}, el('h4', {}, c.other_child_id),
                                 el('ul', {}, (c.other_identities || []).map(rec))) : null),
        c.other_child_id ? twoClicks('link', 'Link: they are one child', 'Confirm the link', async (reason) => {
          const r = await api('/api/link', {child_a: c.child_id, child_b: c.other_child_id, reason});
          return r.merged_child_id + ' is now part of ' + r.child_id;
        }) : null));
    }
  }

  document.getElementById('review').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const purpose = document.getElementById('purpose').value;
    try {
      const m = await api('/api/matches', {purpose});
      matches(m.matches || []);
      const c = await api('/api/conflicts', {purpose, unresolved: '1'});
      conflicts(c.conflicts || []);
      problem(problemBox, '');
    } catch (e) {
      problem(problemBox, e.message);
    }
  });

  /* A form that changes children: submitting it asks to confirm (the
   * second click), with what it will do in words. */
  function manual(formId, path, fields, say, done) {
    const form = document.getElementById(formId);
    const out = document.getElementById('manual-result');
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const values = {};
      for (const [k, id] of Object.entries(fields)) values[k] = document.getElementById(id).value.trim();
      for (const old of form.querySelectorAll('.confirm-row')) old.remove();
      const ok = el('button', {type: 'button', class: 'confirm', onclick: async () => {
        ok.disabled = true;
        try {
          out.textContent = done(await api(path, values));
          announce(out.textContent);
          row.remove();
        } catch (e) {
          out.textContent = e.message;
          ok.disabled = false;
        }
      }}, 'Confirm: ' + say(values));
      const row = el('p', {class: 'confirm-row'}, ok, ' ',
                     el('button', {type: 'button', class: 'quiet', onclick: () => row.remove()}, 'Cancel'));
      form.append(row);
      ok.focus();
    });
  }
  manual('link', '/api/link', {child_a: 'link-a', child_b: 'link-b', reason: 'link-reason'},
         (v) => 'link ' + v.child_a + ' and ' + v.child_b + ' into one child',
         (r) => r.merged_child_id + ' is now part of ' + r.child_id);
  manual('unlink', '/api/unlink', {child_id: 'unlink-child', identity: 'unlink-identity',
                                   reason: 'unlink-reason'},
         (v) => 'move ' + v.identity + ' out of ' + v.child_id + ' into a new child',
         (r) => r.moved_identities + ' identities and ' + r.moved_concerns + ' concerns moved from ' +
                r.child_id + ' to the new child ' + r.new_child_id);

  ffc.start().then(status).catch((e) => problem(problemBox, e.message));
})();
