/*
 * notices.js - the latest Operation Encompass notices (to schools, and to
 * the front door where no school could be told) and the feedback sent to
 * agencies on closed alerts, as ffcd lets the person see them (a
 * practitioner or an admin; a viewer is refused in ffcd's words). A
 * front-door notice is acknowledged here in two clicks.
 */
'use strict';

(() => {
  const {el, table, clear, api, when, words, announce, problem} = ffc;
  const problemBox = document.getElementById('problem');
  const noticesBox = document.getElementById('notices');
  const feedbackBox = document.getElementById('feedback');

  /* Acknowledge, then Confirm: a front-door notice only (a school's is
   * the school's to acknowledge, and ffcd says so). */
  function ackButton(n, msg) {
    const b = el('button', {type: 'button', 'data-action': 'ack-notice', onclick: async () => {
      if (b.dataset.confirm !== '1') {
        b.dataset.confirm = '1';
        b.textContent = 'Confirm: I have told the front door';
        return;
      }
      try {
        const r = await api('/api/notice_ack', {notice_id: n.notice_id});
        b.replaceWith(document.createTextNode('by ' + r.notice.acknowledged_by + ', ' +
                                              when(r.notice.acknowledged_at_ms)));
        problem(msg, '');
        announce(n.notice_id + ' acknowledged');
      } catch (e) { problem(msg, e.message); }
    }}, 'Acknowledge');
    return b;
  }

  function showNotices(r) {
    const list = (r.notices || []).slice().reverse();
    const msg = el('p', {class: 'problem', role: 'alert', hidden: true});
    clear(noticesBox).append(msg, list.length ? table(
      'Notices, newest first', ['Notice', 'To', 'Child', 'Incident', 'Due', 'Acknowledged'],
      list.map((n) => {
        const frontDoor = n.front_door && n.front_door !== 'FRONT_DOOR_REASON_UNSPECIFIED';
        const child = [n.given_name, n.family_name].filter(Boolean).join(' ') +
          (n.date_of_birth ? ', born ' + n.date_of_birth : '') +
          (n.child_id ? ' (' + n.child_id + ')' : '');
        const late = !Number(n.acknowledged_at_ms) && Number(n.due_at_ms) < ffc.now();
        return [n.notice_id,
                frontDoor ? 'the front door: ' + words(n.front_door) + (n.urn ? ' (' + n.urn + ')' : '')
                          : (n.school_name || 'school') + ' (' + n.urn + ')',
                child,
                when(n.incident_at_ms) + (n.child_present ? ', child present' : '') +
                  (n.police_reference ? '; police ' + n.police_reference : ''),
                when(n.due_at_ms) + (late ? ' (overdue)' : ''),
                Number(n.acknowledged_at_ms)
                  ? 'by ' + n.acknowledged_by + ', ' + when(n.acknowledged_at_ms)
                  : frontDoor ? ackButton(n, msg) : 'not yet'];
      })) : el('p', {}, 'No notices.'));
  }

  function showFeedback(r) {
    const list = (r.feedback || []).slice().reverse();
    clear(feedbackBox).append(list.length ? table(
      'Feedback, newest first', ['Feedback', 'To', 'Their concerns', 'Alert', 'Outcome',
                                 'Closed', 'Lead practitioner'],
      list.map((f) => [f.feedback_id, words(f.agency), (f.concern_ids || []).join(', '),
                       f.alert_id, f.outcome, when(f.closed_at_ms),
                       [f.lead_practitioner, f.lead_contact].filter(Boolean).join(', ')]))
      : el('p', {}, 'No feedback sent yet.'));
  }

  async function loadNotices() {
    try {
      const un = document.getElementById('unacknowledged').value;
      showNotices(await api('/api/notices?unacknowledged=' + encodeURIComponent(un)));
      problem(problemBox, '');
    } catch (e) {
      clear(noticesBox);
      problem(problemBox, e.message);
    }
  }

  async function loadFeedback() {
    try {
      showFeedback(await api('/api/feedback'));
    } catch (e) {
      clear(feedbackBox).append(el('p', {class: 'problem', role: 'alert'}, e.message));
    }
  }

  document.getElementById('notice-filter').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadNotices();
  });
  ffc.start().then(() => Promise.all([loadNotices(), loadFeedback()]))
    .catch((e) => problem(problemBox, e.message));
})();
