"""Feedback to the referring agencies through the real ffcd, in curve
mode: when an alert is closed each agency whose concerns were its
evidence receives, on "feedback.<agency>" with its adapter key, its own
concern ids, the outcome and the lead practitioner with their contact,
and nothing of the other agencies'; another agency's key receives none of
it and may not fetch it; an agency catches up by seq; a practitioner's
contact, or else the MACPT's, is what it is given."""

import time

from ffctest import T0, DAY, main, nhs_number, pb
from schools import CurveTest, quiet, receive


def concern(cid, agency, category, at, nhs, **kw):
    c = pb.Concern(concern_id=cid, agency=agency, category=category, severity=pb.MODERATE,
                   occurred_at_ms=at, reported_at_ms=at, summary="private words of " + cid,
                   reporter="reporter of " + cid, **kw)
    c.children.add(nhs_number=nhs, given_name="Ella", family_name="Smith",
                   date_of_birth="2016-04-12")
    return c


class Feedback(CurveTest):
    def send(self, key, c):
        self.accepted(key, [c])

    def close(self, alert_id, outcome="strategy discussion"):
        r = self.d.ffcctl("worker", "close", alert_id, "--by", "Sam Jones", "--outcome",
                          outcome)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_each_agency_hears_its_own(self):
        police = self.d.subscriber("police", b"feedback.", b"alert.", b"notice.")
        health = self.d.subscriber("health", b"feedback.")
        education = self.d.subscriber("education", b"feedback.", b"feedback.police")
        console = self.d.subscriber("macpt", b"feedback.")
        time.sleep(0.5)
        nhs = nhs_number(40)
        self.send("police", concern("P-1", pb.POLICE, pb.NEGLECT, T0, nhs))
        self.send("police", concern("P-2", pb.POLICE, pb.NEGLECT, T0 + DAY, nhs))
        self.send("health", concern("H-1", pb.HEALTH, pb.WAS_NOT_BROUGHT, T0 + 2 * DAY, nhs))
        alerts = self.d.request("ops", pb.ControlRequest(alerts=pb.AlertsRequest())).alerts
        amber = [a for a in alerts.alerts if a.rule == "multi-agency"]
        self.assertEqual(len(amber), 1)
        child = amber[0].child_id
        # The lead practitioner, and how referrers reach her.
        r = self.d.ffcctl("worker", "assign", child, "--practitioner", "Pat Lee", "--by",
                          "Sam Jones")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.d.ffcctl("worker", "contact", "Pat Lee", "--contact",
                          "0113 496 0001, pat.lee@example.gov.uk")
        self.assertEqual(r.returncode, 0, r.stderr)
        # The police's own console, as an agency runs it.
        watch = self.d.watch("police", "--feedback", "police", "--count", "1")
        self.addCleanup(watch.kill)
        time.sleep(2)
        self.close(amber[0].alert_id)

        (t, f), = receive(police, 1, pb.Feedback)
        out, err = watch.communicate(timeout=60)
        self.assertEqual(watch.returncode, 0, err)
        self.assertIn("FEEDBACK %s POLICE: %s closed" % (f.feedback_id, amber[0].alert_id), out)
        self.assertIn("your concerns: P-1 P-2; lead practitioner: Pat Lee, 0113 496 0001", out)
        self.assertEqual(t, "feedback.police")
        self.assertEqual(f.agency, pb.POLICE)
        self.assertEqual(list(f.concern_ids), ["P-1", "P-2"])
        self.assertEqual((f.alert_id, f.outcome), (amber[0].alert_id, "strategy discussion"))
        self.assertEqual((f.lead_practitioner, f.lead_contact),
                         ("Pat Lee", "0113 496 0001, pat.lee@example.gov.uk"))
        self.assertGreater(f.closed_at_ms, 0)
        # Nothing of health's, nor any summary, reporter, child or rule.
        body = f.SerializeToString()
        for word in (b"H-1", b"HEALTH", b"private words", b"reporter of", b"Ella", child.encode(),
                     b"multi-agency"):
            self.assertNotIn(word, body)
        (t, h), = receive(health, 1, pb.Feedback)
        self.assertEqual((t, list(h.concern_ids), h.agency),
                         ("feedback.health", ["H-1"], pb.HEALTH))
        self.assertNotEqual(h.seq, f.seq)
        # The police key got its feedback only (no alert, no notice); the
        # education key and a console nothing at all.
        self.assertEqual(quiet(police), [])
        self.assertEqual(quiet(education), [])
        self.assertEqual(quiet(console), [])

        # Catching up: the police key fetches its own, and only its own.
        r = self.d.request("police", pb.ControlRequest(feedback=pb.FeedbackRequest()))
        self.assertEqual(r.error, "")
        self.assertEqual([x.feedback_id for x in r.feedback.feedback], [f.feedback_id])
        self.assertEqual(r.feedback.last_seq, 2)
        r = self.d.request("police", pb.ControlRequest(
            feedback=pb.FeedbackRequest(agency=pb.HEALTH)))
        self.assertEqual(r.error,
                         "feedback.agency: an adapter's key sees its own agency's feedback only")
        r = self.d.request("education", pb.ControlRequest(feedback=pb.FeedbackRequest()))
        self.assertEqual((r.error, list(r.feedback.feedback)), ("", []))
        r = self.d.request("police", pb.ControlRequest(
            feedback=pb.FeedbackRequest(since_seq=f.seq)))
        self.assertEqual(list(r.feedback.feedback), [])
        # A school's key may not; an operator sees every agency's.
        r = self.d.request("hillside-dsl", pb.ControlRequest(feedback=pb.FeedbackRequest()))
        self.assertIn("feedback: needs the practitioner role; hillside-dsl is a school", r.error)
        r = self.d.ffcctl("worker", "--json", "feedback")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.splitlines()), 2)
        r = self.d.ffcctl("police", "feedback")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("your concerns: P-1 P-2", r.stdout)
        self.assertIn("lead practitioner: Pat Lee, 0113 496 0001", r.stdout)

    def test_no_lead_then_the_macpts_contact_kept_across_a_restart(self):
        police = self.d.subscriber("police", b"feedback.police")
        time.sleep(0.5)
        nhs = nhs_number(41)
        # Immediate risk: RED at once, from the police alone.
        c = concern("P-9", pb.POLICE, pb.PHYSICAL_ABUSE, T0, nhs)
        c.severity = pb.IMMEDIATE_RISK
        self.send("police", c)
        red = self.d.request("ops", pb.ControlRequest(alerts=pb.AlertsRequest())).alerts.alerts
        self.close(red[0].alert_id, "no further action")
        (t, f), = receive(police, 1, pb.Feedback)
        self.assertEqual((list(f.concern_ids), f.outcome, f.lead_practitioner),
                         (["P-9"], "no further action", ""))
        self.assertEqual(f.lead_contact, "MACPT duty desk, 0113 496 0000")
        # Feedback is stored with the closing: after a restart it is
        # fetched the same, and the counts say so.
        self.assertEqual(self.d.stop(), 0)
        self.d.start()
        r = self.d.request("police", pb.ControlRequest(feedback=pb.FeedbackRequest()))
        self.assertEqual([x.feedback_id for x in r.feedback.feedback], [f.feedback_id])
        st = self.d.request("ops", pb.ControlRequest(stats=pb.StatsRequest())).stats
        self.assertEqual(st.feedback, 1)
        # A refused closing sends nothing.
        r = self.d.ffcctl("worker", "close", red[0].alert_id, "--by", "Sam", "--outcome",
                          "no further action")
        self.assertIn("already closed", r.stderr)
        self.assertEqual(quiet(police), [])


if __name__ == "__main__":
    main()
