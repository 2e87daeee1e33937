"""Social care's status of a child through the real ffcd with the shipped
configuration: a ChildStatus sent in a Concern frame (field 14 alone) is
accepted with a receipt after commit, idempotent by status_id (a resend is
DUPLICATE, a later version ACCEPTED, other content under an old time
REJECTED), linked to the child by the same identity rules as a concern,
shown in the child's record and kept across a kill -9; every field
validated with a receipt naming it; only a social care key may send one;
a bare Concern from an existing adapter is answered byte for byte as
before; the shipped on-plan-not-seen rule raises AMBER on one
was-not-brought for a child on a plan and not for one without, stops
counting from the plan's end date, and judges a concern once a plan that
covers it arrives later; `ffcctl rules test` judges status rules on the
stored history, and a rule's status terms are checked."""

import json
import os
import subprocess
import time

import zmq

from ffctest import (BIN, T0, DaemonTest, concern, drain_alerts, len_field, main, nhs_number,
                     pb, scratch_dir, start_daemon, upn, varint)
from test_security import Keys, security_conf

DAY = 86400 * 1000
ELLA_NHS = nhs_number(1)


def status(sid, nhs=ELLA_NHS, start="2025-11-03", end="", recorded=T0, **kw):
    """A child protection plan (neglect) for the child of nhs; kw sets
    any other field."""
    fields = dict(status_id=sid, source_system="LCS", kind=pb.CHILD_PROTECTION_PLAN,
                  category=pb.PLAN_NEGLECT, start_date=start, end_date=end,
                  local_authority="Leeds City Council", social_worker="Sam Patel",
                  social_worker_role="Social worker", social_worker_contact="0113 000 0000",
                  recorded_at_ms=recorded)
    fields.update(kw)
    s = pb.ChildStatus(**fields)
    if nhs:
        s.child.nhs_number = nhs
    return s


def frame(s):
    """A social care adapter's frame: a Concern holding only the status."""
    return pb.Concern(child_status=s)


def not_brought(cid, n, at, agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT):
    return concern(cid, agency=agency, category=category, severity=pb.LOW, at=at,
                   children=[dict(nhs_number=nhs_number(n))])


class Status(DaemonTest):
    def accept(self, msg):
        r = self.d.send_one(msg)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        return r

    def rejected(self, msg, error):
        r = self.d.send_one(msg)
        self.assertEqual(r.status, pb.Receipt.REJECTED)
        self.assertEqual(r.error, error)
        return r

    def test_status_accepted_idempotent_linked_and_shown(self):
        # Health knows Ella by NHS number; social care sends her plan with
        # its own person id too: one child.
        h = self.accept(not_brought("h-1", 1, T0 - 40 * DAY, category=pb.INJURY))
        s = status("LCS-CP-1")
        s.child.local_id = "LCS-77"
        s.child.given_name, s.child.family_name = "Ella", "Brown"
        r = self.accept(frame(s))
        self.assertEqual(r.status_id, "LCS-CP-1")
        self.assertEqual(r.concern_id, "")
        self.assertEqual(r.seq, 1)
        self.assertEqual(list(r.child_ids), list(h.child_ids))
        child = r.child_ids[0]

        # Sent again, the same: DUPLICATE with the same seq and child.
        again = self.d.send_one(frame(s))
        self.assertEqual((again.status, again.seq, list(again.child_ids), again.status_id),
                         (pb.Receipt.DUPLICATE, 1, [child], "LCS-CP-1"))
        # Other content under the same recorded time: refused, named.
        changed = pb.ChildStatus()
        changed.CopyFrom(s)
        changed.social_worker_contact = "0113 999 9999"
        self.rejected(frame(changed), "status_id: reused with different content (a new "
                      "version needs a later recorded_at_ms)")
        # A later version: the new contact. Another kind: refused.
        changed.recorded_at_ms = T0 + 1
        v2 = self.accept(frame(changed))
        self.assertEqual((v2.seq, list(v2.child_ids)), (2, [child]))
        other = pb.ChildStatus()
        other.CopyFrom(changed)
        other.kind, other.category = pb.CHILD_IN_NEED, 0
        other.recorded_at_ms = T0 + 2
        self.rejected(frame(other), "kind: not the kind stored under this status_id (a new "
                      "kind needs a new status_id)")
        # The first version resent still finds itself.
        self.assertEqual(self.d.send_one(frame(s)).status, pb.Receipt.DUPLICATE)

        # Known by the school's UPN only through a concern naming both:
        # the status follows the child.
        self.accept(concern("e-1", agency=pb.EDUCATION, category=pb.OTHER_CONCERN,
                            severity=pb.LOW, at=T0 - 30 * DAY,
                            children=[dict(nhs_number=ELLA_NHS, upn=upn(1))]))
        record = self.d.child(upn=upn(1)).child
        self.assertEqual(record.child_id, child)
        self.assertEqual([(x.seq, x.superseded_by, x.in_force) for x in record.statuses],
                         [(1, 2, False), (2, 0, True)])
        latest = record.statuses[1].status
        self.assertEqual(latest.social_worker_contact, "0113 999 9999")
        self.assertEqual(latest.kind, pb.CHILD_PROTECTION_PLAN)
        self.assertEqual(latest.category, pb.PLAN_NEGLECT)
        self.assertIn("SOCIAL_CARE", [pb.Agency.Name(i.agency) for i in record.identity_records])

        text = self.d.tool("ffcctl", "child", child).stdout
        self.assertIn("social care status (2, by start date)", text)
        self.assertIn("2025-11-03 to now  CHILD_PROTECTION_PLAN (PLAN_NEGLECT)  Leeds City "
                      "Council  IN FORCE", text)
        self.assertIn("social worker Sam Patel, Social worker (0113 999 9999)", text)
        self.assertIn("status LCS-CP-1, seq 1", text)
        self.assertIn("superseded by seq 2", text)
        self.assertIn("(a social care status)", text)
        js = json.loads(self.d.tool("ffcctl", "--json", "child", child).stdout)
        self.assertEqual(js["statuses"][1]["status"]["status_id"], "LCS-CP-1")
        st = self.d.stats()
        self.assertEqual(st.child_statuses, 2)
        self.assertEqual(st.children, 1)

        # The receipt was a promise: after kill -9, the same is DUPLICATE.
        self.d.kill()
        self.d.start()
        again = self.d.send_one(frame(changed))
        self.assertEqual((again.status, again.seq), (pb.Receipt.DUPLICATE, 2))

    def test_a_status_alone_names_a_new_child(self):
        # An unborn baby known to social care only: a child of its own,
        # found later by a concern naming the same local id... of another
        # agency it is not (local ids are each agency's).
        s = status("LCS-PB-9", nhs="", kind=pb.PRE_BIRTH_PLAN, category=0)
        s.child.local_id = "unborn-9"
        r = self.accept(frame(s))
        c = self.accept(concern("p-9", agency=pb.POLICE, category=pb.DOMESTIC_ABUSE,
                                children=[dict(local_id="unborn-9")]))
        self.assertNotEqual(r.child_ids[0], c.child_ids[0])
        # Sent under social care's id again, a concern finds the same child.
        c = self.accept(concern("sc-9", agency=pb.SOCIAL_CARE, category=pb.NEGLECT,
                                children=[dict(local_id="unborn-9")]))
        self.assertEqual(r.child_ids[0], c.child_ids[0])

    def test_a_merge_brings_the_status_and_an_unlink_takes_it_back(self):
        # Social care knows the child by its own id, health by NHS number:
        # two children, and the missed appointment is routine.
        s = status("CP-88", nhs="")
        s.child.local_id = "LCS-88"
        sc = self.accept(frame(s)).child_ids[0]
        h = self.accept(not_brought("wnb-88", 9, T0)).child_ids[0]
        self.assertNotEqual(sc, h)
        self.assertEqual(self.d.all_alerts(), [])
        # A social care concern names both: one child, on a plan, judged
        # whole.
        self.accept(concern("sc-88", agency=pb.SOCIAL_CARE, category=pb.NEGLECT,
                            severity=pb.LOW, at=T0 - 5 * DAY,
                            children=[dict(nhs_number=nhs_number(9), local_id="LCS-88")]))
        (a,) = [x for x in self.d.all_alerts() if x.rule == "on-plan-not-seen"]
        self.assertEqual(a.child_id, min(sc, h))
        self.assertIn("merged into", a.reason)
        merged = self.d.child(child_id=h).child
        self.assertEqual([x.status.status_id for x in merged.statuses], ["CP-88"])
        # The social care record was a wrong link: it leaves with its status.
        r = self.d.tool("ffcctl", "--operator", "j.doe", "unlink", merged.child_id,
                        "local:SOCIAL_CARE:LCS-88",
                        "--reason", "another child")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.d.child(nhs_number=nhs_number(9)).child.statuses), 0)
        records = [self.d.child(child_id="C%08d" % n).child for n in (1, 2, 3)]
        holders = [c.child_id for c in records if c.statuses]
        self.assertEqual(len(holders), 1)
        self.assertNotEqual(holders[0], self.d.child(nhs_number=nhs_number(9)).child.child_id)

    def test_every_field_is_validated(self):
        cases = [
            (dict(status_id=""), "status_id: empty"),
            (dict(kind=0), "kind: unspecified"),
            (dict(kind=9), "kind: unknown value 9"),
            (dict(category=0), "category: required for a child protection plan (neglect, "
             "physical abuse, emotional abuse, sexual abuse or multiple)"),
            (dict(kind=pb.LOOKED_AFTER, category=0),
             "legal_status: required for a looked-after child"),
            (dict(legal_status=pb.CARE_ORDER), "legal_status: only for a looked-after child"),
            (dict(start="2025-02-30"), "start_date: not a real date"),
            (dict(start=""), "start_date: missing"),
            (dict(end="2025-11-01"), "end_date: before start_date"),
            (dict(end="2999-01-01"), "end_date: in the future"),
            (dict(recorded=0), "recorded_at_ms: missing"),
            (dict(nhs="9434765918"), "child.nhs_number: check digit mismatch"),
            (dict(nhs=""), "child: no usable identity (need nhs_number, upn, local_id, or "
             "family_name and date_of_birth)"),
        ]
        for kw, error in cases:
            self.rejected(frame(status(kw.pop("status_id", "bad"), **kw)), error)
        s = status("bad")
        s.local_authority = ""
        self.rejected(frame(s), "local_authority: missing")
        # Both a concern and a status in one frame: neither is stored.
        both = not_brought("h-both", 1, T0)
        both.child_status.CopyFrom(status("both"))
        self.rejected(both, "child_status: sent with concern fields; a frame holds a concern "
                      "or a status, not both")
        # A NUL inside a status's string, written by hand.
        bad = len_field(14, len_field(1, b"x") + len_field(9, b"Leeds\x00City"))
        r = self.d.send_raw(bad)
        receipt = pb.Receipt.FromString(r)
        self.assertEqual(receipt.error, "child_status.local_authority: contains a NUL byte")
        self.assertEqual(receipt.status_id, "x")
        # Bytes that are no message at all.
        r = pb.Receipt.FromString(self.d.send_raw(b"\x72\xff\x01"))
        self.assertEqual(r.error, "frame: not a serialized ffc.v1.Concern")
        self.assertEqual(self.d.stats().child_statuses, 0)
        self.assertEqual(self.d.stats().children, 0)

    def test_bare_concern_answered_byte_for_byte_as_before(self):
        # The receipt an existing adapter gets: fields 1, 2, 4 and 5 only,
        # exactly as before there was a field 6 (written out by hand).
        raw = self.d.send_raw(not_brought("H-100", 3, T0).SerializeToString())
        want = (len_field(1, b"H-100") + varint(2 << 3) + varint(1) + varint(4 << 3) +
                varint(1) + len_field(5, b"C00000001"))
        self.assertEqual(raw, want)
        raw = self.d.send_raw(not_brought("H-100", 3, T0).SerializeToString())
        self.assertEqual(raw, len_field(1, b"H-100") + varint(2 << 3) + varint(2) +
                         varint(4 << 3) + varint(1) + len_field(5, b"C00000001"))
        bad = not_brought("H-101", 3, T0)
        bad.children[0].nhs_number = "9434765918"
        raw = self.d.send_raw(bad.SerializeToString())
        self.assertEqual(raw, len_field(1, b"H-101") + varint(2 << 3) + varint(3) +
                         len_field(3, b"children[0].nhs_number: check digit mismatch"))
        # A REQ adapter in lock-step, as deployed: the same.
        s = self.d.socket(zmq.REQ)
        s.connect(self.d.ingest_ep)
        s.send(not_brought("H-102", 3, T0 + 1).SerializeToString())
        self.assertTrue(s.poll(10000))
        self.assertEqual(s.recv(), len_field(1, b"H-102") + varint(2 << 3) + varint(1) +
                         varint(4 << 3) + varint(2) + len_field(5, b"C00000001"))

    def subscribe(self):
        """Alerts and their events, without the heartbeat."""
        sub = self.d.subscribe(b"alert.")
        sub.setsockopt(zmq.SUBSCRIBE, b"event.")
        time.sleep(0.3)
        return sub

    def receive(self, sub):
        out = []
        while sub.poll(800):
            topic, body = sub.recv_multipart()
            out.append((topic.decode(), body))
        return out

    def test_shipped_rule_raises_amber_for_a_child_on_a_plan(self):
        sub = self.subscribe()
        self.accept(frame(status("CP-1", nhs=nhs_number(1))))
        # One missed appointment for a child on a plan, one for a child on none.
        on_plan = self.accept(not_brought("wnb-1", 1, T0))
        self.accept(not_brought("wnb-2", 2, T0))
        got = [(t, b) for t, b in self.receive(sub) if t.startswith("alert.")]
        self.assertEqual([t for t, _ in got], ["alert.amber.on-plan-not-seen"])
        a = pb.Alert.FromString(got[0][1])
        self.assertEqual(a.child_id, on_plan.child_ids[0])
        self.assertEqual(a.reason, "Was not brought to health appointments (health, 1 Jan), "
                         "low; the child was on a child protection plan")
        self.assertEqual([e.concern_id for e in a.evidence], ["wnb-1"])
        # An absence from school joins the open alert's evidence.
        self.accept(not_brought("abs-1", 1, T0 + DAY, agency=pb.EDUCATION,
                                category=pb.EDUCATION_ABSENCE))
        topics = [t for t, _ in self.receive(sub)]
        self.assertIn("event.evidence.amber.on-plan-not-seen", topics)
        self.assertNotIn("alert.amber.on-plan-not-seen", topics)
        # (Health and education within 30 days: multi-agency too.)
        self.assertEqual(sorted(x.rule for x in self.d.all_alerts()),
                         ["multi-agency", "on-plan-not-seen"])

    def test_a_plans_end_stops_it_counting(self):
        self.accept(frame(status("CP-2", nhs=nhs_number(4), start="2025-10-01",
                                 end="2025-12-15")))
        # After the end date: routine, nothing. Before it: AMBER.
        self.accept(not_brought("late", 4, T0))
        self.assertEqual(self.d.all_alerts(), [])
        self.accept(not_brought("during", 4, T0 - 20 * DAY))
        self.assertEqual([(a.rule, [e.concern_id for e in a.evidence])
                          for a in self.d.all_alerts()], [("on-plan-not-seen", ["during"])])
        # On the end date itself it no longer counts.
        self.accept(not_brought("end-day", 4, T0 - 17 * DAY + 3600 * 1000))
        self.assertEqual(len(self.d.all_alerts()), 1)
        self.assertEqual([c.concern_id for c in self.d.all_alerts()[0].evidence], ["during"])

    def test_a_plan_arriving_late_judges_what_it_covers_once(self):
        # The concern first, the plan covering its day after: AMBER then.
        sub = self.d.subscribe(b"alert.")
        self.accept(not_brought("before", 5, T0))
        self.assertEqual(self.d.all_alerts(), [])
        self.accept(frame(status("CP-5", nhs=nhs_number(5), start="2025-12-01")))
        (topic, a), = drain_alerts(sub)
        self.assertEqual(topic, "alert.amber.on-plan-not-seen")
        self.assertEqual([e.concern_id for e in a.evidence], ["before"])
        self.assertTrue(a.reason.endswith("(after social care's status of the child was "
                                          "received)"), a.reason)
        # The plan resent, updated, or closed and reopened: nothing again.
        self.assertEqual(self.d.send_one(frame(status("CP-5", nhs=nhs_number(5),
                                                      start="2025-12-01"))).status,
                         pb.Receipt.DUPLICATE)
        self.accept(frame(status("CP-5", nhs=nhs_number(5), start="2025-12-01",
                                 recorded=T0 + 1, social_worker="Jo Hall")))
        closed = self.d.control(pb.ControlRequest(close=pb.CloseRequest(
            alert_id=a.alert_id, by="Pat Lee", outcome="no further action")))
        self.assertEqual(closed.error, "")
        self.accept(frame(status("CP-5", nhs=nhs_number(5), start="2025-12-01",
                                 recorded=T0 + 2, social_worker="Jo Hall",
                                 social_worker_contact="0113 1")))
        # Ended before the concern, then in force again: it counts again,
        # and the closed alert already cites it.
        self.accept(frame(status("CP-5", nhs=nhs_number(5), start="2025-12-01",
                                 end="2025-12-20", recorded=T0 + 3)))
        self.accept(frame(status("CP-5", nhs=nhs_number(5), start="2025-12-01",
                                 recorded=T0 + 4)))
        self.assertEqual(drain_alerts(sub), [])
        self.assertEqual(len(self.d.all_alerts()), 1)
        # A plan that does not cover the concern's day raises nothing.
        self.accept(not_brought("before-6", 6, T0 - 60 * DAY))
        self.accept(frame(status("CP-6", nhs=nhs_number(6), start="2025-12-01")))
        self.assertEqual(drain_alerts(sub), [])

    def test_rules_test_judges_status_rules(self):
        self.accept(frame(status("CP-7", nhs=nhs_number(7))))
        self.accept(not_brought("wnb-7", 7, T0))
        self.accept(not_brought("wnb-8", 8, T0))
        kid7 = self.d.child(nhs_number=nhs_number(7)).child.child_id
        kid8 = self.d.child(nhs_number=nhs_number(8)).child.child_id
        with open(os.path.join(os.environ["FFC_SOURCE"], "conf", "ffcd.conf")) as f:
            conf = f.read()
        cdir = scratch_dir(self)
        # The shipped file judges alike; a physical-abuse plan only loses
        # the neglect plan's child; unless looked after gains none on a
        # plan, and a rule for every child not on a plan gains child 8.
        same = os.path.join(cdir, "same.conf")
        with open(same, "w") as f:
            f.write(conf)
        out = json.loads(self.d.tool("ffcctl", "--json", "rules", "test", same).stdout)
        self.assertEqual((out["gained"], out["lost"]), ([], []))
        rows = {(c["rule"], c["level"]): c for c in out["counts"]}
        self.assertEqual(rows[("on-plan-not-seen", "AMBER")]["in_force"], 1)
        narrow = os.path.join(cdir, "narrow.conf")
        with open(narrow, "w") as f:
            f.write(conf.replace('when_status = ["child-protection-plan"];',
                                 'when_status = ["child-protection-plan:physical-abuse"];'))
        out = json.loads(self.d.tool("ffcctl", "--json", "rules", "test", narrow).stdout)
        self.assertEqual([(o["child_id"], o["rule"]) for o in out["lost"]],
                         [(kid7, "on-plan-not-seen")])
        self.assertEqual(out["gained"], [])
        flipped = os.path.join(cdir, "flipped.conf")
        with open(flipped, "w") as f:
            f.write(conf.replace('when_status = ["child-protection-plan"];',
                                 'unless_status = ["child-protection-plan", "looked-after"];'))
        r = self.d.tool("ffcctl", "rules", "test", flipped)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(self.d.tool("ffcctl", "--json", "rules", "test", flipped).stdout)
        self.assertEqual([(o["child_id"], o["rule"]) for o in out["gained"]],
                         [(kid8, "on-plan-not-seen")])
        self.assertEqual([(o["child_id"], o["rule"]) for o in out["lost"]],
                         [(kid7, "on-plan-not-seen")])
        # Terms are checked, each at its line.
        bad = os.path.join(cdir, "bad.conf")
        with open(bad, "w") as f:
            f.write("rules = (\n  { name = \"x\"; kind = \"any\"; level = \"amber\";\n"
                    "    when_status = [\"on-a-plan\"]; },\n"
                    "  { name = \"y\"; kind = \"any\"; level = \"amber\";\n"
                    "    when_status = [\"looked-after\"]; unless_status = [\"looked-after\"]; }\n"
                    ");\n")
        r = subprocess.run([os.path.join(BIN, "ffcd"), "-n", "-c", bad], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("%s:3: rules[0].when_status[0]: 'on-a-plan' is not a known social care "
                      "status" % bad, r.stderr)
        self.assertIn("%s:4: rules[1] (y): when_status and unless_status name the same status"
                      % bad, r.stderr)


class Sender(DaemonTest):
    def test_ffc_send_sends_statuses_from_json_lines(self):
        """The social care adapter side as README shows it: JSON Lines
        through ffc-send, a status matched by its status_id."""
        path = os.path.join(scratch_dir(self), "statuses.jsonl")
        with open(path, "w") as f:
            f.write('{"child_status": {"status_id": "LCS-CP-0042", "source_system": "LCS", '
                    '"child": {"nhs_number": "943 476 5919", "local_id": "LCS-77"}, '
                    '"kind": "CHILD_PROTECTION_PLAN", "category": "PLAN_NEGLECT", '
                    '"start_date": "2025-11-03", "local_authority": "Leeds City Council", '
                    '"social_worker": "Sam Patel", "recorded_at": "2025-11-03T16:20:00Z"}}\n'
                    '{"child_status": {"status_id": "LCS-X", "child": {"local_id": "L-1"}, '
                    '"start_date": "2025-11-03", "local_authority": "Leeds", '
                    '"recorded_at": "2025-11-03"}}\n'
                    '{"concern_id": "H-1", "agency": "HEALTH", "category": "WAS_NOT_BROUGHT", '
                    '"severity": "LOW", "occurred_at": "2025-12-01", '
                    '"children": [{"nhs_number": "9434765919"}]}\n')
        r = self.d.tool("ffc-send", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("line 2: LCS-X: kind: unspecified", r.stderr)
        self.assertIn("3 concerns: 2 accepted, 0 duplicate, 1 rejected", r.stdout)
        record = self.d.child(nhs_number="9434765919").child
        self.assertEqual([x.status.status_id for x in record.statuses], ["LCS-CP-0042"])
        self.assertEqual(record.statuses[0].status.recorded_at_ms, 1762186800000)
        self.assertEqual([a.rule for a in self.d.all_alerts()], ["on-plan-not-seen"])
        r = self.d.tool("ffc-send", path)
        self.assertIn("3 concerns: 0 accepted, 2 duplicate, 1 rejected", r.stdout)


class SocialCareKeysOnly(DaemonTest):
    """In curve mode a status comes from a key bound to social care only."""

    def setUp(self):
        self.dir = scratch_dir(self)
        self.keys = Keys()
        self.conf = security_conf(self.dir, self.keys, [
            ("social-care", "adapter", {"agency": '"social-care"'}),
            ("school", "adapter", {"agency": '"education"'}),
        ])
        self.d = start_daemon(self, conf=self.conf)

    def send_as(self, name, msg):
        s = self.d.socket(zmq.DEALER)
        s.curve_publickey, s.curve_secretkey = self.keys[name]
        s.curve_serverkey = self.keys["ffcd"][0]
        s.connect(self.d.ingest_ep)
        s.send(msg.SerializeToString())
        self.assertTrue(s.poll(10000), "no receipt")
        return pb.Receipt.FromString(s.recv())

    def test_only_a_social_care_key_sends_a_status(self):
        r = self.send_as("school", frame(status("CP-1")))
        self.assertEqual(r.status, pb.Receipt.REJECTED)
        self.assertEqual(r.error, "child_status: only a social care adapter may send a status")
        self.assertEqual(self.d.stats().child_statuses, 0)
        r = self.send_as("social-care", frame(status("CP-1")))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        # The school's concerns are answered as before.
        r = self.send_as("school", not_brought("abs-1", 1, T0, agency=pb.EDUCATION,
                                               category=pb.EDUCATION_ABSENCE))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertEqual([a.rule for a in self.d.all_alerts()], ["on-plan-not-seen"])


if __name__ == "__main__":
    main()
