/*
 * figures.js - the partnership's figures as plain SVG charts, each with a
 * table of the same numbers: alerts by rule and month, time to acknowledge
 * against each level's response time, and how closed alerts ended.
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
      g.append(svg('text', {x: left + i * colW + colW / 2, y: H - bottom + 16,
                            'text-anchor': 'middle', class: 'tick'}, m.slice(2)));
    });
    return el('section', {'aria-labelledby': 'f1'},
      el('h2', {id: 'f1'}, title),
      el('figure', {}, g, legend(rules)),
      table(title, ['Rule'].concat(f.months, ['Total']),
            f.by_rule.map((r) => [r.rule].concat(r.counts, [r.total]))));
  }

  /* Per level: how soon alerts were acknowledged, as shares of the
   * response time, one horizontal stacked bar each. */
  function response(f) {
    const title = 'Time to acknowledge, against the response time';
    const W = 720, rowH = 44, left = 80, H = f.response.length * rowH + 20;
    const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    f.response.forEach((r, i) => {
      const total = r.buckets.reduce((s, b) => s + b.count, 0);
      const y = 10 + i * rowH;
      g.append(svg('text', {x: left - 8, y: y + 18, 'text-anchor': 'end', class: 'label'}, r.level));
      let at = left;
      r.buckets.forEach((b, k) => {
        if (!b.count) return;
        const w = (W - left - 10) * b.count / Math.max(1, total);
        const rect = svg('rect', {x: at, y: y, width: w, height: 26, class: 'b' + k});
        rect.append(svg('title', {}, r.level + ': ' + b.count + ' ' + b.label));
        g.append(rect);
        at += w;
      });
      if (!total) g.append(svg('text', {x: left, y: y + 18, class: 'tick'}, 'none acknowledged yet'));
    });
    const labels = f.response[0] ? f.response[0].buckets.map((b) => b.label) : [];
    const mins = (m) => m === null || m === undefined ? '-' : m >= 120 ? Math.round(m / 6) / 10 + ' h' : m + ' min';
    return el('section', {'aria-labelledby': 'f2'},
      el('h2', {id: 'f2'}, title),
      el('figure', {}, g, el('ul', {class: 'legend'}, labels.map((l, k) =>
        el('li', {}, el('span', {class: 'key b' + k, 'aria-hidden': 'true'}), l)))),
      table(title, ['Level', 'Response time', 'Acknowledged', 'In time', 'Late', 'Median',
                    '90% within', 'Open, overdue now', 'Open, in time'],
            f.response.map((r) => [r.level, mins(r.response_minutes), r.acknowledged, r.within,
                                   r.late, mins(r.median_minutes), mins(r.p90_minutes),
                                   r.open_overdue, r.open_in_time])));
  }

  function outcomes(f) {
    const title = 'How closed alerts ended';
    const list = f.outcomes.slice().sort((a, b) => b.count - a.count);
    const max = Math.max(1, ...list.map((o) => o.count));
    const W = 720, rowH = 30, left = 220, H = Math.max(1, list.length) * rowH + 10;
    const g = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img',
                          'aria-label': title + '; the table below lists the same'});
    g.append(svg('title', {}, title));
    list.forEach((o, i) => {
      const y = 5 + i * rowH;
      g.append(svg('text', {x: left - 8, y: y + 16, 'text-anchor': 'end', class: 'label'}, o.outcome));
      const w = (W - left - 60) * o.count / max;
      const rect = svg('rect', {x: left, y: y, width: Math.max(2, w), height: 20, class: 's0'});
      rect.append(svg('title', {}, o.outcome + ': ' + o.count));
      g.append(rect);
      g.append(svg('text', {x: left + w + 6, y: y + 15, class: 'tick'}, o.count));
    });
    if (!list.length) g.append(svg('text', {x: 10, y: 20, class: 'tick'}, 'No alert closed in these months.'));
    return el('section', {'aria-labelledby': 'f3'},
      el('h2', {id: 'f3'}, title), el('figure', {}, g),
      table(title, ['Outcome', 'Alerts'], list.map((o) => [o.outcome, o.count])));
  }

  async function load() {
    const months = document.getElementById('months').value;
    clear(box).append(el('p', {}, 'Working out the figures…'));
    try {
      const f = await api('/api/figures?months=' + encodeURIComponent(months));
      clear(box).append(
        el('p', {}, f.alerts + ' alerts raised from ' + ffc.day(f.from_ms) + ': ' +
                    Object.entries(f.by_level).map(([k, v]) => v + ' ' + k).join(', ') + '; now ' +
                    Object.entries(f.states).map(([k, v]) => v + ' ' + words(k)).join(', ') + '.'),
        byMonth(f), response(f), outcomes(f));
      problem(problemBox, '');
    } catch (e) {
      clear(box);
      problem(problemBox, e.message);
    }
  }

  document.getElementById('span').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  ffc.start().then(load).catch((e) => problem(problemBox, e.message));
})();
