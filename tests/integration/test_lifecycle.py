"""Working alerts through the real ffcd and ffcctl: ack, note and close
published on their own topics (without the note's text) and shown by
`ffcctl alerts`; closing lets the rule raise again; a lead practitioner
assigned to a child is carried by later alerts; an alert nobody picks up
within its response time is reminded exactly once, also across a restart,
counted in stats and listed by `alerts --overdue`; bad input is refused
with a clear message and changes nothing.

Response times come from a config with response_seconds, so the overdue
tests wait seconds, not hours."""

import json
import os
import subprocess
import time
import unittest

import zmq

from ffctest import (BIN, DaemonTest, concern, len_field, main, nhs_number, now_ms, pb,
                     scratch_dir, start_daemon)

RED_S = 2  # the RED response time of the overdue tests, in seconds


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


def risk(cid, n):
    """A concern that raises immediate-risk RED for child n at once."""
    return concern(cid, category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK, children=kid(n))


def receive(sub, timeout=10.0):
    """(topic, payload bytes) of the next message, or None."""
    if not sub.poll(int(timeout * 1000)):
        return None
    topic, body = sub.recv_multipart()
    return topic.decode(), body


def change(body):
    c = pb.AlertChange()
    c.ParseFromString(body)
    return c


def alert(body):
    a = pb.Alert()
    a.ParseFromString(body)
    return a


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Tools:
    def ctl(self, *args):
        """ffcctl that must succeed; its stdout."""
        r = self.d.tool("ffcctl", *args)
        self.assertEqual(r.returncode, 0, "ffcctl %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def ctl_fails(self, code, *args):
        """ffcctl that must fail with code; its stderr."""
        r = self.d.tool("ffcctl", *args)
        self.assertEqual(r.returncode, code, "ffcctl %s: %s%s" % (" ".join(args), r.stdout,
                                                                  r.stderr))
        self.assertEqual(r.stdout, "")
        return r.stderr

    def raise_red(self, cid, n, sub=None):
        r = self.d.send_one(risk(cid, n))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        if sub is not None:
            got = receive(sub)
            self.assertIsNotNone(got, "no alert raised")
            self.assertEqual(got[0], "alert.red.immediate-risk")
            return alert(got[1])
        last = self.d.status().alerts
        return self.d.alerts(since=last - 1, limit=1).alerts[0]

    def stored(self):
        return {a.seq: a for a in self.d.all_alerts()}


class Lifecycle(Tools, DaemonTest):
    def test_ack_note_close_published_and_listed(self):
        sub = self.d.subscribe(b"event.")
        sub.setsockopt(zmq.SUBSCRIBE, b"alert.")
        time.sleep(0.2)
        a = self.raise_red("r1", 1, sub)
        self.assertEqual(a.state, pb.OPEN)
        self.assertEqual(a.due_at_ms, a.raised_at_ms + 120 * 60 * 1000)

        out = self.ctl("ack", a.alert_id, "--by", "Sam Jones", "--note", "Ringing the school")
        self.assertIn("acknowledged by Sam Jones", out)
        self.assertIn("Ringing the school", out)
        topic, body = receive(sub)
        self.assertEqual(topic, "event.ack.red.immediate-risk")
        c = change(body)
        self.assertEqual((c.seq, c.alert_id, c.child_id, c.level, c.rule),
                         (a.seq, a.alert_id, a.child_id, pb.RED, "immediate-risk"))
        self.assertEqual(c.state, pb.ACKNOWLEDGED)
        self.assertEqual(c.event.action, pb.AlertEvent.ACKNOWLEDGED)
        self.assertEqual(c.event.by, "Sam Jones")
        self.assertLess(abs(c.event.at_ms - now_ms()), 60000)
        self.assertEqual(c.event.text, "")
        self.assertNotIn(b"Ringing", body, "a note went out on the alerts socket")

        r = self.d.tool("ffcctl", "note", a.alert_id, "--by", "Sam Jones", "-",
                        input="Mother says he is at his nan's\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        topic, body = receive(sub)
        self.assertEqual(topic, "event.note.red.immediate-risk")
        self.assertEqual(change(body).event.action, pb.AlertEvent.NOTE)
        self.assertNotIn(b"nan", body)

        out = self.ctl("close", a.alert_id, "--by", "Kim Obi", "--outcome", "Strategy Discussion",
                       "--note", "Strategy meeting held")
        self.assertIn("closed by Kim Obi", out)
        topic, body = receive(sub)
        self.assertEqual(topic, "event.close.red.immediate-risk")
        c = change(body)
        self.assertEqual(c.state, pb.CLOSED)
        self.assertEqual(c.event.outcome, "strategy discussion")
        self.assertEqual(c.event.by, "Kim Obi")

        # The log shows where it stands; --details and JSON the history.
        listing = self.ctl("alerts")
        self.assertIn("closed by Kim Obi", listing)
        self.assertIn("strategy discussion", listing)
        self.assertNotIn("Ringing the school", listing)
        details = self.ctl("alerts", "--details")
        for text in ("Ringing the school", "Mother says he is at his nan's",
                     "Strategy meeting held", "ACKNOWLEDGED", "NOTE", "CLOSED"):
            self.assertIn(text, details)
        plain, = json_lines(self.ctl("--json", "alerts"))
        self.assertEqual(plain.get("history", []), [])  # only when asked for
        self.assertEqual(plain["state"], "CLOSED")
        js, = json_lines(self.ctl("--json", "alerts", "--details"))
        self.assertEqual(js["state"], "CLOSED")
        self.assertEqual(js["acknowledged_by"], "Sam Jones")
        self.assertEqual(js["outcome"], "strategy discussion")
        self.assertEqual([h["action"] for h in js["history"]], ["ACKNOWLEDGED", "NOTE", "CLOSED"])
        self.assertEqual(js["history"][1]["text"], "Mother says he is at his nan's")
        self.assertEqual(json_lines(self.ctl("--json", "alerts", "--state", "closed"))[0]["seq"],
                         a.seq)
        self.assertIn("(no alerts)", self.ctl("alerts", "--state", "open"))
        # The child's record carries the same.
        child = json.loads(self.ctl("--json", "child", a.child_id))
        self.assertEqual(len(child["alerts"][0]["history"]), 3)

    def test_close_lets_the_rule_raise_again(self):
        sub = self.d.subscribe()
        a = self.raise_red("r1", 2, sub)
        self.ctl("ack", a.alert_id, "--by", "Sam")
        # Acknowledged is still open: no second alert for the same rule.
        self.assertEqual(self.d.send_one(risk("r2", 2)).status, pb.Receipt.ACCEPTED)
        self.assertIsNone(receive(sub, 1.0))
        self.ctl("close", a.alert_id, "--by", "Sam", "--outcome", "no further action")
        b = self.raise_red("r3", 2, sub)
        self.assertEqual(b.seq, a.seq + 1)
        self.assertEqual(b.child_id, a.child_id)
        self.assertEqual(b.supersedes, "")
        self.assertEqual(b.state, pb.OPEN)

    def test_superseded_alert_can_be_closed_not_acknowledged(self):
        sub = self.d.subscribe()
        child = kid(3)
        for i, agency in enumerate((pb.POLICE, pb.EDUCATION, pb.HEALTH)):
            r = self.d.send_one(concern("m%d" % i, agency=agency, children=child))
            self.assertEqual(r.status, pb.Receipt.ACCEPTED)
        amber, red = alert(receive(sub)[1]), alert(receive(sub)[1])
        self.assertEqual((amber.level, red.supersedes), (pb.AMBER, amber.alert_id))
        err = self.ctl_fails(1, "ack", amber.alert_id, "--by", "Sam")
        self.assertIn("superseded by %s" % red.alert_id, err)
        self.ctl("close", amber.alert_id, "--by", "Sam", "--outcome", "strategy discussion")
        s = self.stored()
        self.assertEqual(s[amber.seq].state, pb.CLOSED)
        self.assertEqual(s[red.seq].state, pb.OPEN)  # the RED still holds the rule

    def test_assigned_practitioner_carried_by_later_alerts(self):
        sub = self.d.subscribe()
        first = self.raise_red("r1", 4, sub)
        self.assertEqual(first.lead_practitioner, "")
        out = self.ctl("assign", "--nhs", nhs_number(4), "--practitioner", "Pat Lee",
                       "--by", "Team Manager", "--note", "allocated at MASH meeting")
        self.assertIn("lead practitioner: Pat Lee", out)
        self.ctl("assign", first.child_id, "--practitioner", "Jo Obi", "--by", "Team Manager")
        self.ctl("close", first.alert_id, "--by", "Jo Obi", "--outcome", "no further action")
        later = self.raise_red("r2", 4, sub)
        self.assertEqual(later.lead_practitioner, "Jo Obi")
        self.assertEqual(self.stored()[first.seq].lead_practitioner, "")
        child = json.loads(self.ctl("--json", "child", first.child_id))
        self.assertEqual(child["lead_practitioner"], "Jo Obi")
        self.assertEqual([p["practitioner"] for p in child["practitioners"]],
                         ["Pat Lee", "Jo Obi"])
        self.assertEqual(child["practitioners"][0]["note"], "allocated at MASH meeting")
        self.assertIn("lead practitioner Jo Obi", self.ctl("alerts"))

    def test_bad_input_refused_and_nothing_changes(self):
        sub = self.d.subscribe(b"event.")
        a = self.raise_red("r1", 5)
        before = self.stored()
        # Usage mistakes, caught by ffcctl itself.
        self.assertIn("--by NAME is required", self.ctl_fails(2, "ack", a.alert_id))
        self.assertIn("--outcome is required",
                      self.ctl_fails(2, "close", a.alert_id, "--by", "Sam"))
        self.assertIn("usage: note", self.ctl_fails(2, "note", a.alert_id, "--by", "Sam"))
        self.assertIn("--practitioner NAME is required",
                      self.ctl_fails(2, "assign", a.child_id, "--by", "Sam"))
        self.assertIn("--state: 'shut' is not", self.ctl_fails(2, "alerts", "--state", "shut"))
        # Refused by the daemon, naming the field.
        cases = [
            (("ack", "A00000099", "--by", "Sam"), "ack.alert_id: no such alert"),
            (("ack", "alert-1", "--by", "Sam"), "ack.alert_id: not an alert id"),
            (("ack", a.alert_id, "--by", "   "), "ack.by: blank"),
            (("ack", a.alert_id, "--by", "x" * 129), "ack.by: 129 bytes, at most 128"),
            (("ack", a.alert_id, "--by", "Sam\tJones"), "ack.by: holds a control character"),
            (("note", a.alert_id, "--by", "Sam", "n" * 2001),
             "note.text: 2001 bytes, at most 2000"),
            (("close", a.alert_id, "--by", "Sam", "--outcome", "sorted"),
             "close.outcome: 'sorted' is not one of: \"strategy discussion\""),
            (("assign", "C00000099", "--practitioner", "Pat", "--by", "Sam"),
             "assign.child: no such child"),
        ]
        for args, message in cases:
            err = self.ctl_fails(1, *args)
            self.assertIn("ffcd: " + message, err, args)
        # Bytes ffcctl would never send: a `by` that is not UTF-8.
        ack = len_field(1, a.alert_id.encode()) + len_field(2, b"Sam\xff")
        r = self.d.control(len_field(20, ack))
        self.assertEqual(r.error, "ack.by: not valid UTF-8")
        ack = len_field(1, a.alert_id.encode()) + len_field(2, b"Sam\x00Jones")
        self.assertEqual(self.d.control(len_field(20, ack)).error, "ack.by: contains a NUL byte")
        note = len_field(1, a.alert_id.encode()) + len_field(2, b"Sam") + len_field(3, b"a\x00b")
        self.assertEqual(self.d.control(len_field(22, note)).error,
                         "note.text: contains a NUL byte")
        assign = len_field(1, len_field(1, b"C0000\x001")) + len_field(2, b"P") + \
            len_field(3, b"S")
        self.assertEqual(self.d.control(len_field(23, assign)).error,
                         "assign.child.child_id: contains a NUL byte")
        self.assertEqual(self.stored(), before)
        self.assertIsNone(receive(sub, 0.5), "a refused change was published")
        # Closed: no second close, no acknowledging.
        self.ctl("close", a.alert_id, "--by", "Sam", "--outcome", "no further action")
        self.assertIn("already closed by Sam",
                      self.ctl_fails(1, "close", a.alert_id, "--by", "Kim", "--outcome",
                                     "no further action"))
        self.assertIn("is closed", self.ctl_fails(1, "ack", a.alert_id, "--by", "Kim"))
        self.assertEqual(self.d.status().alerts, a.seq)  # still serving


class Overdue(Tools, unittest.TestCase):
    """A RED response time of RED_S seconds (AMBER an hour)."""

    def setUp(self):
        self.conf = os.path.join(scratch_dir(self), "ffcd.conf")
        with open(self.conf, "w") as f:
            f.write("alerts: { response_seconds = { red = %d; amber = 3600; }; };\n" % RED_S)
        self.d = start_daemon(self, conf=self.conf)

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def restart(self):
        self.d.assert_stops_cleanly(self)
        self.d.start()

    def test_reminded_once_listed_and_counted_across_restart(self):
        sub = self.d.subscribe(b"overdue.")
        self.raise_red("r1", 1)
        topic, body = receive(sub, RED_S + 5)
        self.assertEqual(topic, "overdue.red.immediate-risk")
        o = alert(body)
        self.assertEqual((o.seq, o.alert_id, o.state), (1, "A00000001", pb.OPEN))
        self.assertEqual(o.due_at_ms, o.raised_at_ms + RED_S * 1000)
        self.assertGreaterEqual(o.overdue_at_ms, o.due_at_ms)
        self.assertEqual(len(o.history), 0)  # notes never broadcast
        self.assertIsNone(receive(sub, RED_S + 0.5), "reminded twice")

        st = self.d.stats()
        self.assertEqual((st.overdue, st.reminders), (1, 1))
        self.assertIn("overdue now 1, overdue reminders sent 1", self.ctl("stats"))
        listed = json_lines(self.ctl("--json", "alerts", "--overdue", "--details"))
        self.assertEqual([x["alert_id"] for x in listed], ["A00000001"])
        self.assertEqual(listed[0]["history"][0]["action"], "OVERDUE")
        self.assertIn("OVERDUE", self.ctl("alerts", "--overdue"))

        self.restart()
        sub = self.d.subscribe(b"overdue.")
        self.assertIsNone(receive(sub, RED_S + 1), "reminded again after a restart")
        st = self.d.stats()
        self.assertEqual((st.overdue, st.reminders), (1, 1))

        # Picked up at last: no longer overdue.
        self.ctl("ack", "A00000001", "--by", "Sam")
        self.assertIn("(no alerts)", self.ctl("alerts", "--overdue"))
        self.assertEqual(self.d.stats().overdue, 0)
        self.assertEqual(self.d.stats().reminders, 1)

    def test_ffc_watch_shows_reminder_and_who_has_it(self):
        """The project's console prints the raise, the once-only reminder,
        and who acknowledged and closed it, without any note's text."""
        out_path = os.path.join(self.d.dir, "watch.out")
        with open(out_path, "w") as out:
            w = subprocess.Popen([os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep,
                                  "--control", self.d.control_ep, "--since", "0"],
                                 stdout=out, stderr=subprocess.DEVNULL,
                                 env=dict(os.environ, XDG_STATE_HOME=self.d.dir))

        def text():
            with open(out_path) as f:
                return f.read()

        def wait(needle, timeout=RED_S + 10.0):
            end = time.time() + timeout
            while time.time() < end and needle not in text():
                time.sleep(0.1)
            self.assertIn(needle, text())

        try:
            time.sleep(0.5)  # subscribed before anything is raised
            self.raise_red("r1", 1)
            wait("A00000001  seq 1")
            wait("[RED] A00000001  OVERDUE: not acknowledged by")
            self.ctl("ack", "A00000001", "--by", "Sam Jones", "--note", "Ringing the school")
            wait("immediate-risk: acknowledged by Sam Jones")
            self.ctl("close", "A00000001", "--by", "Sam Jones", "--outcome",
                     "no further action", "--note", "Seen at school")
            wait("immediate-risk: closed by Sam Jones -- no further action")
            self.assertNotIn("Ringing the school", text())
            self.assertNotIn("Seen at school", text())
        finally:
            w.terminate()
            self.assertEqual(w.wait(timeout=30), 0)

    def test_acknowledged_in_time_is_never_reminded(self):
        sub = self.d.subscribe(b"overdue.")
        self.raise_red("r1", 2)
        r = self.d.control(pb.ControlRequest(ack=pb.AckRequest(alert_id="A00000001", by="Sam")))
        self.assertEqual(r.error, "")
        if r.ack.alert.acknowledged_at_ms >= r.ack.alert.due_at_ms:
            self.skipTest("acknowledged only after the %d s response time" % RED_S)
        self.assertIsNone(receive(sub, RED_S + 1.5))
        self.assertEqual(self.d.stats().reminders, 0)

    def test_due_while_stopped_is_reminded_after_start(self):
        self.raise_red("r1", 3)
        self.d.assert_stops_cleanly(self)
        time.sleep(RED_S + 0.5)
        self.d.start()
        # Whether the first reminder beat the subscription or not, it is
        # stored and counted once.
        self.assertTrue(self.wait(lambda: self.d.stats().reminders == 1))
        listed = json_lines(self.ctl("--json", "alerts", "--overdue"))
        self.assertEqual(len(listed), 1)

    def wait(self, predicate, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()


class Config(unittest.TestCase):
    def test_bad_alerts_settings_named_at_their_line(self):
        path = os.path.join(scratch_dir(self), "bad.conf")
        with open(path, "w") as f:
            f.write("alerts:\n{\n  response_minutes = { red = 0; };\n"
                    "  outcomes = [ \"nfa\", \"NFA\" ];\n};\n")
        r = subprocess.run([os.path.join(BIN, "ffcd"), "-n", "-c", path], capture_output=True,
                           text=True, timeout=30)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("%s:3: alerts.response_minutes.red: 0 is out of range" % path, r.stderr)
        self.assertIn("%s:4: alerts.outcomes[1]: 'NFA' is listed twice" % path, r.stderr)


if __name__ == "__main__":
    main()
