"""Identity review through the real daemon and ffcctl: two children known
under different identifiers merged by a concern naming both (an alert
neither half raised alone, its reason naming the merge; the old id still
finds the merged child), identity conflicts listed with the evidence on
each side, an operator's link and unlink with who, when and why recorded,
and every bad input to those commands refused with a clear error."""

import json

from ffctest import (DAY, DaemonTest, T0, concern, drain_alerts, main, nhs_number, pb, upn)


class Identity(DaemonTest):
    n = 0

    def file(self, agency=pb.POLICE, at=T0, category=pb.DOMESTIC_ABUSE,
             severity=pb.MODERATE, **identity):
        """Send one concern naming one child; the child_id it was filed under."""
        Identity.n += 1
        r = self.d.send_one(concern("i-%d" % Identity.n, agency=agency, at=at,
                                    category=category, severity=severity,
                                    children=[identity]))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        return r.child_ids[0]

    def ctl(self, *args, ok=True):
        r = self.d.tool("ffcctl", "--operator", "alice", *args)
        if ok:
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args).stdout)

    def request(self, operator="alice", **kw):
        return self.d.control(pb.ControlRequest(operator=operator, **kw))

    def lookup(self, **kw):
        r = self.d.child(**kw)
        self.assertEqual(r.error, "", kw)
        return r.child

    def test_merge_raises_what_neither_half_did(self):
        sub = self.d.subscribe(b"alert.")
        nhs, u = nhs_number(101), upn(101)
        h = self.file(agency=pb.HEALTH, at=T0, nhs_number=nhs, given_name="Ava",
                      family_name="Khan", date_of_birth="2016-02-02")
        e = self.file(agency=pb.EDUCATION, at=T0 + DAY, upn=u)
        self.assertNotEqual(h, e)
        self.assertEqual(drain_alerts(sub), [], "one agency each: nothing to raise yet")
        # Police name both: three agencies within 30 days only once joined.
        p = self.file(agency=pb.POLICE, at=T0 + 2 * DAY, nhs_number=nhs, upn=u)
        self.assertEqual(p, min(h, e))
        alerts = drain_alerts(sub)
        # The joined history passes AMBER and reaches RED at once: AMBER is
        # raised first and superseded by RED, as in any other order.
        multi = [a for _, a in alerts if a.rule == "multi-agency"]
        self.assertEqual([a.level for a in multi], [pb.AMBER, pb.RED],
                         [a.reason for _, a in alerts])
        self.assertEqual(multi[1].supersedes, multi[0].alert_id)
        for a in multi:
            self.assertEqual(a.child_id, p)
            self.assertIn("after %s was merged into %s" % (max(h, e), p), a.reason)
            self.assertEqual({x.agency for x in a.evidence},
                             {pb.HEALTH, pb.EDUCATION, pb.POLICE})

        # The old id finds the merged child, through the socket and ffcctl.
        old = max(h, e)
        child = self.lookup(child_id=old)
        self.assertEqual(child.child_id, p)
        self.assertEqual(len(child.chronology), 3)
        merged = [ev for ev in child.identity_events if ev.kind == pb.IdentityEvent.MERGED]
        self.assertEqual(len(merged), 1)
        self.assertEqual((merged[0].child_id, merged[0].other_child_id, merged[0].by),
                         (p, old, "ffcd"))
        self.assertGreater(merged[0].concern_seq, 0)
        out = self.ctl("child", old).stdout
        self.assertIn("child %s" % p, out)
        ids = self.ctl_json("identities", old)
        self.assertEqual(ids["child_id"], p)
        self.assertEqual(ids["aliases"], [old])
        self.assertEqual(len(ids["records"]), 3)
        text = self.ctl("identities", p).stdout
        self.assertIn("MERGED", text)
        self.assertIn("%s merged into %s" % (old, p), text)

    def test_conflict_listed_with_both_sides(self):
        a = self.file(agency=pb.HEALTH, nhs_number=nhs_number(110), upn=upn(110))
        b = self.file(agency=pb.HEALTH, nhs_number=nhs_number(111))
        self.assertEqual(self.ctl("--json", "conflicts").stdout, "")
        self.assertEqual(self.ctl("conflicts").stdout.strip(), "no identity conflicts")
        # b's NHS number with a's UPN: never one child.
        c = self.file(agency=pb.SOCIAL_CARE, nhs_number=nhs_number(111), upn=upn(110))
        self.assertEqual(c, b, "filed under the child the NHS number names")
        self.assertNotEqual(self.lookup(nhs_number=nhs_number(110)).child_id,
                            self.lookup(nhs_number=nhs_number(111)).child_id)
        for cid, nhs in ((a, nhs_number(110)), (b, nhs_number(111))):
            recs = self.lookup(child_id=cid).identities
            self.assertEqual({i.nhs_number for i in recs if i.nhs_number}, {nhs})
        conflicts = [json.loads(line) for line in
                     self.ctl("--json", "conflicts").stdout.splitlines()]
        self.assertEqual(len(conflicts), 1)
        x = conflicts[0]
        self.assertEqual((x["child_id"], x["other_child_id"]), (b, a))
        self.assertEqual(x["event"]["kind"], "CONFLICT")
        self.assertIn("upn:" + upn(110), x["event"]["identity"])
        self.assertIn("disagree", x["event"]["reason"])
        self.assertEqual({r["identity"]["nhs_number"] for r in x["child_identities"]},
                         {nhs_number(111)})
        self.assertIn(nhs_number(110), {r["identity"].get("nhs_number")
                                        for r in x["other_identities"]})
        self.assertFalse(x.get("resolved", False))
        self.assertEqual(self.d.stats().identity_conflicts, 1)
        self.assertIn("0 merges, 0 splits, 1 conflicts", self.ctl("stats").stdout)
        text = self.ctl("conflicts").stdout
        for word in ("CONFLICT", a, b, nhs_number(110), nhs_number(111), "open"):
            self.assertIn(word, text)
        # An operator cannot link them either.
        r = self.ctl("link", a, b, "--reason", "looks alike", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot be one child", r.stderr)
        self.assertIn("NHS numbers", r.stderr)

    def test_ambiguous_demographics_conflict(self):
        kid = dict(given_name="Leo", family_name="Ward", date_of_birth="2015-05-05")
        a = self.file(agency=pb.HEALTH, nhs_number=nhs_number(120), postcode="LS1 1AA", **kid)
        b = self.file(agency=pb.EDUCATION, upn=upn(120), postcode="M1 1AA", **kid)
        self.assertNotEqual(a, b, "different postcodes: not linked")
        p = self.file(agency=pb.POLICE, **kid)
        self.assertNotIn(p, (a, b), "matched two children equally: linked to neither")
        reasons = [x["event"]["reason"] for x in
                   map(json.loads, self.ctl("--json", "conflicts").stdout.splitlines())]
        self.assertTrue(any("equally" in r for r in reasons), reasons)

    def test_link_and_unlink_by_operator(self):
        sub = self.d.subscribe(b"alert.")
        nhs, u = nhs_number(130), upn(130)
        h = self.file(agency=pb.HEALTH, at=T0, nhs_number=nhs)
        e = self.file(agency=pb.EDUCATION, at=T0 + DAY, upn=u)
        self.assertEqual(drain_alerts(sub), [])
        out = self.ctl("link", e, h, "--reason", "same child: school and GP records agree")
        self.assertIn("%s merged into %s" % (max(h, e), min(h, e)), out.stdout)
        alerts = drain_alerts(sub)
        self.assertEqual([(a.rule, a.level) for _, a in alerts], [("multi-agency", pb.AMBER)])
        self.assertIn("merged into", alerts[0][1].reason)
        s = min(h, e)
        child = self.lookup(child_id=max(h, e))
        self.assertEqual(child.child_id, s)
        ev = [x for x in child.identity_events if x.kind == pb.IdentityEvent.MERGED][-1]
        self.assertEqual(ev.by, "alice")
        self.assertEqual(ev.reason, "same child: school and GP records agree")
        self.assertGreater(ev.at_ms, 0)
        # Linking them again: already one child.
        r = self.ctl("link", h, e, "--reason", "again", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already one child", r.stderr)

        # Split the UPN off again: its concern goes with it.
        js = self.ctl_json("unlink", s, "upn:" + u.lower(), "--reason", "wrong school record")
        n = js["new_child_id"]
        self.assertEqual(js["child_id"], s)
        self.assertEqual(int(js["moved_concerns"]), 1)
        self.assertEqual(int(js["moved_identities"]), 1)
        self.assertEqual(js["event"]["kind"], "SPLIT")
        self.assertEqual(js["event"]["by"], "alice")
        self.assertEqual(self.lookup(upn=u).child_id, n)
        self.assertEqual(self.lookup(nhs_number=nhs).child_id, s)
        self.assertEqual([c.agency for c in self.lookup(child_id=n).chronology],
                         [pb.EDUCATION])
        self.assertEqual([c.agency for c in self.lookup(child_id=s).chronology], [pb.HEALTH])
        ids = self.ctl_json("identities", s)
        self.assertEqual(ids["kept_apart"], [n])
        kinds = [x["kind"] for x in ids["events"]]
        self.assertEqual(kinds, ["MERGED", "SPLIT"])
        # Kept apart: a concern naming both is a conflict, not a merge.
        self.file(agency=pb.SOCIAL_CARE, nhs_number=nhs, upn=u)
        self.assertNotEqual(self.lookup(upn=u).child_id, self.lookup(nhs_number=nhs).child_id)
        reasons = [json.loads(x)["event"]["reason"]
                   for x in self.ctl("--json", "conflicts").stdout.splitlines()]
        self.assertTrue(any("kept apart" in r for r in reasons), reasons)
        # An operator's link overrides the split.
        self.ctl("link", s, n, "--reason", "checked again: one child")
        self.assertEqual(self.lookup(upn=u).child_id, self.lookup(nhs_number=nhs).child_id)
        self.assertEqual(self.ctl_json("identities", s).get("kept_apart", []), [])
        st = self.d.stats()
        self.assertEqual((st.merges, st.splits, st.identity_conflicts), (2, 1, 1))

    def test_unlink_by_record_number(self):
        a = self.file(agency=pb.POLICE, local_id="P-7", given_name="Mia", family_name="Ross",
                      date_of_birth="2017-07-07")
        b = self.file(agency=pb.HEALTH, given_name="Mia", family_name="Ross",
                      date_of_birth="2017-07-07", nhs_number=nhs_number(140))
        self.assertEqual(a, b, "linked on names and date of birth")
        recs = self.ctl_json("identities", a)["records"]
        self.assertEqual(len(recs), 2)
        text = self.ctl("identities", a).stdout
        self.assertIn("#1", text)
        self.assertIn("#2", text)
        js = self.ctl_json("unlink", a, "#2", "--reason", "different child, same name")
        self.assertEqual(self.lookup(nhs_number=nhs_number(140)).child_id, js["new_child_id"])
        # Names alone now match two children kept apart: linked to neither.
        c = self.file(agency=pb.EDUCATION, given_name="Mia", family_name="Ross",
                      date_of_birth="2017-07-07")
        self.assertNotIn(c, (a, js["new_child_id"]))

    def test_unlink_record_naming_both(self):
        """Health knows the NHS number, the school the UPN, and police
        named both. Splitting the UPN off takes the school's record and
        the police record, but the NHS number stays with health's: no
        identifier ever names two children."""
        nhs, u = nhs_number(160), upn(160)
        h = self.file(agency=pb.HEALTH, nhs_number=nhs)
        e = self.file(agency=pb.EDUCATION, upn=u)
        p = self.file(agency=pb.POLICE, nhs_number=nhs, upn=u)
        self.assertEqual(p, min(h, e))
        js = self.ctl_json("unlink", p, "upn:" + u, "--reason", "school record is another child")
        n = js["new_child_id"]
        self.assertEqual((int(js["moved_identities"]), int(js["moved_concerns"])), (2, 2))
        self.assertEqual(self.lookup(nhs_number=nhs).child_id, p)
        self.assertEqual(self.lookup(upn=u).child_id, n)
        for cid, want in ((p, {"nhs": {nhs}, "upn": set()}), (n, {"nhs": set(), "upn": {u}})):
            recs = self.lookup(child_id=cid).identities
            self.assertEqual({i.nhs_number for i in recs if i.nhs_number}, want["nhs"], cid)
            self.assertEqual({i.upn for i in recs if i.upn}, want["upn"], cid)

    def test_bad_input_refused(self):
        a = self.file(agency=pb.HEALTH, nhs_number=nhs_number(150))
        b = self.file(agency=pb.EDUCATION, upn=upn(150))
        L, U = pb.LinkRequest, pb.UnlinkRequest
        cases = [
            (dict(link=L(child_a=a, child_b=b)), "link.reason: required"),
            (dict(link=L(child_a=a, child_b=b, reason="   ")), "link.reason: required"),
            (dict(link=L(child_a=a, child_b=b, reason="x" * 1024)), "link.reason: over 1023"),
            (dict(link=L(child_a="", child_b=b, reason="r")), "link.child_a: required"),
            (dict(link=L(child_a="X1", child_b=b, reason="r")), "link.child_a: not a child id"),
            (dict(link=L(child_a=a, child_b="C99999", reason="r")),
             "link.child_b: no such child"),
            (dict(link=L(child_a=a, child_b=a, reason="r")), "already one child"),
            (dict(unlink=U(child_id=a, identity="nhs:" + nhs_number(150))),
             "unlink.reason: required"),
            (dict(unlink=U(child_id="", identity="#1", reason="r")),
             "unlink.child_id: required"),
            (dict(unlink=U(child_id="C99999", identity="#1", reason="r")),
             "unlink.child_id: no such child"),
            (dict(unlink=U(child_id=a, identity="", reason="r")), "unlink.identity: required"),
            (dict(unlink=U(child_id=a, identity="passport:1", reason="r")),
             "unlink.identity: give nhs:"),
            (dict(unlink=U(child_id=a, identity="nhs:9434765918", reason="r")),
             "unlink.identity: not a valid NHS number"),
            (dict(unlink=U(child_id=a, identity="upn:A801200005001", reason="r")),
             "unlink.identity: not a valid UPN"),
            (dict(unlink=U(child_id=a, identity="local:navy:1", reason="r")),
             "unlink.identity: unknown agency"),
            (dict(unlink=U(child_id=a, identity="#0", reason="r")), "unlink.identity: #N"),
            (dict(unlink=U(child_id=a, identity="#x", reason="r")), "unlink.identity: #N"),
            (dict(unlink=U(child_id=a, identity="#2", reason="r")),
             "is not an identity of"),
            (dict(unlink=U(child_id=a, identity="upn:" + upn(150), reason="r")),
             "is not an identity of"),
            (dict(unlink=U(child_id=a, identity="nhs:" + nhs_number(150), reason="r")),
             "is every identity"),
            (dict(identities=pb.IdentitiesRequest(child_id="")), "identities.child_id: required"),
            (dict(identities=pb.IdentitiesRequest(child_id="C77777")),
             "identities.child_id: no such child"),
        ]
        for kw, want in cases:
            r = self.request(**kw)
            self.assertIn(want, r.error, kw)
            self.assertEqual(r.WhichOneof("result"), None)
        r = self.request(operator="", link=L(child_a=a, child_b=b, reason="r"))
        self.assertIn("operator: required", r.error)
        # Invalid UTF-8 in the reason, written by hand (protobuf's Python
        # API refuses to make it).
        from ffctest import len_field
        link = len_field(1, a.encode()) + len_field(2, b.encode()) + len_field(3, b"\xff\xfe")
        raw = len_field(1, b"alice") + len_field(16, link)
        r = self.d.control(raw)
        self.assertTrue(r.error, "invalid UTF-8 accepted")
        # Nothing changed, and the daemon still answers.
        self.assertNotEqual(self.lookup(child_id=a).child_id, self.lookup(child_id=b).child_id)
        self.assertEqual(self.ctl("identities", a).returncode, 0)
        # ffcctl's own usage errors.
        for args in (("link", a, b), ("link", a, "--reason", "r"), ("unlink", a, "--reason", "r"),
                     ("identities",), ("conflicts", "extra")):
            r = self.ctl(*args, ok=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.strip(), args)


if __name__ == "__main__":
    main()
