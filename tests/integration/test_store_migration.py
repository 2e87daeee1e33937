"""A store written by an older ffcd (format 1: timeline entries without
concern ids, tests/fixtures/store-format-1) opens in this one: migrated
once, every concern, alert and chronology as the older ffcd answered them,
and a new concern judged together with the old ones, its alert's evidence
naming them."""

import json
import os
import shutil

from google.protobuf import json_format

from ffctest import (DAY, SOURCE, T0, Daemon, DaemonTest, concern, drain_alerts, main,
                     nhs_number, pb, scratch_dir)

FIXTURE = os.path.join(SOURCE, "tests", "fixtures", "store-format-1")


class Migration(DaemonTest):
    maxDiff = None
    def setUp(self):
        data = os.path.join(scratch_dir(self), "data")
        os.makedirs(data, mode=0o700)
        shutil.copyfile(os.path.join(FIXTURE, "data.mdb"), os.path.join(data, "data.mdb"))
        with open(os.path.join(FIXTURE, "expected.json")) as f:
            self.expected = json.load(f)
        for child in self.expected["children"].values():
            child.pop("viewedBy", None)
        self.d = Daemon(data=data)
        self.addCleanup(self.d.close)
        self.d.start()

    def answered(self):
        got = {"alerts": [json_format.MessageToDict(a) for a in self.d.all_alerts()],
               "children": {}}
        for nhs in self.expected["children"]:
            r = self.d.child(nhs_number=nhs)
            self.assertEqual(r.error, "", nhs)
            got["children"][nhs] = json_format.MessageToDict(r.child)
            # Reads are audited: the lookups themselves are the difference.
            got["children"][nhs].pop("viewedBy", None)
        return got

    def test_everything_intact(self):
        self.assertIn("timeline entries migrated to format 2", self.d.stderr())
        self.assertEqual(self.answered(), self.expected)
        # Once: a restart finds format 2 and migrates nothing.
        self.d.assert_stops_cleanly(self)
        self.d.start()
        self.assertEqual(self.d.stderr().count("migrated to format 2"), 1)
        self.assertEqual(self.answered(), self.expected)
        self.d.assert_stops_cleanly(self)

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
        chron = self.d.child(nhs_number=nhs_number(3)).child.chronology
        self.assertEqual([e.concern_id for e in chron], ["d-police", "d-health"])
        self.d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
