"""The family, not only the child, through the real ffcd with the shipped
configuration: Mia (9) and Jayden (3), as conf/samples/family.jsonl sends
them.

- The police report domestic abuse with both children present, and later
  the mother's partner for drugs naming Mia only; a health visitor records
  the mother's low mood against "Jayden Reid" (his father's surname), the
  school names "Mia-Rose Carter". Four children: the two near misses are
  both listed by `ffcctl matches`, and nothing is linked.
- The police children are one household: toxic-trio AMBER for both.
  Once an operator links Jayden Reid to Jayden Carter, the household holds
  all three parental factors within 90 days: toxic-trio RED for both, each
  alert naming the sibling whose concern is evidence.
- `ffcctl ack --household` acknowledges every open alert of the family,
  one audited, published change each.
- An emergency department reports an injury to Jayden with IMMEDIATE_RISK:
  it is published at once on event.evidence.* (and reopens the
  acknowledged alert), and ffc-watch prints it.
- `ffcctl family` gives one timeline, each concern once naming its
  children; each child has one display name everywhere, before and after
  a merge."""

import json
import os
import subprocess
import time

from ffctest import BIN, SOURCE, DaemonTest, main, pb, wait_for

SAMPLE = os.path.join(SOURCE, "conf", "samples", "family.jsonl")
JAYDEN_NHS = "4003641477"
REASON_RED = ("Domestic abuse (police, 12 Mar, Mia and Jayden present), parental mental "
              "health (health, 20 Mar, recorded for Jayden) and parental substance misuse "
              "(police, 2 Apr, recorded for Mia) within 90 days")


def name(identity):
    return ("%s %s" % (identity.given_name, identity.family_name)).strip()


class Family(DaemonTest):
    def ctl(self, *args):
        r = self.d.tool("ffcctl", "--operator", "a.smith", *args)
        self.assertEqual(r.returncode, 0, "ffcctl %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args))

    def events(self, sub, quiet=1.0):
        """(topic, message) for every alert and change until quiet."""
        got = []
        while sub.poll(int(quiet * 1000)):
            topic, body = sub.recv_multipart()
            topic = topic.decode()
            if topic == "heartbeat":
                continue
            m = pb.Alert() if topic.startswith(("alert.", "overdue.")) else pb.AlertChange()
            m.ParseFromString(body)
            got.append((topic, m))
        return got

    def send_sample(self):
        r = self.d.tool("ffc-send", SAMPLE)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("4 concerns: 4 accepted", r.stdout)

    def ids(self):
        """The four children, found by how each agency named them."""
        js = self.ctl_json("matches")
        kids = {}
        for m in js["matches"]:
            for side in ("", "other_"):
                kids[name(pb.ChildIdentity(**{
                    k: v for k, v in m[side + "identity"].items()
                    if k in ("given_name", "family_name")}))] = m[side + "child_id"]
        return kids

    def test_the_family_seen_as_one(self):
        sub = self.d.subscribe(b"")
        self.send_sample()
        first = self.events(sub)

        # ---- four children, two possible matches, nothing linked ----
        js = self.ctl_json("matches")
        kinds = {frozenset((m["child_id"], m["other_child_id"])): m["kind"]
                 for m in js["matches"]}
        kids = self.ids()
        mia, mia_rose = kids["Mia Carter"], kids["Mia-Rose Carter"]
        jayden, reid = kids["Jayden Carter"], kids["Jayden Reid"]
        self.assertEqual(len({mia, mia_rose, jayden, reid}), 4)
        self.assertEqual(kinds, {frozenset((mia, mia_rose)): "GIVEN_NAME_PART",
                                 frozenset((jayden, reid)): "DIFFERENT_FAMILY_NAME"})

        # ---- the police's two children are one household ----
        m, j = self.d.child(child_id=mia).child, self.d.child(child_id=jayden).child
        household = m.household_id
        self.assertTrue(household.startswith("H"))
        self.assertEqual(j.household_id, household)
        self.assertEqual(self.d.child(child_id=reid).child.household_id, "")
        # Domestic abuse (both) and substance misuse (Mia): AMBER for both.
        amber = {a.child_id: a for t, a in first if t == "alert.amber.toxic-trio"}
        self.assertEqual(sorted(amber), sorted([mia, jayden]))
        for a in amber.values():
            self.assertEqual((a.scope, a.household_id), ("household", household))
            self.assertEqual(a.reason, "Domestic abuse (police, 12 Mar, Mia and Jayden "
                                       "present) and parental substance misuse (police, 2 "
                                       "Apr, recorded for Mia) within 90 days")

        # ---- an operator links Jayden Reid: RED for both ----
        out = self.ctl("link", jayden, reid, "--reason",
                       "health visitor confirms: one child, his father's surname")
        self.assertIn("%s merged into %s" % (reid, jayden), out)
        linked = self.events(sub)
        red = {a.child_id: a for t, a in linked if t == "alert.red.toxic-trio"}
        self.assertEqual(sorted(red), sorted([mia, jayden]))
        for child, a in red.items():
            self.assertTrue(a.reason.startswith(REASON_RED), a.reason)
            self.assertEqual(a.household_id, household)
            self.assertEqual(a.supersedes, amber[child].alert_id)
            # Each names the sibling whose concern is evidence.
            sibling = jayden if child == mia else mia
            by_id = {e.concern_id: list(e.child_ids) for e in a.evidence}
            self.assertEqual(by_id, {"WYP-2026-1203": [mia, jayden],
                                     "HV-2026-88213": [jayden],
                                     "WYP-2026-1377": [mia]})
            self.assertIn(sibling, sum(by_id.values(), []))

        # ---- the household's alerts acknowledged at once ----
        opened = [a for a in self.d.all_alerts()
                  if a.household_id == household and a.state == pb.OPEN]
        self.assertGreaterEqual(len(opened), 3)  # toxic-trio twice, multi-agency
        out = self.ctl("ack", "--household", household, "--by", "Sam Jones", "--note",
                       "strategy discussion booked")
        self.assertIn("household %s: %d alerts acknowledged" % (household, len(opened)), out)
        acks = self.events(sub)
        self.assertEqual(sorted(c.alert_id for t, c in acks if t.startswith("event.ack.")),
                         sorted(a.alert_id for a in opened))
        self.assertTrue(all(c.household_id == household for _, c in acks))
        after = {a.alert_id: a for a in self.d.all_alerts()}
        for a in opened:
            self.assertEqual((after[a.alert_id].state, after[a.alert_id].acknowledged_by),
                             (pb.ACKNOWLEDGED, "Sam Jones"))
        # One audited change per alert, under its child.
        trail = [e for e in self.ctl_json("audit")["entries"]
                 if e["command"] == "household alerts"]
        self.assertEqual(len(trail), len(opened))
        self.assertEqual(sorted(e["child_id"] for e in trail),
                         sorted(a.child_id for a in opened))
        # Nothing left to acknowledge.
        r = self.d.tool("ffcctl", "ack", "--household", household, "--by", "Sam Jones")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nothing changed in %s" % household, r.stderr)
        self.assertIn("already acknowledged", r.stderr)

        # ---- the emergency department: heard at once, and printed ----
        watch_out = os.path.join(self.d.dir, "watch.out")
        with open(watch_out, "w") as f:
            w = subprocess.Popen([os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep,
                                  "--control", self.d.control_ep],
                                 stdout=f, stderr=subprocess.DEVNULL,
                                 env=dict(os.environ, XDG_STATE_HOME=self.d.dir))
        try:
            time.sleep(1.0)  # subscribed before the concern arrives
            r = self.d.tool("ffc-send", "--agency", "health", "--category", "injury",
                            "--severity", "immediate-risk", "--nhs", JAYDEN_NHS,
                            "--occurred", "2026-04-05T18:20:00Z", "--id", "ED-2026-5521",
                            "--source", "Leeds ED", "--summary",
                            "Bruising to the face and arm; account inconsistent with injury")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            ed = self.events(sub)
            evidence = [(t, c) for t, c in ed if t.startswith("event.evidence.")]
            self.assertEqual([t for t, _ in evidence], ["event.evidence.amber.multi-agency"])
            _, c = evidence[0]
            self.assertEqual((c.child_id, c.concern.concern_id, c.concern.severity),
                             (jayden, "ED-2026-5521", pb.IMMEDIATE_RISK))
            self.assertIn("event.reopen.amber.multi-agency", [t for t, _ in ed])
            self.assertIn("alert.red.immediate-risk", [t for t, _ in ed])
            want = "EVIDENCE AMBER multi-agency %s %s  HEALTH ED-2026-5521 (INJURY, " \
                   "IMMEDIATE_RISK)" % (jayden, c.alert_id)

            def printed():
                with open(watch_out) as f:
                    return want in f.read()
            self.assertTrue(wait_for(printed, timeout=15), want)
        finally:
            w.terminate()
            self.assertEqual(w.wait(timeout=30), 0)
        with open(watch_out) as f:
            self.assertNotIn("Bruising", f.read())

        # ---- one timeline for the family ----
        fam = self.ctl_json("family", household)
        self.assertEqual(fam["household_id"], household)
        self.assertEqual(sorted(x["child_id"] for x in fam["members"]), sorted([mia, jayden]))
        tl = fam["timeline"]
        at = [int(e["at_ms"]) for e in tl]
        self.assertEqual(at, sorted(at))
        concerns = [e["concern"] for e in tl if "concern" in e]
        self.assertEqual([c["concern_id"] for c in concerns],
                         ["WYP-2026-1203", "HV-2026-88213", "WYP-2026-1377", "ED-2026-5521"])
        self.assertEqual(concerns[0]["child_ids"], [mia, jayden])  # once, naming both
        self.assertEqual(concerns[1]["child_ids"], [jayden])
        self.assertTrue(all(c["household_id"] == household for c in concerns))
        kinds = {k for e in tl for k in e if k != "at_ms"}
        self.assertEqual(kinds, {"concern", "alert", "change", "identity_event",
                                 "household_event"})
        self.assertIn("FORMED", [e["household_event"]["kind"] for e in tl
                                 if "household_event" in e])
        self.assertIn("MERGED", [e["identity_event"]["kind"] for e in tl
                                 if "identity_event" in e])
        text = self.ctl("family", household)
        self.assertIn("household %s: 2 children" % household, text)
        self.assertEqual(text.count("concern WYP-2026-1203, seq"), 1)
        self.assertRegex(text, r"CONCERN +POLICE DOMESTIC_ABUSE MODERATE, Niche RMS\n +about "
                               r"%s Mia Carter and %s Jayden Reid" % (mia, jayden))
        # Reads are audited per child shown.
        shown = [e["child_id"] for e in self.ctl_json("audit")["entries"]
                 if e["command"] == "family"]
        self.assertEqual(sorted(shown), sorted([mia, jayden, mia, jayden]))
        # The family of one child is its household's.
        self.assertEqual(self.ctl_json("family", mia)["household_id"], household)

        # ---- one display name per child, everywhere ----
        self.assert_one_name(mia, "Mia Carter")
        self.assert_one_name(jayden, "Jayden Reid")  # health's, over the police's
        # Mia-Rose is Mia: once linked, the school's name is hers everywhere,
        # on the alerts raised before too.
        self.ctl("link", mia, mia_rose, "--reason", "school confirms one child")
        self.assert_one_name(mia, "Mia-Rose Carter")
        self.ctl("household", "unlink", mia, "--reason", "moved to her father's")
        self.assertEqual(self.d.child(child_id=mia).child.household_id, "")
        self.assertEqual(self.d.child(child_id=jayden).child.household_id, household)

    def assert_one_name(self, child, want):
        c = self.ctl_json("child", child)
        self.assertEqual(name(pb.ChildIdentity(**c["display"])), want)
        text = self.ctl("child", child)
        self.assertTrue(text.startswith("child %s  %s, born " % (child, want)), text[:80])
        for a in self.d.all_alerts():
            if a.child_id == child:
                self.assertEqual(name(a.child), want, a.alert_id)
        fam = self.ctl_json("family", child)
        (m,) = [x for x in fam["members"] if x["child_id"] == child]
        self.assertEqual(name(pb.ChildIdentity(**m["child"])), want)
        for e in fam["timeline"]:
            if "alert" in e and e["alert"]["child_id"] == child:
                self.assertEqual(name(pb.ChildIdentity(**e["alert"]["child"])), want)

    def test_household_commands_refuse_bad_input(self):
        self.send_sample()
        kids = self.ids()
        mia, jayden = kids["Mia Carter"], kids["Jayden Carter"]
        household = self.d.child(child_id=mia).child.household_id

        def refused(args, needle, code=1):
            r = self.d.tool("ffcctl", "--operator", "a.smith", *args)
            self.assertEqual(r.returncode, code, args)
            self.assertIn(needle, r.stderr, args)

        refused(["household", "link", mia, jayden, "--reason", "x"],
                "already one household (%s)" % household)
        refused(["household", "link", mia, "C00000099", "--reason", "x"],
                "household_link.child_b: no such child")
        refused(["household", "link", mia, mia, "--reason", "x"], "are one child")
        refused(["household", "link", mia, jayden], "--reason TEXT is required", 2)
        refused(["household", "unlink", kids["Jayden Reid"], "--reason", "x"],
                "is in no household")
        refused(["household", "split", mia], "is not link or unlink", 2)
        refused(["family", "X12"], "is not a child", 2)
        refused(["family", "H00000099"], "family.household_id: no such household")
        refused(["family", "C00000099"], "family.child_id: no such child")
        refused(["ack", "--household", "H1x", "--by", "Sam"],
                "household_alerts.household_id: not a household id")
        refused(["ack", "--household", household], "--by NAME is required", 2)
        refused(["close", "--household", household, "--by", "Sam", "--outcome", "sorted"],
                "close.outcome: 'sorted' is not one of")
        # A practitioner may read the family; only an admin links.
        r = self.d.tool("ffcctl", "family", household, env={"FFC_PURPOSE": ""})
        self.assertEqual(r.returncode, 1)
        self.assertIn("purpose", r.stderr)

    def test_household_link_joins_and_judges(self):
        self.send_sample()
        kids = self.ids()
        mia_rose, reid = kids["Mia-Rose Carter"], kids["Jayden Reid"]
        sub = self.d.subscribe(b"alert.")
        out = self.ctl("household", "link", mia_rose, reid, "--reason", "siblings, one home")
        self.assertIn("formed of %s and %s" % (mia_rose, reid), out)
        h = self.d.child(child_id=reid).child
        self.assertTrue(h.household_id.startswith("H"))
        self.assertEqual([x.child_id for x in h.household], [mia_rose])
        self.assertIn("FORMED", [pb.HouseholdEvent.Kind.Name(e.kind)
                                 for e in h.household_events])
        self.assertEqual(h.household_events[0].by, "a.smith")
        self.assertEqual(h.household_events[0].reason, "siblings, one home")
        # Both households are one now: the police's two children joined.
        kids_h = self.d.child(child_id=kids["Mia Carter"]).child.household_id
        self.ctl("household", "link", kids["Mia Carter"], reid, "--reason", "one family")
        fam = self.ctl_json("family", reid)
        self.assertEqual(len(fam["members"]), 4)
        self.assertEqual(fam["household_id"], min(kids_h, h.household_id))
        # The toxic trio of the four: RED for each, raised on the link.
        got = [a for _, a in (x for x in self._drain(sub)) if a.rule == "toxic-trio"]
        self.assertEqual(sorted({a.child_id for a in got if a.level == pb.RED}),
                         sorted(kids.values()))
        self.assertTrue(all("were linked into household" in a.reason
                            for a in got if a.level == pb.RED))

    def _drain(self, sub):
        while sub.poll(1000):
            topic, body = sub.recv_multipart()
            a = pb.Alert()
            a.ParseFromString(body)
            yield topic.decode(), a


if __name__ == "__main__":
    main()
