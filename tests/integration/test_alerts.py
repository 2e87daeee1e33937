"""Alerts over the real PUB socket and the control socket: every default
rule, topics, escalation, window edges, back-filling, raise-once, seq, level
subscriptions and catching up by seq."""

from ffctest import (DAY, T0, DaemonTest, concern, main, nhs_number, no_more_alerts, pb,
                     receive_alerts)

HOUR = 3600000


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


class Rules(DaemonTest):
    def test_immediate_risk(self):
        sub = self.d.subscribe()
        self.d.send_one(concern("ir", category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                                children=kid(1)))
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.red.immediate-risk")
        self.assertEqual(a.level, pb.RED)
        self.assertEqual(a.rule, "immediate-risk")
        self.assertIn("IMMEDIATE_RISK", a.reason)
        self.assertEqual([e.concern_id for e in a.evidence], ["ir"])
        self.assertEqual(a.child.nhs_number, nhs_number(1))
        self.assertEqual(a.seq, 1)
        self.assertEqual(a.alert_id, "A00000001")

    def test_multi_agency_escalates(self):
        sub = self.d.subscribe()
        k = kid(2)
        self.d.send_one(concern("p", agency=pb.POLICE, at=T0, children=k))
        self.assertTrue(no_more_alerts(sub))
        self.d.send_one(concern("e", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                                at=T0 + 5 * DAY, children=k))
        (topic, amber), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.multi-agency")
        self.assertEqual(amber.supersedes, "")
        self.assertEqual(sorted(e.concern_id for e in amber.evidence), ["e", "p"])
        # More evidence at the same level raises nothing while it is open.
        self.d.send_one(concern("e2", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                                severity=pb.LOW, at=T0 + 6 * DAY, children=k))
        self.assertTrue(no_more_alerts(sub))
        self.d.send_one(concern("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                                severity=pb.LOW, at=T0 + 30 * DAY, children=k))
        (topic, red), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.red.multi-agency")
        self.assertEqual(red.supersedes, amber.alert_id)
        self.assertEqual(red.seq, amber.seq + 1)
        self.assertEqual(red.child_id, amber.child_id)
        for agency in ("POLICE", "EDUCATION", "HEALTH"):
            self.assertIn(agency, red.reason)
        # A fourth agency: RED is open, nothing new (and the severity weights,
        # 2 + 2 + 1 + 1 + 1, stay under cumulative-harm's 8).
        self.d.send_one(concern("s", agency=pb.SOCIAL_CARE, category=pb.NEGLECT,
                                severity=pb.LOW, at=T0 + 7 * DAY, children=k))
        self.assertTrue(no_more_alerts(sub))

    def test_window_edge_and_backfill(self):
        sub = self.d.subscribe()
        k = kid(3)
        self.d.send_one(concern("p", agency=pb.POLICE, at=T0, children=k))
        self.d.send_one(concern("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                                severity=pb.LOW, at=T0 + 30 * DAY + HOUR, children=k))
        self.assertTrue(no_more_alerts(sub))
        # Exactly 30 days after the police concern is still within it.
        self.d.send_one(concern("e", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                                severity=pb.LOW, at=T0 + 30 * DAY, children=k))
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.multi-agency")
        # A late, back-filled concern between them is judged on its event time.
        self.d.send_one(concern("s", agency=pb.SOCIAL_CARE, category=pb.NEGLECT,
                                severity=pb.LOW, at=T0 + 15 * DAY, children=k))
        (topic, red), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.red.multi-agency")

    def test_toxic_trio(self):
        sub = self.d.subscribe(b"alert.amber.toxic-trio")
        sub_red = self.d.subscribe(b"alert.red.toxic-trio")
        k = kid(4)
        self.d.send_one(concern("da", category=pb.DOMESTIC_ABUSE, severity=pb.LOW, at=T0,
                                children=k))
        self.d.send_one(concern("sm", category=pb.SUBSTANCE_MISUSE, severity=pb.LOW,
                                at=T0 + 60 * DAY, children=k))
        (_, amber), = receive_alerts(sub, 1)
        self.d.send_one(concern("mh", agency=pb.HEALTH, category=pb.MENTAL_HEALTH,
                                severity=pb.LOW, at=T0 + 90 * DAY, children=k))
        (_, red), = receive_alerts(sub_red, 1)
        self.assertEqual(red.supersedes, amber.alert_id)
        self.assertEqual({e.category for e in red.evidence},
                         {pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH})

    def test_cumulative_harm(self):
        sub = self.d.subscribe(b"alert.amber.cumulative-harm")
        k = kid(5)
        # LOW 1 + MODERATE 2 + HIGH 4 = 7: not yet.
        for i, sev in enumerate((pb.LOW, pb.MODERATE, pb.HIGH)):
            self.d.send_one(concern("n%d" % i, agency=pb.HEALTH, category=pb.NEGLECT,
                                    severity=sev, at=T0 + i * 50 * DAY, children=k))
        self.assertTrue(no_more_alerts(sub))
        # IMMEDIATE_RISK weighs 0 here (it has its own rule).
        self.d.send_one(concern("ir", agency=pb.HEALTH, category=pb.INJURY,
                                severity=pb.IMMEDIATE_RISK, at=T0 + 151 * DAY, children=k))
        self.assertTrue(no_more_alerts(sub))
        self.d.send_one(concern("n3", agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.LOW,
                                at=T0 + 160 * DAY, children=k))
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.cumulative-harm")
        self.assertIn("8", a.reason)

    def test_repeat_missing(self):
        sub = self.d.subscribe(b"alert.amber.repeat-missing")
        k = kid(6)
        for i in range(2):
            self.d.send_one(concern("m%d" % i, category=pb.MISSING, severity=pb.LOW,
                                    at=T0 + i * 45 * DAY, children=k))
        self.d.send_one(concern("m-far", category=pb.MISSING, severity=pb.LOW,
                                at=T0 + 91 * DAY, children=k))
        self.assertTrue(no_more_alerts(sub))
        self.d.send_one(concern("m2", category=pb.MISSING, severity=pb.LOW,
                                at=T0 + 80 * DAY, children=k))
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.repeat-missing")
        self.assertEqual(len(a.evidence), 3)


class Delivery(DaemonTest):
    def raise_n(self, n, base):
        """n immediate-risk alerts, one per child."""
        self.d.send([concern("ir-%d-%d" % (base, i), category=pb.PHYSICAL_ABUSE,
                             severity=pb.IMMEDIATE_RISK, children=kid(100 + base + i))
                     for i in range(n)])

    def test_level_subscription(self):
        red_only = self.d.subscribe(b"alert.red")
        k = kid(7)
        self.d.send_one(concern("p", agency=pb.POLICE, children=k))
        self.d.send_one(concern("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                                children=k))  # AMBER multi-agency
        self.raise_n(1, 0)  # RED
        got = receive_alerts(red_only, 1)
        self.assertTrue(all(t.startswith("alert.red.") for t, _ in got))
        self.assertTrue(no_more_alerts(red_only))

    def test_seq_and_catch_up(self):
        self.raise_n(3, 0)
        seen = self.d.alerts(since=0)
        self.assertEqual([a.seq for a in seen.alerts], [1, 2, 3])
        self.assertEqual(seen.last_seq, 3)
        # A console away while alerts are raised fetches exactly what it missed.
        self.raise_n(4, 10)
        missed = self.d.alerts(since=3)
        self.assertEqual([a.seq for a in missed.alerts], [4, 5, 6, 7])
        self.assertFalse(missed.more)
        page = self.d.alerts(since=0, limit=2)
        self.assertEqual([a.seq for a in page.alerts], [1, 2])
        self.assertTrue(page.more)
        red = self.d.alerts(since=0, level=pb.AMBER)
        self.assertEqual(len(red.alerts), 0)
        # Stored alerts are those published.
        sub = self.d.subscribe()
        self.raise_n(1, 20)
        (_, live), = receive_alerts(sub, 1)
        stored = self.d.alerts(since=7).alerts[0]
        self.assertEqual(live, stored)

    def test_child_chronology_and_alerts(self):
        k = [dict(nhs_number=nhs_number(8), given_name="Ella", family_name="Smith",
                  date_of_birth="2016-04-12")]
        self.d.send_one(concern("late", agency=pb.HEALTH, at=T0 + 2 * DAY, children=k,
                                summary="second", source_system="SystmOne", reporter="HV"))
        self.d.send_one(concern("early", agency=pb.POLICE, at=T0, children=k,
                                summary="first"))
        r = self.d.child(nhs_number=nhs_number(8))
        self.assertEqual(r.error, "")
        c = r.child
        self.assertEqual([e.concern_id for e in c.chronology], ["early", "late"])
        self.assertEqual(c.chronology[1].summary, "second")
        self.assertEqual(c.chronology[1].source_system, "SystmOne")
        self.assertEqual(c.chronology[1].reporter, "HV")
        self.assertEqual([a.rule for a in c.alerts], ["multi-agency"])
        self.assertEqual(self.d.child(child_id=c.child_id).child.child_id, c.child_id)
        self.assertIn("no such child", self.d.child(child_id="C99999999").error)
        self.assertIn("child_id", self.d.child(child_id="X1").error)
        self.assertIn("nhs_number", self.d.child(nhs_number="123").error)

    def test_bad_control_requests(self):
        r = self.d.control(b"\xff\xff\xff")
        self.assertIn("request", r.error)
        r = self.d.control(pb.ControlRequest())
        self.assertIn("no command", r.error)
        r = self.d.control(pb.ControlRequest(alerts=pb.AlertsRequest(level=7)))
        self.assertIn("level", r.error)
        r = self.d.control(b"\x0a" + b"\x80\x80\x01" + b"x" * 16384)
        self.assertIn("size", r.error)
        self.assertEqual(self.d.status().concerns, 0)


if __name__ == "__main__":
    main()
