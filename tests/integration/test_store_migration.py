"""Stores written by older ffcds open in this one: migrated once, every
concern, alert and chronology as the older ffcd answered them, and a new
concern judged together with the old ones.

- Format 1 (tests/fixtures/store-format-1: timeline entries without
  concern ids): migrated to 2 then 3; a new concern's alert's evidence
  names the old ones.
- Format 2 (tests/fixtures/store-format-2: households kept as pairs of
  children named together): the pairs become households with ids (a chain
  of pairs one household, a pair recorded under a child merged since the
  survivor's), and a new concern judges the household's toxic trio,
  raising RED for both children, each naming the sibling's concerns.
- Format 3 (tests/fixtures/store-format-3: a concern joining an alert's
  evidence rewrote the alert's record, and its history entry did not name
  it): read as it is, every alert's evidence and history as format 3
  answered them (an alert at its limit of 64 too), and a new concern
  joins an old alert's evidence through its history."""

import json
import os
import shutil

from google.protobuf import json_format

from ffctest import (DAY, SOURCE, T0, Daemon, DaemonTest, concern, drain_alerts, main,
                     nhs_number, pb, scratch_dir)

# Fields this ffcd answers that the older ones did not have, and the
# household, once the children named with this one and now its household's
# (a chain of pairs is one household): compared apart.
NEW_FIELDS = {"householdId", "childIds", "display", "timeline", "householdEvents", "scope",
              "household",
              # reminders the daemon sends once started, when the old alerts are overdue
              "overdueAtMs", "history", "viewedBy"}


def older(x):
    """x without the fields an older ffcd did not answer."""
    if isinstance(x, dict):
        return {k: older(v) for k, v in x.items() if k not in NEW_FIELDS}
    if isinstance(x, list):
        return [older(v) for v in x]
    return x


def overdue(x):
    """Is x an alert's overdue reminder (a history entry, or a timeline's
    change)?"""
    if not isinstance(x, dict):
        return False
    e = x.get("change", x)
    return e.get("event", e).get("action") == "OVERDUE"


def kept(x):
    """x without what an ffcd adds by itself once started on a store whose
    alerts are past due (their reminders), and the record's readers. A list
    left empty is dropped, as the JSON form leaves out an empty repeated
    field: which alerts are past due depends on when the test runs."""
    if isinstance(x, dict):
        out = {k: kept(v) for k, v in x.items() if k not in ("overdueAtMs", "viewedBy")}
        return {k: v for k, v in out.items() if v != []}
    if isinstance(x, list):
        return [kept(v) for v in x if not overdue(v)]
    return x


class Migration(DaemonTest):
    maxDiff = None
    FIXTURE = "store-format-1"
    VIEW = staticmethod(older)

    def setUp(self):
        data = os.path.join(scratch_dir(self), "data")
        os.makedirs(data, mode=0o700)
        fixture = os.path.join(SOURCE, "tests", "fixtures", self.FIXTURE)
        shutil.copyfile(os.path.join(fixture, "data.mdb"), os.path.join(data, "data.mdb"))
        with open(os.path.join(fixture, "expected.json")) as f:
            self.expected = self.VIEW(json.load(f))
        self.d = Daemon(data=data)
        self.addCleanup(self.d.close)
        self.d.start()

    def child(self, nhs):
        r = self.d.child(nhs_number=nhs)
        self.assertEqual(r.error, "", nhs)
        return r.child

    def alerts_answered(self):
        return self.d.all_alerts()

    def answered(self):
        got = {"alerts": [json_format.MessageToDict(a) for a in self.alerts_answered()],
               "children": {}}
        for nhs in self.expected["children"]:
            got["children"][nhs] = json_format.MessageToDict(self.child(nhs))
        return self.VIEW(got)

    def assert_intact(self, migrated):
        for line in migrated:
            self.assertIn(line, self.d.stderr())
        self.assertEqual(self.answered(), self.expected)
        # Once: a restart finds format 4 and migrates nothing.
        self.d.assert_stops_cleanly(self)
        self.d.start()
        for line in migrated:
            self.assertEqual(self.d.stderr().count(line), 1)
        self.assertEqual(self.answered(), self.expected)
        self.d.assert_stops_cleanly(self)


class FromFormat1(Migration):
    def test_everything_intact(self):
        self.assert_intact(["timeline entries migrated to format 2",
                            "household pairs migrated to format 3"])

    def test_new_concern_judged_with_old_ones(self):
        sub = self.d.subscribe(b"alert.")
        r = self.d.send_one(concern("d-health", agency=pb.HEALTH, at=T0 + 31 * DAY,
                                    children=[dict(nhs_number=nhs_number(3))]))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        ((topic, a),) = drain_alerts(sub)
        self.assertEqual((topic, a.level, a.rule), ("alert.amber.multi-agency", pb.AMBER,
                                                     "multi-agency"))
        self.assertEqual([(e.concern_id, e.agency, e.occurred_at_ms) for e in a.evidence],
                         [("d-police", pb.POLICE, T0 + 30 * DAY),
                          ("d-health", pb.HEALTH, T0 + 31 * DAY)])
        self.assertEqual(a.seq, len(self.expected["alerts"]) + 1)
        chron = self.child(nhs_number(3)).chronology
        self.assertEqual([e.concern_id for e in chron], ["d-police", "d-health"])
        self.d.assert_stops_cleanly(self)

    def test_household_of_a_pair(self):
        # Children A and B were named together in one concern.
        a, b = self.child(nhs_number(0)), self.child(nhs_number(1))
        self.assertTrue(a.household_id.startswith("H"))
        self.assertEqual(a.household_id, b.household_id)
        self.assertEqual([m.child_id for m in a.household], [b.child_id])
        self.d.assert_stops_cleanly(self)


class FromFormat2(Migration):
    FIXTURE = "store-format-2"

    def test_everything_intact(self):
        self.assert_intact(["4 household pairs migrated to format 3 (3 households)"])
        self.assertNotIn("timeline entries migrated", self.d.stderr())

    def test_pairs_become_households(self):
        hh = {n: self.child(nhs_number(n)).household_id for n in (0, 1, 2, 3, 4, 5, 6, 8)}
        # Ella and Noah; Pia, Quin and Rory (two pairs, one household);
        # Sam and Mo (the pair was recorded under the child merged into Mo).
        self.assertEqual(hh[0], hh[1])
        self.assertEqual(hh[2], hh[3])
        self.assertEqual(hh[3], hh[4])
        self.assertEqual(hh[5], hh[6])
        self.assertEqual(hh[8], "")  # Dan, named alone
        self.assertEqual(len({hh[0], hh[2], hh[5]}), 3)
        self.assertTrue(all(h.startswith("H000000") for h in (hh[0], hh[2], hh[5])))
        quin = self.child(nhs_number(3))
        self.assertEqual(sorted(m.child.given_name for m in quin.household), ["Pia", "Rory"])
        mo = self.child(nhs_number(6))
        self.assertEqual([m.child.given_name for m in mo.household], ["Sam"])
        # The family's view names both households' children.
        r = self.d.control(pb.ControlRequest(family=pb.FamilyRequest(household_id=hh[2])))
        self.assertEqual(r.error, "")
        self.assertEqual(sorted(m.child.given_name for m in r.family.members),
                         ["Pia", "Quin", "Rory"])
        self.d.assert_stops_cleanly(self)

    def test_household_rule_judges_the_migrated_household(self):
        # Format 2 judged the toxic trio per child: each had two of three
        # factors (AMBER). The household holds all three: the next concern
        # about either raises RED for both.
        sub = self.d.subscribe(b"alert.")
        r = self.d.send_one(concern("f-health-mh2", agency=pb.HEALTH, category=pb.MENTAL_HEALTH,
                                    at=T0 + 25 * DAY,
                                    children=[dict(nhs_number=nhs_number(1))]))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        red = {a.child.given_name: a for _, a in drain_alerts(sub) if a.rule == "toxic-trio"}
        self.assertEqual(sorted(red), ["Ella", "Noah"])
        ella = self.child(nhs_number(0))
        for name, a in red.items():
            self.assertEqual(a.level, pb.RED)
            self.assertEqual(a.scope, "household")
            self.assertEqual(a.household_id, ella.household_id)
            self.assertEqual(
                a.reason,
                "Domestic abuse (police, 1 Jan, Ella and Noah present), parental mental "
                "health (health, 9 Jan, recorded for Ella) and parental substance misuse "
                "(police, 21 Jan, recorded for Noah) within 90 days")
        self.d.assert_stops_cleanly(self)


class FromFormat3(Migration):
    FIXTURE = "store-format-3"
    VIEW = staticmethod(kept)

    def alerts_answered(self):
        r = self.d.control(pb.ControlRequest(alerts=pb.AlertsRequest(history=True)))
        self.assertEqual(r.error, "")
        self.assertFalse(r.alerts.more)
        return r.alerts.alerts

    def alert(self, alert_id):
        (a,) = [a for a in self.alerts_answered() if a.alert_id == alert_id]
        return a

    def test_everything_intact(self):
        # Ella's multi-agency AMBER lists the first 64 of its 72 concerns.
        ella = self.alert("A00000001")
        self.assertEqual(len(ella.evidence), 64)
        self.assertEqual(ella.evidence[63].concern_id, "ella-school-62")
        self.assert_intact(["store: format 3 brought to 4"])
        self.assertNotIn("migrated to format", self.d.stderr())

    def test_new_evidence_joins_an_old_alert(self):
        # Noah's AMBER, acknowledged then reopened under format 3, hears a
        # fourth concern: listed after the three its record holds, and
        # named by its history entry.
        sub = self.d.subscribe(b"event.evidence.")
        r = self.d.send_one(concern("noah-police-2", agency=pb.POLICE, at=T0 + 9 * DAY,
                                    severity=pb.LOW, children=[dict(nhs_number=nhs_number(1))]))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertTrue(sub.poll(5000))
        topic, body = sub.recv_multipart()
        self.assertEqual(topic, b"event.evidence.amber.multi-agency")
        self.assertEqual(pb.AlertChange.FromString(body).alert_id, "A00000003")
        for restart in (False, True):
            if restart:
                self.d.assert_stops_cleanly(self)
                self.d.start()
            a = self.alert("A00000003")
            self.assertEqual([e.concern_id for e in a.evidence],
                             ["noah-police", "noah-health", "noah-risk", "noah-police-2"])
            last = [h for h in a.history if h.action != pb.AlertEvent.OVERDUE][-1]
            self.assertEqual((last.action, last.concern.concern_id, last.concern.agency),
                             (pb.AlertEvent.EVIDENCE, "noah-police-2", pb.POLICE))
        self.d.assert_stops_cleanly(self)


del Migration

if __name__ == "__main__":
    main()
