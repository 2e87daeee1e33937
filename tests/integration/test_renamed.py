"""Children known to agencies under other names, through the real daemon
with the shipped configuration: "Mia-Rose Carter" at school and "Mia
Carter" to the police (a part of a double given name), "Jayden Reid" to
health and "Jayden Carter" to the police (another family name, same given
name, date of birth and postcode) are each listed by `ffcctl matches` with
their kind, and stay four children: nothing is linked."""

import json

from ffctest import DAY, DaemonTest, T0, concern, main, pb

MIA_ROSE = dict(given_name="Mia-Rose", family_name="Carter", date_of_birth="2016-09-03",
                postcode="LS9 7QT")
MIA = dict(given_name="Mia", family_name="Carter", date_of_birth="2016-09-03",
           postcode="ls9 7qt")
JAYDEN_REID = dict(given_name="Jayden", family_name="Reid", date_of_birth="2022-11-20",
                   postcode="LS9 7QT")
JAYDEN_CARTER = dict(given_name="Jayden", family_name="Carter", date_of_birth="2022-11-20",
                     postcode="LS9 7QT")


class Renamed(DaemonTest):
    def ctl(self, *args):
        r = self.d.tool("ffcctl", *args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_renamed_children_listed_never_linked(self):
        sent = [
            concern("school-1", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                    severity=pb.LOW, at=T0, children=[MIA_ROSE]),
            concern("health-1", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                    severity=pb.LOW, at=T0 + DAY, children=[JAYDEN_REID]),
            # One police concern names both: siblings, never each other's match.
            concern("police-1", agency=pb.POLICE, category=pb.DOMESTIC_ABUSE,
                    severity=pb.MODERATE, at=T0 + 2 * DAY, children=[MIA, JAYDEN_CARTER]),
        ]
        receipts = {r.concern_id: r for r in self.d.send(sent)}
        for r in receipts.values():
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        mia_rose = receipts["school-1"].child_ids[0]
        reid = receipts["health-1"].child_ids[0]
        mia, carter = receipts["police-1"].child_ids
        # Four children, each with its own one concern.
        self.assertEqual(len({mia_rose, reid, mia, carter}), 4)
        for cid in (mia_rose, reid, mia, carter):
            r = self.d.child(child_id=cid)
            self.assertEqual(r.error, "")
            self.assertEqual(len(r.child.chronology), 1)

        js = json.loads(self.ctl("--json", "matches"))
        got = {frozenset((m["child_id"], m["other_child_id"])): m for m in js["matches"]}
        self.assertEqual(set(got), {frozenset((mia_rose, mia)), frozenset((reid, carter))})
        part = got[frozenset((mia_rose, mia))]
        self.assertEqual(part["kind"], "GIVEN_NAME_PART")
        self.assertIn("given name MIA is a part of MIA ROSE", part["reason"])
        family = got[frozenset((reid, carter))]
        self.assertEqual(family["kind"], "DIFFERENT_FAMILY_NAME")
        self.assertIn("same given name JAYDEN, date of birth 2022-11-20 and postcode LS97QT",
                      family["reason"])
        self.assertIn("family names", family["reason"])

        text = self.ctl("matches")
        self.assertIn("given name a part of a double name", text)
        self.assertIn("different family name", text)
        self.assertIn("Mia-Rose", text)
        self.assertIn("Jayden", text)

        stats = self.d.stats()
        by_kind = {c.name: c.count for c in stats.matches_by_kind}
        self.assertEqual(by_kind.get("GIVEN_NAME_PART"), 1)
        self.assertEqual(by_kind.get("DIFFERENT_FAMILY_NAME"), 1)


if __name__ == "__main__":
    main()
