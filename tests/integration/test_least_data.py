"""Least data on the broadcast channel, through the real ffcd: everything
published on the alerts socket (alert., overdue. and event. topics) and the
control socket's plain alerts listing name the child by child_id, names and
date of birth only, never by NHS number, UPN, local id or postcode, and
never carry a concern's summary or a note's text; the child's record, read
one child at a time, keeps all of it."""

import os
import time
import unittest

import zmq

from ffctest import concern, main, nhs_number, pb, scratch_dir, start_daemon

RED_S = 2  # the RED response time, so an overdue reminder comes within seconds

NHS = nhs_number(7)
UPN = "A123456789012"
LOCAL = "MIS-77421"
POSTCODE = "LS1 4AP"
SUMMARY = "Disclosed to her teacher that her stepfather hits her"
NOTE = "Spoke to the designated safeguarding lead at the school"
STORED_POSTCODE = "LS14AP"  # as ffcd keeps it, normalised
SECRETS = (NHS, UPN, LOCAL, POSTCODE, STORED_POSTCODE, SUMMARY, NOTE)
CHILD = dict(nhs_number=NHS, upn=UPN, local_id=LOCAL, given_name="Ella", family_name="Smith",
             date_of_birth="2016-04-12", postcode=POSTCODE)


class LeastData(unittest.TestCase):
    def setUp(self):
        self.conf = os.path.join(scratch_dir(self), "ffcd.conf")
        with open(self.conf, "w") as f:
            f.write("alerts: { response_seconds = { red = %d; amber = 3600; }; };\n" % RED_S)
        self.d = start_daemon(self, conf=self.conf)

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def assert_none_of_the_secrets(self, data, what):
        for s in SECRETS:
            self.assertNotIn(s.encode(), data, "%s carries %r" % (what, s))

    def control_raw(self, req):
        if not req.purpose:
            req.purpose = "checking what the listing carries"
        s = self.d.socket(zmq.DEALER)
        s.connect(self.d.control_ep)
        try:
            s.send(req.SerializeToString())
            self.assertTrue(s.poll(10000), "no control reply")
            return s.recv()
        finally:
            s.close()

    def test_broadcast_and_listing_carry_names_and_date_of_birth_only(self):
        sub = self.d.subscribe(b"")  # every topic: alerts, reminders, events, heartbeat
        c = concern("school-1", agency=pb.EDUCATION, category=pb.PHYSICAL_ABUSE,
                    severity=pb.IMMEDIATE_RISK, children=[CHILD], summary=SUMMARY,
                    reporter="Class teacher")
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)

        seen = {}
        deadline = time.time() + RED_S + 8
        while time.time() < deadline and not ("overdue." in seen and "event." in seen):
            if not sub.poll(200):
                continue
            topic, body = sub.recv_multipart()
            topic = topic.decode()
            self.assert_none_of_the_secrets(body, topic)
            prefix = topic.split(".")[0] + "."
            seen.setdefault(prefix, []).append((topic, body))
            if prefix == "overdue.":
                # Now a note on the alert: its event goes out without the text.
                reply = self.d.control(pb.ControlRequest(note=pb.NoteRequest(
                    alert_id="A00000001", by="Sam Jones", text=NOTE)))
                self.assertEqual(reply.error, "")
        self.assertIn("alert.", seen)
        self.assertIn("overdue.", seen)
        self.assertIn("event.", seen)

        topic, body = seen["alert."][0]
        self.assertEqual(topic, "alert.red.immediate-risk")
        for _, body in seen["alert."] + seen["overdue."]:
            a = pb.Alert()
            a.ParseFromString(body)
            # What a console triages with.
            self.assertEqual((a.child.given_name, a.child.family_name, a.child.date_of_birth),
                             ("Ella", "Smith", "2016-04-12"))
            self.assertEqual((a.child.nhs_number, a.child.upn, a.child.local_id,
                              a.child.postcode), ("", "", "", ""))
            self.assertNotEqual(a.child_id, "")
            self.assertEqual(a.level, pb.RED)
            self.assertEqual(a.rule, "immediate-risk")
            self.assertNotEqual(a.reason, "")
            self.assertEqual([(e.agency, e.concern_id, e.category, e.severity,
                               e.occurred_at_ms) for e in a.evidence],
                             [(pb.EDUCATION, "school-1", pb.PHYSICAL_ABUSE, pb.IMMEDIATE_RISK,
                               c.occurred_at_ms)])
            self.assertEqual(len(a.history), 0)

        # Catching up on the control socket: the same broadcast data,
        # with the history asked for or not.
        for history in (False, True):
            raw = self.control_raw(pb.ControlRequest(alerts=pb.AlertsRequest(history=history)))
            # (a note's text is in the history only when asked for)
            self.assert_none_of_the_secrets(raw.replace(NOTE.encode(), b"") if history else raw,
                                            "alerts listing")
            listing = pb.ControlReply()
            listing.ParseFromString(raw)
            self.assertEqual(len(listing.alerts.alerts), 1)
            self.assertEqual(listing.alerts.alerts[0].child.family_name, "Smith")
            self.assertEqual(listing.alerts.alerts[0].child.nhs_number, "")
        raw = self.control_raw(pb.ControlRequest(alerts=pb.AlertsRequest(overdue=True)))
        self.assert_none_of_the_secrets(raw, "overdue listing")
        overdue = pb.ControlReply()
        overdue.ParseFromString(raw)
        self.assertEqual([a.alert_id for a in overdue.alerts.alerts], ["A00000001"])

        # The child's record, one child at a time, keeps everything.
        child = self.d.child(nhs_number=NHS)
        self.assertEqual(child.error, "")
        raw = child.SerializeToString()
        for s in (NHS, UPN, LOCAL, STORED_POSTCODE, SUMMARY):
            self.assertIn(s.encode(), raw, "the child's record lacks %r" % s)
        self.assertEqual(child.child.alerts[0].child.nhs_number, NHS)
        self.assertEqual(child.child.chronology[0].summary, SUMMARY)


if __name__ == "__main__":
    main()
