/*
 * figures.js - the partnership's figures, ffcd's report for the days
 * chosen (admin only; audited with the purpose given), as plain SVG
 * charts each with a table of the same numbers: alerts by rule and month,
 * time to acknowledge against each level's response time, and how alerts
 * ended. A refusal is shown in ffcd's words.
 */
'use strict';

(() => {
  const {el, svg, clear, api, words, problem} = ffc;
  const box = document.getElementById('figures');
  const problemBox = document.getElementById('problem');
  const PALETTE = 8; // series colours in app.css: .s0 ... .s7

  function table(caption, heads, rows) {
    return el('table', {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, heads.map((h) => el('th', {scope: 'col'}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) =>
        i ? el('td', {class: 'num'}, c) : el('th', {scope: 'row'}, c))))));
  }

  function legend(names) {
    return el('ul', {class: 'legend'}, names.map((n, i) =>
      el('li', {}, el('span', {class: 'key s' + (i % PALETTE), 'aria-hidden': 'true'}), n)));
  }

  /* Stacked columns: one per month, a segment per rule. */
  function byMonth(f) {
    const rules = f.by_rule.map((r) => r.rule);
    const totals = f.months.map((_, m) => f.by_rule.reduce((s, r) => s + r.counts[m], 0));
    const max = Math.max(1, ...totals);
    const W = 720, H = 260, left = 40, bottom = 40, colW = (W - left - 10) / f.months.length;
    const step = Math.ceil(f.months.length / 24); // month labels that fit
    const title = 'Alerts raised each month, by rule';
    const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    const y = (v) => (H - bottom) - v / max * (H - bottom - 10);
    for (const v of [0, Math.ceil(max / 2), max]) {
      g.append(svg('line', {x1: left, x2: W - 10, y1: y(v), y2: y(v), class: 'grid'}));
      g.append(svg('text', {x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick'}, v));
    }
    f.months.forEach((m, i) => {
      let base = 0;
      f.by_rule.forEach((r, k) => {
        const v = r.counts[i];
        if (!v) return;
        const rect = svg('rect', {x: left + i * colW + 3, width: Math.max(2, colW - 6),
                                  y: y(base + v), height: y(base) - y(base + v),
                                  class: 's' + (k % PALETTE)});
        rect.append(svg('title', {}, m + ': ' + v + ' ' + r.rule));
        g.append(rect);
        base += v;
      });
      if (i % step === 0) {
        g.append(svg('text', {x: left + i * colW + colW / 2, y: H - bottom + 16,
                              'text-anchor': 'middle', class: 'tick'}, m.slice(2)));
      }
    });
    return el('section', {'aria-labelledby': 'f1'},
      el('h2', {id: 'f1'}, title),
      el('figure', {}, g, legend(rules)),
      table(title, ['Rule'].concat(f.months, ['Total']),
            f.by_rule.map((r) => [r.rule].concat(r.counts, [r.total]))));
  }

  const mins = (m) => m === null || m === undefined ? '-'
    : m >= 120 ? Math.round(m / 6) / 10 + ' h' : m + ' min';

  /* Per level: the median and 90th percentile time to respond as bars,
   * the level's response time as a line across them; in time and late
   * in the table. */
  function response(f) {
    const title = 'Time to acknowledge, against the response time';
    const W = 720, rowH = 56, left = 80, H = f.response.length * rowH + 30;
    const max = Math.max(1, ...f.response.flatMap((r) =>
      [r.response_minutes || 0, r.p90_minutes || 0].map((v) => v * 1.15)));
    const x = (m) => left + (W - left - 20) * m / max;
    const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    f.response.forEach((r, i) => {
      const y = 10 + i * rowH;
      g.append(svg('text', {x: left - 8, y: y + 22, 'text-anchor': 'end', class: 'label'}, r.level));
      if (r.p90_minutes !== null && r.p90_minutes !== undefined) {
        const p90 = svg('rect', {x: left, y: y, width: Math.max(2, x(r.p90_minutes) - left),
                                 height: 34, class: 'b3'});
        p90.append(svg('title', {}, r.level + ': 90% within ' + mins(r.p90_minutes)));
        const med = svg('rect', {x: left, y: y + 8, width: Math.max(2, x(r.median_minutes) - left),
                                 height: 18, class: 'b0'});
        med.append(svg('title', {}, r.level + ': median ' + mins(r.median_minutes)));
        g.append(p90, med);
      } else {
        g.append(svg('text', {x: left + 4, y: y + 22, class: 'tick'}, 'none responded to'));
      }
      const rt = x(r.response_minutes || 0);
      const line = svg('line', {x1: rt, x2: rt, y1: y - 4, y2: y + 38, class: 'target'});
      line.append(svg('title', {}, r.level + ': response time ' + mins(r.response_minutes)));
      g.append(line, svg('text', {x: rt + 4, y: y + 48, class: 'tick'},
                         'response time ' + mins(r.response_minutes)));
    });
    const pct = (v) => Math.round(v * 100) + '%';
    return el('section', {'aria-labelledby': 'f2'},
      el('h2', {id: 'f2'}, title),
      el('figure', {}, g, el('ul', {class: 'legend'},
        el('li', {}, el('span', {class: 'key b0', 'aria-hidden': 'true'}), 'median'),
        el('li', {}, el('span', {class: 'key b3', 'aria-hidden': 'true'}), '90% within'),
        el('li', {}, el('span', {class: 'key target', 'aria-hidden': 'true'}), 'response time'))),
      table(title, ['Level', 'Raised', 'Responded to', 'Response time', 'Judged', 'In time',
                    'Late', 'In time (share)', 'Median', '90% within'],
            f.response.map((r) => [r.level, r.alerts, r.responded, mins(r.response_minutes),
                                   r.counted, r.within, r.late, pct(r.within_share),
                                   mins(r.median_minutes), mins(r.p90_minutes)])));
  }

  function outcomes(f) {
    const title = 'How the alerts ended, or stand';
    const list = f.outcomes;
    const max = Math.max(1, ...list.map((o) => o.count));
    const W = 720, rowH = 30, left = 220, H = Math.max(1, list.length) * rowH + 10;
    const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    list.forEach((o, i) => {
      const y = 5 + i * rowH;
      g.append(svg('text', {x: left - 8, y: y + 16, 'text-anchor': 'end', class: 'label'}, o.outcome));
      const w = (W - left - 60) * o.count / max;
      const rect = svg('rect', {x: left, y: y, width: Math.max(2, w), height: 20,
                                class: o.closed ? 's0' : 's3'});
      rect.append(svg('title', {}, o.outcome + ': ' + o.count));
      g.append(rect);
      g.append(svg('text', {x: left + w + 6, y: y + 15, class: 'tick'}, o.count));
    });
    if (!list.length) g.append(svg('text', {x: 10, y: 20, class: 'tick'}, 'No alert raised in these days.'));
    return el('section', {'aria-labelledby': 'f3'},
      el('h2', {id: 'f3'}, title), el('figure', {}, g),
      table(title, ['Outcome', 'Alerts'],
            list.map((o) => [o.closed ? o.outcome : o.outcome + ' (not closed)', o.count])));
  }

  function notices(f) {
    const n = f.notices;
    return el('section', {'aria-labelledby': 'f4'},
      el('h2', {id: 'f4'}, 'School notices'),
      table('Operation Encompass notices raised in these days', ['', 'Notices'],
            [['raised', n.notices], ['to schools', n.to_schools],
             ['to the front door', n.to_front_door], ['acknowledged', n.acknowledged],
             ['due by now, or acknowledged', n.judged],
             ['acknowledged by their due time', n.acknowledged_by_due],
             ['reminded', n.reminded]]));
  }

  /* "2026-03-02" of a date, in UTC. */
  const iso = (d) => d.toISOString().slice(0, 10);

  async function load() {
    const fields = {from: document.getElementById('from').value,
                    to: document.getElementById('to').value,
                    purpose: document.getElementById('purpose').value};
    clear(box).append(el('p', {}, 'Asking ffcd for the report…'));
    try {
      const f = await api('/api/report', fields);
      clear(box).append(
        el('p', {id: 'summary'}, f.alerts + (f.alerts === 1 ? ' alert' : ' alerts') + ' raised from ' + fields.from + ' to ' +
           fields.to + ': ' + Object.entries(f.by_level).map(([k, v]) => v + ' ' + k).join(', ') +
           '; ' + f.concerns + ' concerns received; ' + f.children_alerted + ' children alerted, ' +
           f.children_realerted + ' of them again within a year of a closed alert.'),
        byMonth(f), response(f), outcomes(f), notices(f));
      problem(problemBox, '');
    } catch (e) {
      clear(box);
      problem(problemBox, e.message);
    }
  }

  document.getElementById('span').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  ffc.start().then(() => {
    const today = new Date(ffc.now());
    const from = new Date(today);
    from.setUTCFullYear(from.getUTCFullYear() - 1);
    from.setUTCDate(from.getUTCDate() + 1);
    document.getElementById('from').value = iso(from);
    document.getElementById('to').value = iso(today);
    document.getElementById('purpose').focus();
  }).catch((e) => problem(problemBox, e.message));
})();
