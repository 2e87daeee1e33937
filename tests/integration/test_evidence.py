"""Evidence that never goes silent, through the real ffcd with the shipped
configuration: a concern for a child whose alert of a rule that counts it
is already open (or acknowledged) joins that alert's evidence, is recorded
in its history by ffcd with its reference (never its summary), and is
published at once on "event.evidence.<level>.<rule>" with the lead
practitioner; an IMMEDIATE_RISK concern is heard whatever is open;
alerts.reopen_on puts an acknowledged alert back to open with a new
response time; ffc-watch prints the evidence as loudly as an alert."""

import json
import os
import subprocess
import time
import unittest

import zmq

from ffctest import BIN, CONF, DaemonTest, concern, nhs_number, pb, scratch_dir, start_daemon

DAY = 86400 * 1000
SUMMARY = "bruising to the face, account inconsistent"


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


def receive_all(sub, quiet=1.0):
    """Every (topic, payload) until the socket has been quiet `quiet` s."""
    got = []
    while sub.poll(int(quiet * 1000)):
        topic, body = sub.recv_multipart()
        got.append((topic.decode(), body))
    return got


def change(body):
    c = pb.AlertChange()
    c.ParseFromString(body)
    return c


class Evidence:
    def ctl(self, *args):
        r = self.d.tool("ffcctl", *args)
        self.assertEqual(r.returncode, 0, "ffcctl %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def send(self, c):
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        return r

    def multi_agency_red(self, n):
        """Three agencies within the window: multi-agency AMBER, then RED
        superseding it. Returns the open RED alert."""
        for i, agency in enumerate((pb.POLICE, pb.EDUCATION, pb.SOCIAL_CARE)):
            self.send(concern("ma-%d-%d" % (n, i), agency=agency, severity=pb.LOW,
                              at=self.t0 + i * DAY, children=kid(n)))
        red = [a for a in self.d.all_alerts() if a.rule == "multi-agency" and
               a.level == pb.RED]
        self.assertEqual(len(red), 1)
        return red[0]

    def history(self, alert_id):
        rows = [json.loads(x) for x in
                self.ctl("--json", "alerts", "--details").splitlines() if x.strip()]
        return [a for a in rows if a["alert_id"] == alert_id][0]


class Shipped(Evidence, DaemonTest):
    t0 = 1767225600000

    def test_immediate_risk_on_open_red_published_recorded_listed(self):
        red = self.multi_agency_red(1)
        self.ctl("assign", red.child_id, "--practitioner", "Pat Lee", "--by", "Team Manager")
        sub = self.d.subscribe(b"event.")
        sub.setsockopt(zmq.SUBSCRIBE, b"alert.")
        time.sleep(0.3)

        # The emergency department: bruising, an inconsistent account.
        self.send(concern("ED-0042", agency=pb.HEALTH, category=pb.PHYSICAL_ABUSE,
                          severity=pb.IMMEDIATE_RISK, at=self.t0 + 3 * DAY, children=kid(1),
                          summary=SUMMARY))
        got = receive_all(sub)
        topics = [t for t, _ in got]
        # Its own RED (immediate-risk), and evidence on the open RED: in
        # the same batch.
        self.assertEqual(topics, ["alert.red.immediate-risk", "event.evidence.red.multi-agency"])
        c = change(got[1][1])
        self.assertEqual((c.alert_id, c.child_id, c.level, c.rule),
                         (red.alert_id, red.child_id, pb.RED, "multi-agency"))
        self.assertEqual(c.event.action, pb.AlertEvent.EVIDENCE)
        self.assertEqual(c.event.by, "ffcd")
        self.assertEqual(c.event.text, "")  # the history's words stay in the store
        self.assertEqual((c.concern.agency, c.concern.concern_id, c.concern.category,
                          c.concern.severity),
                         (pb.HEALTH, "ED-0042", pb.PHYSICAL_ABUSE, pb.IMMEDIATE_RISK))
        self.assertEqual(c.lead_practitioner, "Pat Lee")
        self.assertEqual(c.state, pb.OPEN)
        self.assertNotIn(SUMMARY.encode(), got[1][1])

        # The alert holds it, and its history says who and what.
        a = self.history(red.alert_id)
        self.assertIn("ED-0042", [e["concern_id"] for e in a["evidence"]])
        ev = [h for h in a["history"] if h["action"] == "EVIDENCE"]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["by"], "ffcd")
        self.assertEqual(ev[0]["text"], "HEALTH ED-0042 (PHYSICAL_ABUSE, IMMEDIATE_RISK)")
        text = self.ctl("alerts", "--details")
        self.assertIn("EVIDENCE", text)
        self.assertIn("HEALTH ED-0042 (PHYSICAL_ABUSE, IMMEDIATE_RISK)", text)
        self.assertNotIn(SUMMARY, text)

        # Acknowledged, a second immediate risk is still heard on both
        # alerts, and (reopen_on "immediate-risk" as shipped) puts the
        # acknowledged immediate-risk RED back to open.
        risk = [x for x in self.d.all_alerts() if x.rule == "immediate-risk"][0]
        self.ctl("ack", risk.alert_id, "--by", "Sam Jones")
        receive_all(sub, 0.5)
        self.send(concern("ED-0043", agency=pb.HEALTH, category=pb.PHYSICAL_ABUSE,
                          severity=pb.IMMEDIATE_RISK, at=self.t0 + 4 * DAY, children=kid(1)))
        topics = [t for t, _ in receive_all(sub)]
        self.assertEqual(topics, ["event.evidence.red.immediate-risk",
                                  "event.reopen.red.immediate-risk",
                                  "event.evidence.red.multi-agency"])
        risk = {x.alert_id: x for x in self.d.all_alerts()}[risk.alert_id]
        self.assertEqual(risk.state, pb.OPEN)
        self.assertEqual(risk.acknowledged_by, "")
        self.assertGreater(risk.reopened_at_ms, risk.raised_at_ms)
        self.assertEqual(risk.due_at_ms, risk.reopened_at_ms + 120 * 60 * 1000)
        actions = [h["action"] for h in self.history(risk.alert_id)["history"]]
        self.assertEqual(actions, ["ACKNOWLEDGED", "EVIDENCE", "REOPENED"])

    def test_high_concern_does_not_reopen_as_shipped(self):
        red = self.multi_agency_red(2)
        self.ctl("ack", red.alert_id, "--by", "Sam Jones")
        sub = self.d.subscribe(b"event.")
        time.sleep(0.3)
        self.send(concern("h-1", agency=pb.HEALTH, severity=pb.HIGH, at=self.t0 + 3 * DAY,
                          children=kid(2)))
        self.assertEqual([t for t, _ in receive_all(sub)], ["event.evidence.red.multi-agency"])
        a = {x.alert_id: x for x in self.d.all_alerts()}[red.alert_id]
        self.assertEqual((a.state, a.acknowledged_by), (pb.ACKNOWLEDGED, "Sam Jones"))

    def test_ffc_watch_prints_evidence_like_an_alert(self):
        red = self.multi_agency_red(3)
        self.ctl("assign", red.child_id, "--practitioner", "Pat Lee", "--by", "Team Manager")
        out_path = os.path.join(self.d.dir, "watch.out")
        with open(out_path, "w") as out:
            w = subprocess.Popen([os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep,
                                  "--control", self.d.control_ep, "--since", "0"],
                                 stdout=out, stderr=subprocess.DEVNULL,
                                 env=dict(os.environ, XDG_STATE_HOME=self.d.dir))
        try:
            time.sleep(0.8)  # subscribed before the concern arrives
            self.send(concern("ED-0044", agency=pb.HEALTH, category=pb.PHYSICAL_ABUSE,
                              severity=pb.IMMEDIATE_RISK, at=self.t0 + 3 * DAY,
                              children=kid(3), summary=SUMMARY))
            want = ("EVIDENCE RED multi-agency %s %s  HEALTH ED-0044 "
                    "(PHYSICAL_ABUSE, IMMEDIATE_RISK)  lead: Pat Lee" % (red.child_id,
                                                                       red.alert_id))
            end = time.time() + 15
            while time.time() < end:
                with open(out_path) as f:
                    text = f.read()
                if want in text:
                    break
                time.sleep(0.1)
            self.assertIn(want, text)
            self.assertNotIn(SUMMARY, text)
        finally:
            w.terminate()
            self.assertEqual(w.wait(timeout=30), 0)


class ReopenOnHigh(Evidence, unittest.TestCase):
    """The shipped configuration with reopen_on = "high"."""
    t0 = 1767225600000

    def setUp(self):
        conf = os.path.join(scratch_dir(self), "ffcd.conf")
        with open(CONF) as f:
            text = f.read()
        self.assertIn('reopen_on = "immediate-risk";', text)
        with open(conf, "w") as f:
            f.write(text.replace('reopen_on = "immediate-risk";', 'reopen_on = "high";'))
        self.d = start_daemon(self, conf=conf)

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def test_high_concern_reopens_acknowledged_alert(self):
        red = self.multi_agency_red(4)
        self.ctl("ack", red.alert_id, "--by", "Sam Jones")
        sub = self.d.subscribe(b"event.")
        time.sleep(0.3)
        # MODERATE: below reopen_on, evidence only.
        self.send(concern("m-1", agency=pb.HEALTH, severity=pb.MODERATE, at=self.t0 + 3 * DAY,
                          children=kid(4)))
        self.assertEqual([t for t, _ in receive_all(sub)], ["event.evidence.red.multi-agency"])
        self.send(concern("h-1", agency=pb.HEALTH, severity=pb.HIGH, at=self.t0 + 4 * DAY,
                          children=kid(4)))
        got = receive_all(sub)
        self.assertEqual([t for t, _ in got], ["event.evidence.red.multi-agency",
                                               "event.reopen.red.multi-agency"])
        c = change(got[1][1])
        self.assertEqual(c.event.action, pb.AlertEvent.REOPENED)
        self.assertEqual(c.state, pb.OPEN)
        self.assertEqual(c.concern.concern_id, "h-1")
        a = {x.alert_id: x for x in self.d.all_alerts()}[red.alert_id]
        self.assertEqual((a.state, a.acknowledged_by), (pb.OPEN, ""))
        self.assertEqual(a.due_at_ms, a.reopened_at_ms + 120 * 60 * 1000)
        h = self.history(red.alert_id)["history"]
        self.assertEqual([x["action"] for x in h],
                         ["ACKNOWLEDGED", "EVIDENCE", "EVIDENCE", "REOPENED"])
        self.assertEqual(h[3]["text"], "HEALTH h-1 (DOMESTIC_ABUSE, HIGH)")
        # Open again: it may be acknowledged again.
        self.ctl("ack", red.alert_id, "--by", "Jo Obi")


if __name__ == "__main__":
    from ffctest import main
    main()
