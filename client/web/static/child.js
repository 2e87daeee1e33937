/*
 * child.js - a child's record: asked for with a purpose (kept in ffcd's
 * audit trail under the person's name), then shown as one timeline of
 * concerns, alerts and identity events with agency and category, a strip
 * per agency across the months (SVG), the identities each agency sent,
 * the household, the lead practitioner, and who has looked before.
 */
'use strict';

(() => {
  const {el, svg, clear, api, when, day, time, words, childName, announce, problem} = ffc;
  const form = document.getElementById('find');
  const record = document.getElementById('record');
  const problemBox = document.getElementById('problem');

  function table(caption, heads, rows) {
    return el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, heads.map((h) => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
  }

  function identityText(id) {
    return [childName(id), id.date_of_birth && 'born ' + id.date_of_birth,
            id.nhs_number && 'NHS ' + id.nhs_number, id.upn && 'UPN ' + id.upn,
            id.local_id && 'local id ' + id.local_id, id.postcode && id.postcode]
      .filter(Boolean).join(', ');
  }

  /* Every dated thing in the record, oldest first. */
  function timeline(c) {
    const items = [];
    for (const e of c.chronology || []) {
      const withdrawn = Number(e.withdrawn_at_ms) > 0;
      items.push({at: e.occurred_at_ms, agency: words(e.agency), kind: 'concern',
        what: words(e.category) + ', ' + words(e.severity) + (withdrawn ? ' (WITHDRAWN)' : ''),
        details: [e.summary, e.source_system && ' (' + e.source_system + ')',
                  e.reporter && ', reported by ' + e.reporter,
                  withdrawn && '. Withdrawn ' + when(e.withdrawn_at_ms) + ' by ' +
                               e.withdrawn_by + ': ' + e.withdrawn_reason]
          .filter(Boolean).join('')});
    }
    for (const a of c.alerts || []) {
      items.push({at: a.raised_at_ms, agency: '', kind: 'alert',
        what: a.level + ' alert, ' + a.rule + ' (' + words(a.state) + ')',
        details: a.reason + (a.outcome ? '. Outcome: ' + a.outcome : '')});
      for (const h of a.history || []) {
        if (h.action === 'EVIDENCE') continue;
        items.push({at: h.at_ms, agency: '', kind: 'alert',
          what: a.alert_id + ' ' + words(h.action) + ' by ' + h.by,
          details: [h.outcome, h.text].filter(Boolean).join(': ')});
      }
    }
    for (const e of c.identity_events || []) {
      items.push({at: e.at_ms, agency: '', kind: 'identity',
        what: words(e.kind) + (e.other_child_id ? ' with ' + e.other_child_id : ''),
        details: [e.reason, e.identity, 'by ' + e.by].filter(Boolean).join('; ')});
    }
    for (const p of c.practitioners || []) {
      items.push({at: p.at_ms, agency: '', kind: 'lead',
        what: 'lead practitioner: ' + p.practitioner, details: 'by ' + p.by +
          (p.note ? ': ' + p.note : '')});
    }
    return items.sort((x, y) => Number(x.at) - Number(y.at));
  }

  /* A strip per agency across the months: each concern a dot (bigger for
   * more severe), each alert a mark on its own row. */
  function strip(c) {
    const rows = [];
    const agencies = [...new Set((c.chronology || []).map((e) => e.agency))].sort();
    for (const a of agencies) {
      rows.push({label: words(a), points: (c.chronology || []).filter((e) => e.agency === a)
        .map((e) => ({at: Number(e.occurred_at_ms), size: {LOW: 3, MODERATE: 4, HIGH: 6,
          IMMEDIATE_RISK: 8}[e.severity] || 3, cls: 'dot ' + String(e.severity).toLowerCase() +
          (Number(e.withdrawn_at_ms) ? ' withdrawn' : ''),
          title: day(e.occurred_at_ms) + ': ' + words(e.category) + ', ' + words(e.severity)}))});
    }
    rows.push({label: 'alerts', points: (c.alerts || []).map((a) => ({at: Number(a.raised_at_ms),
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

  function assignForm(c) {
    const who = el('input', {id: 'lead-who', maxlength: 128, required: true});
    const note = el('input', {id: 'lead-note', maxlength: 2000});
    const msg = el('p', {class: 'problem', role: 'alert', hidden: true});
    const f = el('form', {class: 'card inline', onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await api('/api/assign', {child_id: c.child_id, practitioner: who.value,
                                            note: note.value});
        document.getElementById('lead-now').textContent = r.lead_practitioner;
        problem(msg, '');
        announce(r.lead_practitioner + ' is now the lead practitioner');
      } catch (e) { problem(msg, e.message); }
    }}, el('label', {for: 'lead-who'}, 'New lead practitioner'), who,
        el('label', {for: 'lead-note'}, 'Note'), note,
        el('button', {type: 'submit'}, 'Assign'), msg);
    return f;
  }

  function show(c) {
    clear(record);
    const id = (c.identities || [])[0] || {};
    const heading = el('h2', {id: 'record-h', tabindex: -1}, childName(id), ' ',
                       el('span', {class: 'id'}, c.child_id));
    const household = (c.household || []).map((m) => el('li', {},
      childName(m.child), ' (' + m.child_id + ')',
      (m.open_alerts || []).length ? ': open ' + m.open_alerts.map((a) => a.level + ' ' + a.rule).join(', ')
                                   : ': no open alerts',
      ' ', el('button', {type: 'button', class: 'quiet', onclick: () => {
        form.kind.value = 'child_id';
        form.ident.value = m.child_id;
        const p = document.getElementById('purpose');
        p.value = '';
        p.focus();
        announce('Give the purpose for opening ' + childName(m.child) + "'s record");
      }}, 'Open their record')));
    const items = timeline(c);
    record.append(
      el('section', {'aria-labelledby': 'record-h'}, heading,
         el('p', {}, identityText(id)),
         el('p', {}, 'Lead practitioner: ', el('strong', {id: 'lead-now'}, c.lead_practitioner || 'none assigned')),
         assignForm(c)),
      el('section', {'aria-labelledby': 'tl-h'}, el('h3', {id: 'tl-h'}, 'Timeline'), strip(c),
         table('Concerns, alerts and events, oldest first', ['When', 'Agency', 'What', 'Details'],
               items.map((i) => [time(i.at, day(i.at)), i.agency, i.what, i.details]))),
      el('section', {'aria-labelledby': 'id-h'}, el('h3', {id: 'id-h'}, 'Identities'),
         table('How each agency named this child', ['Agency', 'Identity', 'First seen', 'Last seen'],
               (c.identity_records || []).map((r) => [words(r.agency), identityText(r.identity || {}),
                                                      when(r.first_seen_ms), when(r.last_seen_ms)]))),
      el('section', {'aria-labelledby': 'hh-h'}, el('h3', {id: 'hh-h'}, 'Household'),
         household.length ? el('ul', {}, household) : el('p', {}, 'No other child named with this one.')),
      el('section', {'aria-labelledby': 'vb-h'}, el('h3', {id: 'vb-h'}, 'Who has looked'),
         (c.viewed_by || []).length
           ? table('Reads of this record before yours, oldest first',
                   ['Who', 'Role', 'When', 'What', 'Why'],
                   c.viewed_by.map((v) => [v.by + (v.via ? ' (via ' + v.via + ')' : ''), v.role,
                                           when(v.at_ms), v.command, v.purpose]))
           : el('p', {}, 'Nobody before you.')));
    heading.focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = {purpose: form.purpose.value};
    fields[form.kind.value] = form.ident.value.trim();
    const button = document.getElementById('open');
    button.disabled = true;
    try {
      const c = await api('/api/child', fields);
      problem(problemBox, '');
      show(c);
      announce("Showing the record of " + childName((c.identities || [])[0]));
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
      form.kind.value = 'child_id';
      form.ident.value = id;
      document.getElementById('purpose').focus();
    } else {
      form.ident.focus();
    }
  }).catch((e) => problem(problemBox, e.message));
})();
