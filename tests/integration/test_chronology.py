"""A child's chronology, household and possible matches through the real
daemon and ffcctl: children named in one concern are each other's
household and show each other's open alerts; `ffcctl child` lists every
concern oldest first with all its fields, every alert with its state, and
`--since` limits it; `--json` carries the same data; each kind of possible
match is listed by `ffcctl matches` and nothing is linked; bad input is
refused with a message naming what is wrong."""

import json
import os
import re

from ffctest import DAY, SOURCE, DaemonTest, T0, concern, main, nhs_number, pb, upn

SAMPLES = os.path.join(SOURCE, "conf", "samples")


def expected_first(expected):
    """A child of the first pair listed: with the initial pair's child,
    not a possible match."""
    return sorted(expected)[0][0]

ELLA = dict(nhs_number=nhs_number(100), given_name="Ella", family_name="Smith",
            date_of_birth="2016-04-12", postcode="LS1 4AP")
NOAH = dict(nhs_number=nhs_number(101), given_name="Noah", family_name="Smith",
            date_of_birth="2019-10-30", postcode="LS1 4AP")


class Chronology(DaemonTest):
    def ok(self, r):
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def accept(self, *concerns):
        """The child ids each concern was filed under, by concern_id."""
        receipts = self.d.send(list(concerns))
        for r in receipts:
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        return {r.concern_id: list(r.child_ids) for r in receipts}

    def lookup(self, **kw):
        r = self.d.child(**kw)
        self.assertEqual(r.error, "", kw)
        return r.child

    def ctl(self, *args):
        return self.ok(self.d.tool("ffcctl", *args)).stdout

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args))

    # ---- households ----

    def test_household_with_open_alerts(self):
        ids = self.accept(
            concern("house-1", agency=pb.POLICE, severity=pb.IMMEDIATE_RISK, at=T0,
                    children=[ELLA, NOAH], summary="Both children present at an assault",
                    reporter="PC 4411, Leeds DA unit", source_system="Niche RMS"),
            # Only Ella: not a household incident.
            concern("school-1", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                    severity=pb.LOW, at=T0 + DAY, children=[dict(upn=upn(100), **ELLA)]),
            concern("other-1", agency=pb.HEALTH, at=T0, children=[dict(
                nhs_number=nhs_number(102), given_name="Max", family_name="Lee",
                date_of_birth="2015-02-02")]))
        ella, noah = ids["house-1"]
        self.assertNotEqual(ella, noah)
        self.assertEqual(ids["school-1"], [ella])

        e = self.lookup(child_id=ella)
        self.assertEqual([m.child_id for m in e.household], [noah])
        member = e.household[0]
        self.assertEqual(member.child.given_name, "Noah")
        self.assertEqual([a.rule for a in member.open_alerts], ["immediate-risk"])
        self.assertTrue(all(a.child_id == noah for a in member.open_alerts))
        n = self.lookup(child_id=noah)
        self.assertEqual([m.child_id for m in n.household], [ella])
        self.assertIn("immediate-risk", [a.rule for a in n.household[0].open_alerts])
        other = self.lookup(nhs_number=nhs_number(102))
        self.assertEqual(list(other.household), [])

        text = self.ctl("child", ella)
        section = text.split("\nhousehold")[1].split("\ntimeline")[0]
        self.assertIn(noah, section)
        self.assertIn("Noah Smith", section)
        self.assertRegex(section, r"\n      A\d+\s+RED\s+immediate-risk\s+Domestic abuse \(police, ")
        self.assertIn("1 other child", section)
        self.assertIn("0 other children", self.ctl("child", "--nhs", nhs_number(102)))

    # ---- the chronology ----

    def three_agencies(self):
        kid = dict(ELLA)
        # Sent out of order: the chronology is by when things happened.
        ids = self.accept(
            concern("h-2", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT, severity=pb.LOW,
                    at=T0 + 2 * DAY, children=[kid], source_system="SystmOne",
                    summary="Not brought to two appointments", reporter="HV Jones, 0113 555"),
            concern("p-0", agency=pb.POLICE, category=pb.DOMESTIC_ABUSE, severity=pb.MODERATE,
                    at=T0, children=[dict(kid, local_id="WYP-77")], source_system="Niche RMS",
                    summary="Call-out to a domestic incident", reporter="PC 4411"),
            concern("e-1", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                    severity=pb.LOW, at=T0 + DAY, children=[dict(kid, upn=upn(101))],
                    source_system="SIMS", summary="Absent five days", reporter="DSL Patel"))
        self.assertEqual(len({c[0] for c in ids.values()}), 1)
        return ids["p-0"][0]

    def test_chronology_every_concern_oldest_first(self):
        cid = self.three_agencies()
        c = self.lookup(child_id=cid)
        self.assertEqual([e.concern_id for e in c.chronology], ["p-0", "e-1", "h-2"])
        first = c.chronology[0]
        self.assertEqual((first.agency, first.source_system, first.category, first.severity,
                          first.summary, first.reporter, first.occurred_at_ms),
                         (pb.POLICE, "Niche RMS", pb.DOMESTIC_ABUSE, pb.MODERATE,
                          "Call-out to a domestic incident", "PC 4411", T0))
        # Identity records: who named the child how, and when.
        self.assertEqual(sorted(r.agency for r in c.identity_records),
                         [pb.POLICE, pb.HEALTH, pb.EDUCATION])
        for r in c.identity_records:
            self.assertGreater(r.first_seen_ms, 0)
            self.assertGreaterEqual(r.last_seen_ms, r.first_seen_ms)
            self.assertGreater(r.first_seq, 0)
            self.assertEqual(r.identity.nhs_number, ELLA["nhs_number"])
            self.assertEqual(r.identity.postcode, "LS14AP")
        self.assertEqual(len(c.identities), len(c.identity_records))
        police = [r for r in c.identity_records if r.agency == pb.POLICE][0]
        self.assertEqual(police.identity.local_id, "WYP-77")
        # multi-agency AMBER (two agencies), then RED (three): the AMBER
        # is superseded, the RED open; each alert carries its state.
        states = {(a.rule, a.level): a.state for a in c.alerts}
        self.assertEqual(states[("multi-agency", pb.AMBER)], pb.SUPERSEDED)
        self.assertEqual(states[("multi-agency", pb.RED)], pb.OPEN)
        self.assertEqual(list(c.identity_events), [])

        text = self.ctl("child", cid)
        self.assertTrue(text.startswith("child %s  Ella Smith, born 2016-04-12\n" % cid), text)
        self.assertIn("NHS %s" % ELLA["nhs_number"], text)
        self.assertIn("UPN %s" % upn(101), text)
        self.assertIn("POLICE local id WYP-77", text)
        # A summary at the head, then the record as one timeline.
        sections = [l for l in text.splitlines() if l and not l.startswith(" ")]
        self.assertEqual([s.split(" ")[0] for s in sections],
                         ["child", "identifiers:", "lead", "identities", "household",
                          "timeline", "viewed"])
        timeline = text.split("\ntimeline")[1].split("\nviewed")[0]
        order = [m.group(1) for m in re.finditer(r"concern (\S+), seq", timeline)]
        self.assertEqual(order, ["p-0", "e-1", "h-2"])
        for needle in ("2026-01-01 00:00 UTC  CONCERN   POLICE", "DOMESTIC_ABUSE", "MODERATE",
                       "Niche RMS", "Call-out to a domestic incident", "reported by PC 4411",
                       "SystmOne", "reported by HV Jones, 0113 555", "EDUCATION_ABSENCE",
                       "about %s Ella Smith" % cid):
            self.assertIn(needle, timeline)
        # The alerts, raised when the concerns arrived, come after them.
        self.assertLess(timeline.index("concern h-2"), timeline.index("ALERT"))
        self.assertRegex(timeline, r"ALERT +A\d+ AMBER multi-agency for C\d+ Ella Smith\n"
                                   r"[^\n]*\n\s+superseded")
        self.assertRegex(timeline, r"ALERT +A\d+ RED multi-agency for C\d+ Ella Smith\n"
                                   r"[^\n]*\n(\s+escalates A\d+\n)?\s+open")
        self.assertNotIn("MERGED", timeline)
        js = self.ctl_json("child", cid)
        kinds = [[k for k in e if k != "at_ms"][0] for e in js["timeline"]]
        self.assertEqual(kinds, ["concern"] * 3 + ["alert"] * 2)
        self.assertEqual([e["at_ms"] for e in js["timeline"]],
                         sorted(e["at_ms"] for e in js["timeline"]))

        # --json: the same data, field names as in the proto.
        js = self.ctl_json("child", cid)
        self.assertEqual([e["concern_id"] for e in js["chronology"]], ["p-0", "e-1", "h-2"])
        self.assertEqual(js["chronology"][0]["reporter"], "PC 4411")
        self.assertEqual(js["chronology"][0]["source_system"], "Niche RMS")
        self.assertEqual(len(js["identity_records"]), 3)
        self.assertEqual(js["identity_records"][0]["identity"]["postcode"], "LS14AP")
        self.assertEqual(sorted(a["state"] for a in js["alerts"]), sorted(
            pb.AlertState.Name(a.state) for a in c.alerts))
        self.assertEqual([a["alert_id"] for a in js["alerts"]], [a.alert_id for a in c.alerts])

    def test_since_limits_the_chronology(self):
        cid = self.three_agencies()
        c = self.lookup(child_id=cid, since_ms=T0 + DAY)
        self.assertEqual([e.concern_id for e in c.chronology], ["e-1", "h-2"])
        # Alerts raised before the date are left out; identities stay.
        self.assertEqual(len(c.identity_records), 3)
        late = self.lookup(child_id=cid, since_ms=T0 + 3 * DAY)
        self.assertEqual(list(late.chronology), [])
        everything = self.lookup(child_id=cid)
        self.assertGreater(len(everything.alerts), 0)
        # Alerts are raised when the concerns arrive (now), after T0.
        self.assertEqual(len(late.alerts), len(everything.alerts))
        future = self.lookup(child_id=cid, since_ms=4102444800000)  # 2100-01-01
        self.assertEqual((list(future.chronology), list(future.alerts)), ([], []))

        js = self.ctl_json("child", cid, "--since", "2026-01-02")
        self.assertEqual([e["concern_id"] for e in js["chronology"]], ["e-1", "h-2"])
        js = self.ctl_json("child", cid, "--since", "2026-01-02T12:00Z")
        self.assertEqual([e["concern_id"] for e in js["chronology"]], ["h-2"])
        text = self.ctl("child", "--since", "2026-01-03", cid)
        self.assertIn("timeline (3 entries, oldest first, since 2026-01-03)", text)
        self.assertEqual(text.count("CONCERN"), 1)
        self.assertNotIn("Call-out", text)
        self.assertEqual(self.ctl_json("child", cid, "--since", "2100-01-01")["child_id"], cid)

    def test_bad_input_refused(self):
        self.three_agencies()
        for bad in ("yesterday", "2026-13-01", "2026-02-30", "2026-01-01T25:00Z", ""):
            r = self.d.tool("ffcctl", "child", "C00000001", "--since", bad)
            self.assertEqual(r.returncode, 2, bad)
            self.assertIn("--since: '%s' is not a date" % bad, r.stderr)
        r = self.d.tool("ffcctl", "child", "C00000099")
        self.assertEqual(r.returncode, 1)
        self.assertIn("child: no such child", r.stderr)
        r = self.d.tool("ffcctl", "child", "Z12")
        self.assertEqual(r.returncode, 1)
        self.assertIn("child.child_id: not a child id", r.stderr)
        r = self.d.tool("ffcctl", "child", "C00000001", "C00000002")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument 'C00000002'", r.stderr)
        r = self.d.tool("ffcctl", "child", "--since", "2026-01-01")
        self.assertEqual(r.returncode, 2)
        self.assertIn("give exactly one of ID, --nhs N or --upn U", r.stderr)
        for limit in ("0", "5001", "ten"):
            r = self.d.tool("ffcctl", "matches", "--limit", limit)
            self.assertEqual(r.returncode, 2, limit)
            self.assertIn("--limit: '%s' is not a whole number" % limit, r.stderr)
        r = self.d.tool("ffcctl", "matches", "extra")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unexpected argument 'extra'", r.stderr)
        reply = self.d.control(pb.ControlRequest(matches=pb.MatchesRequest(limit=6000)))
        self.assertIn("matches.limit", reply.error)
        self.assertFalse(reply.HasField("matches"))
        # The daemon serves on.
        self.assertEqual(self.lookup(child_id="C00000001").child_id, "C00000001")

    # ---- possible matches ----

    def test_malformed_postcode_kept_not_compared(self):
        """A postcode that is not of UK shape cannot be compared: linking
        treats it as absent (it neither links nor keeps apart), and the
        child's record keeps it as sent so the chronology shows it."""
        amy = dict(given_name="Amy", family_name="Jones", date_of_birth="2015-01-01")
        ids = self.accept(
            concern("pc-1", agency=pb.POLICE, children=[dict(amy, postcode="LS6 2AB")]),
            concern("pc-2", agency=pb.HEALTH, children=[dict(amy, postcode="LS6 2A")]),
            concern("pc-3", agency=pb.EDUCATION, children=[dict(amy, postcode="M1 1AA")]))
        self.assertEqual(ids["pc-1"], ids["pc-2"])
        self.assertNotEqual(ids["pc-1"], ids["pc-3"])
        c = self.lookup(child_id=ids["pc-1"][0])
        self.assertEqual(sorted(r.identity.postcode for r in c.identity_records),
                         ["LS6 2A", "LS62AB"])
        # The moved child is a possible match; the malformed postcode
        # makes no second pair.
        js = self.ctl_json("matches")
        self.assertEqual([(m["child_id"], m["other_child_id"], m["kind"]) for m in js["matches"]],
                         [(ids["pc-1"][0], ids["pc-3"][0], "DIFFERENT_POSTCODE")])

    def test_each_kind_of_possible_match_listed_never_linked(self):
        def kid(**kw):
            return kw

        pairs = {
            "DIFFERENT_POSTCODE": (
                kid(local_id="P-1", given_name="Amy", family_name="Jones",
                    date_of_birth="2015-01-01", postcode="LS6 2AB"),
                kid(given_name="AMY", family_name="jones", date_of_birth="2015-01-01",
                    postcode="M1 1AA")),
            "GIVEN_NAME_ONE_EDIT": (
                kid(given_name="Ella", family_name="Brown", date_of_birth="2016-04-12",
                    postcode="LS1 4AP"),
                kid(given_name="Ela", family_name="Brown", date_of_birth="2016-04-12",
                    postcode="ls14ap")),
            "GIVEN_NAME_INITIAL": (
                kid(given_name="Zo\u00eb", family_name="O'Brien", date_of_birth="2014-01-05"),
                kid(given_name="Z.", family_name="OBRIEN", date_of_birth="2014-01-05",
                    postcode="LS2 9JT")),
            "DATE_OF_BIRTH_TRANSPOSED": (
                kid(given_name="Kai", family_name="Patel", date_of_birth="2015-03-02"),
                kid(given_name="Kai", family_name="Patel", date_of_birth="2015-02-03")),
        }
        near_misses = [
            # two edits apart
            (kid(given_name="Ella", family_name="Green", date_of_birth="2016-04-12"),
             kid(given_name="Elena", family_name="Green", date_of_birth="2016-04-12")),
            # different family name
            (kid(given_name="Ella", family_name="Hill", date_of_birth="2016-04-12"),
             kid(given_name="Ela", family_name="Hall", date_of_birth="2016-04-12")),
            # different date of birth, not transposed
            (kid(given_name="Ella", family_name="Wood", date_of_birth="2016-04-12"),
             kid(given_name="Ela", family_name="Wood", date_of_birth="2016-04-13")),
            # one edit apart, but the postcodes differ too
            # (not LS1 4AP: Ella Brown's, which would make Ella Ward her
            # possible match under another family name)
            (kid(given_name="Ella", family_name="Ward", date_of_birth="2016-04-12",
                 postcode="LS2 7EW"),
             kid(given_name="Ela", family_name="Ward", date_of_birth="2016-04-12",
                 postcode="M1 1AA")),
            # different NHS numbers: two children for certain
            (kid(nhs_number=nhs_number(110), given_name="Leo", family_name="Hart",
                 date_of_birth="2017-07-07", postcode="LS1 4AP"),
             kid(nhs_number=nhs_number(111), given_name="Leo", family_name="Hart",
                 date_of_birth="2017-07-07", postcode="M1 1AA")),
        ]
        sent = []
        n = 0
        for group in (list(pairs.values()), near_misses):
            for a, b in group:
                for k, agency in ((a, pb.POLICE), (b, pb.HEALTH)):
                    n += 1
                    sent.append(concern("m-%d" % n, agency=agency, at=T0 + n * DAY,
                                        children=[k]))
        # Twins named in one concern are two children, never a match.
        sent.append(concern("twins", agency=pb.POLICE, at=T0, children=[
            kid(given_name="Jon", family_name="Rees", date_of_birth="2018-08-08"),
            kid(given_name="Jan", family_name="Rees", date_of_birth="2018-08-08")]))
        receipts = {r.concern_id: r for r in self.d.send(sent)}
        for r in receipts.values():
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        filed = [receipts["m-%d" % i].child_ids[0] for i in range(1, n + 1)]
        # Nothing linked: every pair is two children, one concern each.
        self.assertEqual(len(set(filed)), n)
        for cid in filed:
            self.assertEqual(len(self.lookup(child_id=cid).chronology), 1)

        expected = {}
        for i, kind in enumerate(pairs):
            expected[(filed[2 * i], filed[2 * i + 1])] = kind
        js = self.ctl_json("matches")
        got = {(m["child_id"], m["other_child_id"]): m["kind"] for m in js["matches"]}
        self.assertEqual(got, expected)
        self.assertFalse(js.get("more", False))
        by_kind = {m["kind"]: m for m in js["matches"]}
        dp = by_kind["DIFFERENT_POSTCODE"]
        self.assertEqual(dp["identity"]["postcode"], "LS62AB")
        self.assertEqual(dp["identity"]["local_id"], "P-1")
        self.assertEqual(dp["other_identity"]["postcode"], "M11AA")
        self.assertIn("postcodes LS62AB and M11AA differ", dp["reason"])
        self.assertIn("ELLA and ELA are one edit apart", by_kind["GIVEN_NAME_ONE_EDIT"]["reason"])
        self.assertIn("given name Z is the initial of ZOE",
                      by_kind["GIVEN_NAME_INITIAL"]["reason"])
        self.assertEqual(by_kind["GIVEN_NAME_INITIAL"]["identity"]["given_name"], "Zo\u00eb")
        self.assertIn("2015-03-02 and 2015-02-03",
                      by_kind["DATE_OF_BIRTH_TRANSPOSED"]["reason"])
        for m in js["matches"]:
            self.assertGreater(m["concern_seq"], 0)
            self.assertGreater(m["found_at_ms"], 0)
            self.assertLess(m["child_id"], m["other_child_id"])

        text = self.ctl("matches")
        self.assertIn("possible matches (4)", text)
        for words in ("different postcode", "given name one edit apart",
                      "given name an initial", "day and month of birth swapped"):
            self.assertIn(words, text)
        self.assertIn("Amy Jones, born 2015-01-01, local id P-1, LS62AB", text)
        self.assertIn("AMY jones, born 2015-01-01, M11AA", text)

        # Sending the same children again records no pair twice.
        n2 = 0
        again = []
        for a, b in pairs.values():
            for k in (a, b):
                n2 += 1
                again.append(concern("again-%d" % n2, agency=pb.SOCIAL_CARE,
                                     at=T0 + 50 * DAY, children=[k]))
        self.d.send(again)
        self.assertEqual(len(self.ctl_json("matches")["matches"]), 4)
        stats = self.d.stats()
        self.assertEqual(stats.possible_matches, 4)
        self.assertEqual({c.name: c.count for c in stats.matches_by_kind},
                         {k: 1 for k in pairs})
        self.dismiss_one(expected)
        limited = self.ctl_json("matches", "--limit", "2")
        self.assertEqual(len(limited["matches"]), 2)
        self.assertTrue(limited["more"])
        self.assertIn("more not shown", self.ctl("matches", "--limit", "1"))

    def dismiss_one(self, expected):
        """An operator judges the initial pair two children: it is no
        longer listed, shows with --dismissed, and a second dismissal
        changes nothing."""
        (a, b), = [pair for pair, kind in expected.items() if kind == "GIVEN_NAME_INITIAL"]
        out = self.ctl("--operator", "j.doe", "matches", "dismiss", b, a, "--reason",
                       "Zac and Zoe are twins")
        self.assertIn("dismissed: no longer listed", out)
        self.assertIn("dismissed by j.doe", out)
        listed = self.ctl_json("matches")["matches"]
        self.assertEqual(sorted((m["child_id"], m["other_child_id"]) for m in listed),
                         sorted(p for p in expected if p != (a, b)))
        everything = self.ctl_json("matches", "--dismissed")["matches"]
        self.assertEqual(len(everything), 4)
        gone = [m for m in everything if m["child_id"] == a][0]
        self.assertEqual((gone["dismissed_by"], gone["dismissed_reason"]),
                         ("j.doe", "Zac and Zoe are twins"))
        self.assertGreater(gone["dismissed_at_ms"], 0)
        self.assertIn("dismissed by j.doe", self.ctl("matches", "--dismissed"))
        again = self.ctl_json("--operator", "k.roe", "matches", "dismiss", a, b, "--reason",
                              "again")
        self.assertEqual(again["match"]["dismissed_by"], "j.doe")
        self.assertEqual(again["match"]["dismissed_at_ms"], gone["dismissed_at_ms"])
        # Still two children, each with its own chronology.
        self.assertNotEqual(self.lookup(child_id=a).child_id, self.lookup(child_id=b).child_id)
        # Bad input, each refused with what is wrong.
        for args, code, message in (
                (("matches", "dismiss", a, b), 2, "--reason: say why"),
                (("matches", "dismiss", a, "--reason", "x"), 2, "give the two child ids"),
                (("matches", "dismiss", a, a, "--reason", "x"), 1,
                 "child_id and other_child_id are the same child"),
                (("matches", "dismiss", a, "C00000999", "--reason", "x"), 1,
                 "dismiss_match: no such child"),
                (("matches", "dismiss", "X1", b, "--reason", "x"), 1,
                 "dismiss_match.child_id: not a child id"),
                (("matches", "dismiss", expected_first(expected), b, "--reason", "x"), 1,
                 "are not a possible match")):
            r = self.d.tool("ffcctl", "--operator", "j.doe", *args)
            self.assertEqual(r.returncode, code, args)
            self.assertIn(message, r.stderr, args)
        r = self.d.tool("ffcctl", "--operator", "", "matches", "dismiss", a, b, "--reason", "x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--operator NAME", r.stderr)
        for req, message in (
                (pb.ControlRequest(operator="", dismiss_match=pb.MatchDismissRequest(
                    child_id=a, other_child_id=b, reason="x")), "operator: required"),
                (pb.ControlRequest(operator="j", dismiss_match=pb.MatchDismissRequest(
                    child_id=a, other_child_id=b, reason="")), "dismiss_match.reason: required"),
                (pb.ControlRequest(operator="j", dismiss_match=pb.MatchDismissRequest(
                    child_id=a, other_child_id=b, reason="x" * 1025)),
                 "dismiss_match.reason: over 1024 bytes")):
            reply = self.d.control(req)
            self.assertEqual(reply.error, message)
            self.assertFalse(reply.HasField("dismiss_match"))

    def test_shipped_samples(self):
        """The README's tour: Ella's household is Noah, and the matches
        sample gives one possible match of each kind."""
        self.ok(self.d.tool("ffc-send", os.path.join(SAMPLES, "tour.jsonl")))
        self.ok(self.d.tool("ffc-send", os.path.join(SAMPLES, "matches.jsonl")))
        ella = self.ctl_json("child", "C00000001")
        self.assertEqual([m["child_id"] for m in ella["household"]], ["C00000002"])
        self.assertEqual(len(ella["chronology"]), 5)
        js = self.ctl_json("matches")
        self.assertEqual(sorted(m["kind"] for m in js["matches"]),
                         ["DATE_OF_BIRTH_TRANSPOSED", "DIFFERENT_POSTCODE",
                          "GIVEN_NAME_INITIAL", "GIVEN_NAME_ONE_EDIT"])
        self.assertIn("C00000001", [m["child_id"] for m in js["matches"]])

    def test_no_matches(self):
        self.assertIn("possible matches (0)", self.ctl("matches"))
        self.assertEqual(self.ctl_json("matches"), {"matches": [], "more": False})


if __name__ == "__main__":
    main()
