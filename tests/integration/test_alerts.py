"""Alerts over the real PUB socket and the control socket: every default
rule with its topic and evidence, escalation with supersedes, window edges,
back-filling, arrival-order independence (against a Python reading of the
contract's rule table), raise-once, seq, level subscriptions and catching
up by seq."""

import random

from ffctest import (DAY, DaemonTest, HOUR, T0, concern, drain_alerts, main, nhs_number,
                     no_more_alerts, now_ms, pb, receive_alerts)

AGENCY = pb.Agency.Name
LEVEL = pb.Level.Name


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


class AlertChecks:
    def setUp(self):
        super().setUp()
        self.sent = {}

    def child_id(self, nhs):
        """The child_id of the child with this NHS number (alerts carry
        only the child_id and names)."""
        return self.d.child(nhs_number=nhs).child.child_id

    def send(self, cid, **kw):
        c = concern(cid, **kw)
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.sent[(c.agency, cid)] = c
        return r

    def check_alert(self, topic, a, level, rule, evidence=None):
        """The topic, level and rule; a reason; evidence that refers to
        concerns really sent, oldest first; the alert as stored."""
        self.assertEqual(topic, "alert.%s.%s" % (LEVEL(level).lower(), rule))
        self.assertEqual(topic, topic.lower())
        self.assertEqual(a.level, level)
        self.assertEqual(a.rule, rule)
        self.assertNotEqual(a.reason.strip(), "")
        self.assertNotEqual(a.alert_id, "")
        self.assertNotEqual(a.child_id, "")
        self.assertLess(abs(a.raised_at_ms - now_ms()), 10 * 60 * 1000)  # raised now
        self.assertGreater(len(a.evidence), 0)
        for e in a.evidence:
            c = self.sent.get((e.agency, e.concern_id))
            self.assertIsNotNone(c, "evidence names a concern never sent: %s" % e)
            self.assertEqual((e.category, e.severity, e.occurred_at_ms),
                             (c.category, c.severity, c.occurred_at_ms), e.concern_id)
        times = [e.occurred_at_ms for e in a.evidence]
        self.assertEqual(times, sorted(times), "evidence not oldest first")
        if evidence is not None:
            self.assertEqual(sorted(e.concern_id for e in a.evidence), sorted(evidence))
        stored = self.d.alerts(since=a.seq - 1, limit=1).alerts
        self.assertEqual(list(stored), [a], "published alert differs from the stored one")
        return a


class Rules(AlertChecks, DaemonTest):
    def test_immediate_risk(self):
        sub = self.d.subscribe()
        self.send("ir", category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK, children=[
            dict(nhs_number=nhs_number(1), given_name="Ella", family_name="Smith",
                 date_of_birth="2016-04-12")])
        (topic, a), = receive_alerts(sub, 1)
        self.check_alert(topic, a, pb.RED, "immediate-risk", ["ir"])
        self.assertEqual(a.supersedes, "")
        # The broadcast names the child, never its identifiers.
        self.assertEqual(a.child.nhs_number, "")
        self.assertEqual((a.child.given_name, a.child.family_name, a.child.date_of_birth),
                         ("Ella", "Smith", "2016-04-12"))
        self.assertEqual(self.d.child(nhs_number=nhs_number(1)).child.child_id, a.child_id)
        self.assertEqual(self.d.status().alerts, a.seq)
        # Another one for the same child while the RED is open: no new alert.
        self.send("ir2", category=pb.NEGLECT, severity=pb.IMMEDIATE_RISK, at=T0 + DAY,
                  children=kid(1))
        self.assertTrue(no_more_alerts(sub))
        # For another child: a new one.
        self.send("ir3", category=pb.NEGLECT, severity=pb.IMMEDIATE_RISK, children=kid(12))
        (topic, b), = receive_alerts(sub, 1)
        self.check_alert(topic, b, pb.RED, "immediate-risk", ["ir3"])
        self.assertEqual(b.seq, a.seq + 1)
        self.assertNotEqual(b.child_id, a.child_id)

    def test_multi_agency_escalates(self):
        sub = self.d.subscribe()
        k = kid(2)
        self.send("p", agency=pb.POLICE, at=T0, children=k)
        self.assertTrue(no_more_alerts(sub))
        self.send("e", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE, severity=pb.LOW,
                  at=T0 + 5 * DAY, children=k)
        (topic, amber), = receive_alerts(sub, 1)
        self.check_alert(topic, amber, pb.AMBER, "multi-agency", ["p", "e"])
        self.assertEqual(amber.supersedes, "")
        # More evidence at the same level raises nothing while it is open.
        self.send("e2", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE, severity=pb.LOW,
                  at=T0 + 6 * DAY, children=k)
        self.send("p2", agency=pb.POLICE, severity=pb.LOW, at=T0 + 7 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        self.send("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT, severity=pb.LOW,
                  at=T0 + 29 * DAY, children=k)
        (topic, red), = receive_alerts(sub, 1)
        self.check_alert(topic, red, pb.RED, "multi-agency")
        self.assertEqual(red.supersedes, amber.alert_id)
        self.assertNotEqual(red.alert_id, amber.alert_id)
        self.assertEqual(red.seq, amber.seq + 1)
        self.assertEqual(red.child_id, amber.child_id)
        self.assertEqual({e.agency for e in red.evidence}, {pb.POLICE, pb.EDUCATION, pb.HEALTH})
        for agency in ("police", "education", "health"):
            self.assertIn(agency, red.reason)
        # A fourth agency while RED is open: nothing new (and the severity
        # weights, 2 + 1 + 1 + 1 + 1 + 1, stay under cumulative-harm's 8).
        self.send("s", agency=pb.SOCIAL_CARE, category=pb.NEGLECT, severity=pb.LOW,
                  at=T0 + 8 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        child = self.d.child(nhs_number=nhs_number(2)).child
        self.assertEqual([(a.level, a.rule) for a in child.alerts],
                         [(pb.AMBER, "multi-agency"), (pb.RED, "multi-agency")])

    def test_window_edge(self):
        sub = self.d.subscribe()
        k = kid(3)
        self.send("p", agency=pb.POLICE, at=T0, children=k)
        self.send("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT, severity=pb.LOW,
                  at=T0 + 30 * DAY + HOUR, children=k)
        self.assertTrue(no_more_alerts(sub), "30 days and an hour apart raised an alert")
        # An hour inside the window of the police concern.
        self.send("e", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE, severity=pb.LOW,
                  at=T0 + 30 * DAY - HOUR, children=k)
        (topic, a), = receive_alerts(sub, 1)
        self.check_alert(topic, a, pb.AMBER, "multi-agency")
        self.assertTrue(no_more_alerts(sub))

    def test_backfilled_concern_judged_against_history(self):
        sub = self.d.subscribe()
        k = kid(10)
        self.send("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT, severity=pb.LOW,
                  at=T0 + 20 * DAY, children=k)
        self.send("e", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE, severity=pb.LOW,
                  at=T0 + 60 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        # Arrives last, happened first: within 30 days of the health one.
        self.send("p", agency=pb.POLICE, severity=pb.LOW, at=T0 + 2 * DAY, children=k)
        (topic, a), = receive_alerts(sub, 1)
        self.check_alert(topic, a, pb.AMBER, "multi-agency", ["p", "h"])
        self.assertEqual([e.concern_id for e in a.evidence], ["p", "h"])
        # Back-filled between the others: POLICE, HEALTH, SOCIAL_CARE within
        # 30 days.
        self.send("s", agency=pb.SOCIAL_CARE, category=pb.NEGLECT, severity=pb.LOW,
                  at=T0 + 10 * DAY, children=k)
        (topic, red), = receive_alerts(sub, 1)
        self.check_alert(topic, red, pb.RED, "multi-agency", ["p", "s", "h"])
        self.assertEqual(red.supersedes, a.alert_id)

    def test_toxic_trio(self):
        sub = self.d.subscribe(b"alert.amber.toxic-trio")
        sub_red = self.d.subscribe(b"alert.red.toxic-trio")
        k = kid(4)
        self.send("da", category=pb.DOMESTIC_ABUSE, severity=pb.LOW, at=T0, children=k)
        self.send("da2", category=pb.DOMESTIC_ABUSE, severity=pb.LOW, at=T0 + DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        self.send("sm", category=pb.SUBSTANCE_MISUSE, severity=pb.LOW, at=T0 + 60 * DAY,
                  children=k)
        (topic, amber), = receive_alerts(sub, 1)
        self.check_alert(topic, amber, pb.AMBER, "toxic-trio")
        self.assertEqual({e.category for e in amber.evidence},
                         {pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE})
        # Other categories are not part of the trio.
        self.send("ng", category=pb.NEGLECT, severity=pb.LOW, at=T0 + 61 * DAY, children=k)
        self.send("sm2", category=pb.SUBSTANCE_MISUSE, severity=pb.LOW, at=T0 + 62 * DAY,
                  children=k)
        self.assertTrue(no_more_alerts(sub_red))
        self.assertTrue(no_more_alerts(sub))
        self.send("mh", agency=pb.HEALTH, category=pb.MENTAL_HEALTH, severity=pb.LOW,
                  at=T0 + 89 * DAY, children=k)
        (topic, red), = receive_alerts(sub_red, 1)
        self.check_alert(topic, red, pb.RED, "toxic-trio")
        self.assertEqual(red.supersedes, amber.alert_id)
        self.assertEqual({e.category for e in red.evidence},
                         {pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH})

    def test_toxic_trio_window(self):
        sub = self.d.subscribe(b"alert.amber.toxic-trio")
        k = kid(11)
        self.send("da", category=pb.DOMESTIC_ABUSE, severity=pb.LOW, at=T0, children=k)
        self.send("mh", category=pb.MENTAL_HEALTH, severity=pb.LOW, at=T0 + 90 * DAY + HOUR,
                  children=k)
        self.assertTrue(no_more_alerts(sub))

    def test_cumulative_harm(self):
        sub = self.d.subscribe(b"alert.amber.cumulative-harm")
        k = kid(5)
        # LOW 1 + MODERATE 2 + HIGH 4 = 7: not yet.
        for i, sev in enumerate((pb.LOW, pb.MODERATE, pb.HIGH)):
            self.send("n%d" % i, agency=pb.HEALTH, category=pb.NEGLECT, severity=sev,
                      at=T0 + i * 50 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        # IMMEDIATE_RISK weighs 0 here (it has its own rule).
        self.send("ir", agency=pb.HEALTH, category=pb.INJURY, severity=pb.IMMEDIATE_RISK,
                  at=T0 + 151 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        # A LOW one 181 days after the first: the first has left the window.
        self.send("late", agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.LOW,
                  at=T0 + 181 * DAY, children=k)
        self.assertTrue(no_more_alerts(sub))
        self.send("n3", agency=pb.HEALTH, category=pb.NEGLECT, severity=pb.LOW,
                  at=T0 + 160 * DAY, children=k)
        (topic, a), = receive_alerts(sub, 1)
        self.check_alert(topic, a, pb.AMBER, "cumulative-harm")
        self.assertIn("8", a.reason)
        self.assertTrue(no_more_alerts(sub))

    def test_repeat_missing(self):
        sub = self.d.subscribe(b"alert.amber.repeat-missing")
        k = kid(6)
        for i in range(2):
            self.send("m%d" % i, category=pb.MISSING, severity=pb.LOW, at=T0 + i * 45 * DAY,
                      children=k)
        self.send("m-far", category=pb.MISSING, severity=pb.LOW, at=T0 + 91 * DAY, children=k)
        self.send("not-missing", category=pb.NEGLECT, severity=pb.LOW, at=T0 + 50 * DAY,
                  children=k)
        self.assertTrue(no_more_alerts(sub))
        self.send("m2", category=pb.MISSING, severity=pb.LOW, at=T0 + 80 * DAY, children=k)
        (topic, a), = receive_alerts(sub, 1)
        self.check_alert(topic, a, pb.AMBER, "repeat-missing")
        self.assertGreaterEqual(len(a.evidence), 3)
        self.assertTrue(all(e.category == pb.MISSING for e in a.evidence))


# ---- the contract's rule table, read independently in Python ----

WEIGHT = {pb.LOW: 1, pb.MODERATE: 2, pb.HIGH: 4, pb.IMMEDIATE_RISK: 0}
TRIO = {pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH}


def expected_alerts(concerns):
    """{(rule, level)} the default rules raise for one child's concerns."""
    out = set()
    if any(c.severity == pb.IMMEDIATE_RISK for c in concerns):
        out.add(("immediate-risk", pb.RED))

    def best(days, counts, measure):
        m = 0
        for s in concerns:
            win = [c for c in concerns if counts(c) and s.occurred_at_ms <= c.occurred_at_ms
                   <= s.occurred_at_ms + days * DAY]
            m = max(m, measure(win))
        return m

    def levels(rule, value, amber, red=None):
        if value >= amber:
            out.add((rule, pb.AMBER))
        if red is not None and value >= red:
            out.add((rule, pb.RED))

    levels("multi-agency", best(30, lambda c: True, lambda w: len({c.agency for c in w})), 2, 3)
    levels("toxic-trio", best(90, lambda c: c.category in TRIO,
                              lambda w: len({c.category for c in w})), 2, 3)
    levels("cumulative-harm", best(180, lambda c: True,
                                   lambda w: sum(WEIGHT[c.severity] for c in w)), 8)
    levels("repeat-missing", best(90, lambda c: c.category == pb.MISSING, len), 3)
    return out


class ArrivalOrder(DaemonTest):
    def test_alerts_do_not_depend_on_arrival_order(self):
        """One random history per child, sent in time order, in reverse and
        shuffled (each to its own copy of the children): the same (child,
        rule, level) alerts, and those the contract's table gives."""
        rnd = random.Random(4711)
        agencies = [pb.POLICE, pb.HEALTH, pb.EDUCATION, pb.SOCIAL_CARE, pb.OTHER]
        categories = [pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH, pb.NEGLECT,
                      pb.MISSING, pb.MISSING, pb.EDUCATION_ABSENCE, pb.WAS_NOT_BROUGHT]
        severities = [pb.LOW] * 6 + [pb.MODERATE] * 3 + [pb.HIGH]
        histories = []
        for child in range(6):
            n = rnd.randrange(2, 9)
            span = rnd.choice((40, 120, 300))
            hist = []
            for i in range(n):
                sev = rnd.choice(severities)
                if rnd.random() < 0.03:
                    sev = pb.IMMEDIATE_RISK
                hist.append(dict(agency=rnd.choice(agencies), category=rnd.choice(categories),
                                 severity=sev,
                                 at=T0 + rnd.randrange(span * DAY // 60000) * 60000 + 17))
            histories.append(hist)
        orders = {"time": lambda h: sorted(h, key=lambda x: x["at"]),
                  "reverse": lambda h: sorted(h, key=lambda x: -x["at"]),
                  "shuffled": lambda h: rnd.sample(h, len(h))}
        results = {}
        for o, (name, order) in enumerate(sorted(orders.items())):
            for child, hist in enumerate(histories):
                nhs = nhs_number(500 + o * 100 + child)
                for i, x in enumerate(order(hist)):
                    r = self.d.send_one(concern("%s-%d-%d" % (name, child, i),
                                                children=[dict(nhs_number=nhs)], **x))
                    self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
            got = {}
            for a in self.d.all_alerts():
                got.setdefault(a.child_id, set()).add((a.rule, a.level))
            results[name] = [got.get(self.d.child(nhs_number=nhs_number(500 + o * 100 + c))
                                     .child.child_id, set())
                             for c in range(len(histories))]
        for child, hist in enumerate(histories):
            want = expected_alerts([concern("x", **x) for x in hist])
            for name in orders:
                self.assertEqual(results[name][child], want,
                                 "child %d sent in %s order: %s" % (child, name, hist))


class Delivery(AlertChecks, DaemonTest):
    def raise_n(self, n, base):
        """n immediate-risk alerts, one per child, in one burst."""
        cs = [concern("ir-%d-%d" % (base, i), category=pb.PHYSICAL_ABUSE,
                      severity=pb.IMMEDIATE_RISK, children=kid(100 + base + i))
              for i in range(n)]
        for c in cs:
            self.sent[(c.agency, c.concern_id)] = c
        rs = self.d.send(cs)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in rs))

    def test_level_subscription(self):
        red_only = self.d.subscribe(b"alert.red")
        amber_only = self.d.subscribe(b"alert.amber")
        k = kid(7)
        self.send("p", agency=pb.POLICE, children=k)
        self.send("h", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT, children=k)  # AMBER
        self.raise_n(2, 0)  # RED
        red = receive_alerts(red_only, 2)
        self.assertTrue(all(t.startswith("alert.red.") and a.level == pb.RED for t, a in red))
        self.assertTrue(no_more_alerts(red_only))
        amber = receive_alerts(amber_only, 1)
        self.assertEqual([(t, a.level) for t, a in amber],
                         [("alert.amber.multi-agency", pb.AMBER)])
        self.assertTrue(no_more_alerts(amber_only))

    def test_seq_increases_by_one(self):
        sub = self.d.subscribe()
        self.raise_n(5, 0)
        k = kid(8)
        self.send("p", agency=pb.POLICE, children=k)
        self.send("h", agency=pb.HEALTH, children=k)
        self.send("e", agency=pb.EDUCATION, children=k)
        got = receive_alerts(sub, 7)
        seqs = [a.seq for _, a in got]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + 7)))
        self.assertEqual(len({a.alert_id for _, a in got}), 7)
        self.assertEqual(self.d.status().alerts, seqs[-1])
        self.assertEqual(self.d.stats().alerts, seqs[-1])
        self.assertEqual(self.d.alerts(since=0).last_seq, seqs[-1])

    def test_catch_up_after_being_away(self):
        sub = self.d.subscribe()
        self.raise_n(3, 0)
        live = receive_alerts(sub, 3)
        last_seen = live[-1][1].seq
        sub.close()  # the console goes away
        self.raise_n(4, 10)
        k = kid(9)
        self.send("p", agency=pb.POLICE, children=k)
        self.send("h", agency=pb.HEALTH, children=k)
        # Back: subscribe first, then fetch since the last seq seen.
        sub = self.d.subscribe()
        missed = self.d.alerts(since=last_seen)
        self.assertEqual([a.seq for a in missed.alerts],
                         list(range(last_seen + 1, last_seen + 6)))
        self.assertFalse(missed.more)
        self.assertEqual(missed.last_seq, last_seen + 5)
        self.assertEqual([a.rule for a in missed.alerts], ["immediate-risk"] * 4 + ["multi-agency"])
        self.assertEqual(sorted(e.concern_id for a in missed.alerts[:4] for e in a.evidence),
                         ["ir-10-%d" % i for i in range(4)])
        # An alert committed just before the subscription reached the
        # publisher may still arrive live: a console drops it by seq. Nothing
        # else arrives.
        for _, a in drain_alerts(sub, 500):
            self.assertIn(a, list(missed.alerts))
        # Paging and the level filter.
        first = live[0][1].seq
        page = self.d.alerts(since=first - 1, limit=2)
        self.assertEqual([a.seq for a in page.alerts], [first, first + 1])
        self.assertTrue(page.more)
        page = self.d.alerts(since=first + 1, limit=100)
        self.assertEqual([a.seq for a in page.alerts], list(range(first + 2, last_seen + 6)))
        self.assertEqual([a.seq for a in self.d.alerts(since=0, level=pb.AMBER).alerts],
                         [last_seen + 5])
        self.assertEqual(len(self.d.alerts(since=0, level=pb.RED).alerts), 7)
        self.assertEqual(len(self.d.alerts(since=last_seen + 5).alerts), 0)
        # What comes next is live again and stored alike.
        self.raise_n(1, 20)
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(a.seq, last_seen + 6)
        self.check_alert(topic, a, pb.RED, "immediate-risk")

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
        self.assertEqual(c.chronology[1].agency, pb.HEALTH)
        self.assertEqual(c.chronology[0].occurred_at_ms, T0)
        self.assertGreater(c.chronology[0].seq, c.chronology[1].seq)  # sent second
        self.assertEqual([a.rule for a in c.alerts], ["multi-agency"])
        self.assertEqual(c.alerts[0].child_id, c.child_id)
        self.assertEqual(self.d.child(child_id=c.child_id).child.child_id, c.child_id)
        self.assertNotEqual(self.d.child(child_id="C99999999").error, "")
        self.assertNotEqual(self.d.child(nhs_number=nhs_number(99)).error, "")
        self.assertIn("nhs_number", self.d.child(nhs_number="123").error)

    def test_bad_control_requests(self):
        r = self.d.control(b"\xff\xff\xff")
        self.assertNotEqual(r.error, "")
        self.assertFalse(r.HasField("status"))
        r = self.d.control(pb.ControlRequest())
        self.assertNotEqual(r.error, "")
        r = self.d.control(pb.ControlRequest(alerts=pb.AlertsRequest(level=7)))
        self.assertIn("level", r.error)
        r = self.d.control(b"\x0a" + b"\x80\x80\x01" + b"x" * 16384)
        self.assertNotEqual(r.error, "")
        self.assertEqual(self.d.status().concerns, 0)


if __name__ == "__main__":
    main()
