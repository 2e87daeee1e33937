/*
 * family.js - a child or a family: asked for with a purpose (kept in
 * ffcd's audit trail under the person's name, for each child shown), then
 * shown as the family's one timeline (ffcd's family command: each concern
 * once, with the children it concerns; alerts and every change to them;
 * identity and household events) with agency and category, a strip per
 * agency across the months (SVG), and for each child the identities each
 * agency sent, the lead practitioner and who has looked before.
 */
'use strict';

(() => {
  const {el, table, svg, clear, api, when, day, time, words, childName, announce, problem} = ffc;
  const form = document.getElementById('find');
  const record = document.getElementById('record');
  const problemBox = document.getElementById('problem');

  function identityText(id) {
    return [childName(id), id.date_of_birth && 'born ' + id.date_of_birth,
            id.nhs_number && 'NHS ' + id.nhs_number, id.upn && 'UPN ' + id.upn,
            id.local_id && 'local id ' + id.local_id, id.postcode && id.postcode]
      .filter(Boolean).join(', ');
  }

  /* The family's timeline as rows, oldest first (ffcd's order); name(id)
   * says who a child is. */
  function timeline(f, name) {
    const items = [];
    const names = (ids) => (ids || []).filter(Boolean).map(name).join(', ');
    for (const e of f.timeline || []) {
      if (e.concern) {
        const c = e.concern;
        const withdrawn = Number(c.withdrawn_at_ms) > 0;
        items.push({at: e.at_ms, agency: words(c.agency), who: names(c.child_ids),
          what: words(c.category) + ', ' + words(c.severity) + (withdrawn ? ' (WITHDRAWN)' : ''),
          details: [c.summary, c.source_system && ' (' + c.source_system + ')',
                    c.reporter && ', reported by ' + c.reporter,
                    withdrawn && '. Withdrawn ' + when(c.withdrawn_at_ms) + ' by ' +
                                 c.withdrawn_by + ': ' + c.withdrawn_reason]
            .filter(Boolean).join('')});
      } else if (e.alert) {
        const a = e.alert;
        items.push({at: e.at_ms, agency: '', who: names([a.child_id]),
          what: a.level + ' alert, ' + a.rule + ' (' + words(a.state) + ')',
          details: a.alert_id + ': ' + a.reason + (a.outcome ? '. Outcome: ' + a.outcome : '')});
      } else if (e.change) {
        const h = e.change.event || {};
        if (h.action === 'EVIDENCE') continue; // its concern is on the timeline
        items.push({at: e.at_ms, agency: '', who: names([e.change.child_id]),
          what: e.change.alert_id + ' ' + words(h.action) + ' by ' + h.by,
          details: [h.outcome, h.text].filter(Boolean).join(': ')});
      } else if (e.identity_event) {
        const i = e.identity_event;
        items.push({at: e.at_ms, agency: '', who: names([i.child_id, i.other_child_id]),
          what: 'identity ' + words(i.kind),
          details: [i.reason, i.identity, 'by ' + i.by].filter(Boolean).join('; ')});
      } else if (e.household_event) {
        const h = e.household_event;
        items.push({at: e.at_ms, agency: '', who: names([h.child_id, h.other_child_id]),
          what: 'household ' + h.household_id + ' ' + words(h.kind) +
                (h.other_household_id ? ' with ' + h.other_household_id : ''),
          details: [h.reason, 'by ' + h.by].filter(Boolean).join('; ')});
      }
    }
    return items;
  }

  /* A strip per agency across the months: each concern a dot (bigger for
   * more severe), each alert a mark on its own row. */
  function strip(concerns, alerts) {
    const rows = [];
    const agencies = [...new Set(concerns.map((e) => e.agency))].sort();
    for (const a of agencies) {
      rows.push({label: words(a), points: concerns.filter((e) => e.agency === a)
        .map((e) => ({at: Number(e.occurred_at_ms), size: {LOW: 3, MODERATE: 4, HIGH: 6,
          IMMEDIATE_RISK: 8}[e.severity] || 3, cls: 'dot ' + String(e.severity).toLowerCase() +
          (Number(e.withdrawn_at_ms) ? ' withdrawn' : ''),
          title: day(e.occurred_at_ms) + ': ' + words(e.category) + ', ' + words(e.severity)}))});
    }
    rows.push({label: 'alerts', points: alerts.map((a) => ({at: Number(a.raised_at_ms),
      size: 6, cls: 'mark ' + a.level.toLowerCase(),
      title: day(a.raised_at_ms) + ': ' + a.level + ' ' + a.rule}))});
    const times = rows.flatMap((r) => r.points.map((p) => p.at)).filter((t) => t > 0);
    if (!times.length) return el('p', {}, 'Nothing dated to draw.');
    const first = new Date(Math.min(...times)), last = new Date(Math.max(...times));
    const m0 = first.getFullYear() * 12 + first.getMonth();
    const months = last.getFullYear() * 12 + last.getMonth() - m0 + 1;
    const left = 110, colW = Math.max(40, Math.min(90, 700 / months)), rowH = 28;
    const width = left + months * colW + 10, height = rows.length * rowH + 30;
    const x = (t) => {
      const d = new Date(t);
      const m = d.getFullYear() * 12 + d.getMonth() - m0;
      const dim = new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate();
      return left + (m + (d.getDate() - 0.5) / dim) * colW;
    };
    const title = 'Timeline by agency, ' + day(first.getTime()) + ' to ' + day(last.getTime());
    const g = svg('svg', {viewBox: '0 0 ' + width + ' ' + height, class: 'strip', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    for (let m = 0; m < months; m++) {
      const mm = m0 + m;
      g.append(svg('rect', {x: left + m * colW, y: 0, width: colW, height: rows.length * rowH,
                            class: m % 2 ? 'band odd' : 'band'}));
      g.append(svg('text', {x: left + m * colW + colW / 2, y: rows.length * rowH + 18,
                            class: 'tick', 'text-anchor': 'middle'},
                   ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
                    'Dec'][mm % 12] + ' ' + String(Math.floor(mm / 12)).slice(2)));
    }
    rows.forEach((r, i) => {
      const y = i * rowH + rowH / 2;
      g.append(svg('text', {x: left - 8, y: y + 4, class: 'label', 'text-anchor': 'end'}, r.label));
      g.append(svg('line', {x1: left, x2: width - 10, y1: y, y2: y, class: 'axis'}));
      for (const p of r.points) {
        const cx = x(p.at);
        const shape = p.cls.startsWith('mark')
          ? svg('path', {d: 'M' + cx + ' ' + (y - 8) + ' l7 14 h-14 z', class: p.cls})
          : svg('circle', {cx: cx, cy: y, r: p.size, class: p.cls});
        shape.append(svg('title', {}, p.title));
        g.append(shape);
      }
    });
    return el('figure', {class: 'chart'}, g,
              el('figcaption', {}, 'Each dot a concern (larger: more severe); each triangle an alert.'));
  }

  function assignForm(m) {
    const id = m.child_id;
    const who = el('input', {id: 'lead-who-' + id, maxlength: 128, required: true});
    const note = el('input', {id: 'lead-note-' + id, maxlength: 2000});
    const msg = el('p', {class: 'problem', role: 'alert', hidden: true});
    return el('form', {class: 'card inline', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api('/api/assign', {child_id: id, practitioner: who.value,
                                            note: note.value});
        document.getElementById('lead-now-' + id).textContent = r.lead_practitioner;
        problem(msg, '');
        announce(r.lead_practitioner + ' is now the lead practitioner');
      } catch (e) { problem(msg, e.message); }
    }}, el('label', {for: 'lead-who-' + id}, 'New lead practitioner'), who,
        el('label', {for: 'lead-note-' + id}, 'Note'), note,
        el('button', {type: 'submit'}, 'Assign'), msg);
  }

  /* One child: who they are, their lead practitioner and open alerts,
   * the identities each agency sent, and who has looked before. */
  function child(m, c, asked, name) {
    const id = m.child_id, h = 'child-h-' + id;
    const before = (c.viewed_by || []).filter((v) => Number(v.at_ms) < asked);
    const open = m.open_alerts || [];
    return el('section', {'aria-labelledby': h, class: 'child'},
      el('h3', {id: h}, name(id), ' ', el('span', {class: 'id'}, id)),
      el('p', {}, identityText(m.child || {})),
      el('p', {}, 'Lead practitioner: ',
         el('strong', {id: 'lead-now-' + id}, m.lead_practitioner || 'none assigned')),
      el('p', {}, open.length ? 'Open alerts: ' + open.map((a) => a.alert_id + ' ' + a.level +
                                ' ' + a.rule + ' (' + words(a.state) + ')').join(', ')
                              : 'No open alerts.'),
      assignForm(m),
      el('h4', {}, 'Identities'),
      table('How each agency named ' + name(id), ['Agency', 'Identity', 'First seen', 'Last seen'],
            (c.identity_records || []).map((r) => [words(r.agency), identityText(r.identity || {}),
                                                   when(r.first_seen_ms), when(r.last_seen_ms)])),
      el('h4', {}, 'Who has looked'),
      before.length
        ? table('Reads of ' + name(id) + "'s record before yours, oldest first",
                ['Who', 'Role', 'When', 'What', 'Why'],
                before.map((v) => [v.by + (v.via ? ' (via ' + v.via + ')' : ''), v.role,
                                   when(v.at_ms), v.command, v.purpose]))
        : el('p', {}, 'Nobody before you.'),
      (c.lookups || []).length
        ? table('Looked up at a point of contact', ['When', 'Where', 'Who', 'Why'],
                c.lookups.map((l) => [when(l.at_ms), l.setting, [l.asked_by, l.by]
                  .filter(Boolean).join(', '), l.purpose]))
        : null);
  }

  function show(r) {
    clear(record);
    const f = r.family || {};
    const members = f.members || [];
    const byId = new Map(members.map((m) => [m.child_id, m]));
    const records = new Map((r.children || []).map((c) => [c.child_id, c]));
    const name = (id) => byId.has(id) ? childName(byId.get(id).child) : id;
    const title = f.household_id
      ? 'Household ' + f.household_id + ': ' + members.map((m) => childName(m.child)).join(', ')
      : members.map((m) => childName(m.child)).join(', ');
    const heading = el('h2', {id: 'record-h', tabindex: -1}, title);
    const items = timeline(f, name);
    const concerns = (f.timeline || []).filter((e) => e.concern).map((e) => e.concern);
    const alerts = (f.timeline || []).filter((e) => e.alert).map((e) => e.alert);
    record.append(
      el('section', {'aria-labelledby': 'record-h'}, heading,
         el('ul', {id: 'members'}, members.map((m) => el('li', {},
           childName(m.child), ' (' + m.child_id + ')', m.child && m.child.date_of_birth
             ? ', born ' + m.child.date_of_birth : '',
           (m.open_alerts || []).length ? ': ' + m.open_alerts.length + ' open alerts' : '')))),
      el('section', {'aria-labelledby': 'tl-h'},
         el('h3', {id: 'tl-h'}, f.household_id ? "The family's timeline" : 'Timeline'),
         strip(concerns, alerts),
         table('Concerns, alerts and events, oldest first; each concern once, with the ' +
               'children it concerns', ['When', 'Agency', 'What', 'Children', 'Details'],
               items.map((i) => [time(i.at, day(i.at)), i.agency, i.what, i.who, i.details]))),
      ...members.filter((m) => records.has(m.child_id))
        .map((m) => child(m, records.get(m.child_id), Number(r.asked_at_ms), name)),
      r.more_children ? el('p', {}, r.more_children + ' more children: open each by their id.')
                      : '');
    heading.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = {purpose: form.purpose.value, since: form.since.value};
    fields[form.kind.value] = form.ident.value.trim();
    const button = document.getElementById('open');
    button.disabled = true;
    try {
      const r = await api('/api/family', fields);
      problem(problemBox, '');
      show(r);
      announce('Showing ' + document.getElementById('record-h').textContent);
    } catch (e) {
      clear(record);
      problem(problemBox, e.message);
      problemBox.setAttribute('tabindex', '-1');
      problemBox.focus();
    }
    button.disabled = false;
  });

  ffc.start().then(() => {
    const id = new URLSearchParams(location.search).get('id');
    if (id) {
      form.kind.value = id[0] === 'H' ? 'household_id' : 'child_id';
      form.ident.value = id;
      document.getElementById('purpose').focus();
    } else {
      form.ident.focus();
    }
  }).catch((e) => problem(problemBox, e.message));
})();
