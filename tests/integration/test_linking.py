"""Identity linking through the real daemon: which child_id each named
child is filed under, by strong identifiers (NHS number, UPN, agency +
local_id), by demographics (names and date of birth, insensitive to case,
accents, spaces and punctuation; postcodes must agree where both have one),
and what happens when one concern names several identifiers."""

from ffctest import (DAY, DaemonTest, T0, concern, drain_alerts, main, nhs_number, pb, upn)

class Linking(DaemonTest):
    n = 0

    def child_of(self, c):
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertEqual(len(r.child_ids), len(c.children))
        return r.child_ids[0]

    def kid(self, agency=pb.POLICE, at=T0, **identity):
        """The child_id a new concern naming this one child is filed under."""
        Linking.n += 1
        return self.child_of(concern("k-%d" % Linking.n, agency=agency, at=at,
                                     children=[identity]))

    def lookup(self, **kw):
        r = self.d.child(**kw)
        self.assertEqual(r.error, "", kw)
        return r.child

    def test_same_nhs_number_across_agencies(self):
        nhs = nhs_number(5)
        a = self.kid(agency=pb.HEALTH, nhs_number=nhs)
        b = self.kid(agency=pb.POLICE, nhs_number=nhs)
        c = self.kid(agency=pb.EDUCATION, nhs_number=nhs[:3] + " " + nhs[3:6] + " " + nhs[6:])
        self.assertEqual(a, b)
        self.assertEqual(a, c)
        self.assertNotEqual(a, self.kid(agency=pb.HEALTH, nhs_number=nhs_number(6)))
        child = self.lookup(nhs_number=nhs)
        self.assertEqual(child.child_id, a)
        self.assertEqual(len(child.chronology), 3)
        self.assertEqual({e.agency for e in child.chronology},
                         {pb.HEALTH, pb.POLICE, pb.EDUCATION})

    def test_same_upn(self):
        u = upn(7)
        a = self.kid(agency=pb.EDUCATION, upn=u)
        b = self.kid(agency=pb.SOCIAL_CARE, upn=u.lower())
        self.assertEqual(a, b)
        t = upn(8, temporary=True)
        c = self.kid(agency=pb.EDUCATION, upn=t)
        self.assertEqual(c, self.kid(agency=pb.EDUCATION, upn=t.lower()))
        self.assertNotEqual(a, c)
        self.assertEqual(self.lookup(upn=u).child_id, a)

    def test_same_agency_and_local_id(self):
        p = self.kid(agency=pb.POLICE, local_id="WYP-1")
        q = self.kid(agency=pb.POLICE, local_id="WYP-1")
        self.assertEqual(p, q)
        # Another agency's id space: the same string is another person.
        o = self.kid(agency=pb.OTHER, local_id="WYP-1")
        h = self.kid(agency=pb.HEALTH, local_id="WYP-1")
        self.assertNotEqual(p, o)
        self.assertNotEqual(p, h)
        self.assertNotEqual(o, h)
        self.assertNotEqual(p, self.kid(agency=pb.POLICE, local_id="WYP-2"))

    def test_demographic_link(self):
        a = self.kid(agency=pb.POLICE, local_id="P-9", given_name="Siobh\u00e1n",
                     family_name="O'Brien", date_of_birth="2015-03-02", postcode="LS1 4AP")
        same = [
            dict(agency=pb.EDUCATION, upn=upn(9), given_name="SIOBHAN", family_name="OBRIEN",
                 date_of_birth="2015-03-02", postcode="ls14ap"),
            dict(agency=pb.HEALTH, given_name="siobhan", family_name="o brien",
                 date_of_birth="2015-03-02"),  # no postcode: nothing to disagree with
            dict(agency=pb.SOCIAL_CARE, given_name=" Siobhan ", family_name="O\u2019Brien",
                 date_of_birth="2015-03-02", postcode="LS1  4AP"),
        ]
        for kw in same:
            self.assertEqual(self.kid(**kw), a, kw)

    def test_demographic_punctuation_and_accents(self):
        a = self.kid(given_name="Zo\u00eb", family_name="Smith-Jones", date_of_birth="2014-01-05")
        self.assertEqual(a, self.kid(given_name="ZOE", family_name="Smith Jones",
                                     date_of_birth="2014-01-05"))
        self.assertEqual(a, self.kid(given_name="Zoe\u0308", family_name="SMITHJONES",
                                     date_of_birth="2014-01-05"))
        b = self.kid(given_name="Se\u00e1n", family_name="O\u2019Neill", date_of_birth="2013-06-07")
        self.assertEqual(b, self.kid(given_name="SEAN", family_name="o'neill",
                                     date_of_birth="2013-06-07"))

    def test_demographic_accents_beyond_latin1(self):
        """Vietnamese names carry accents from Latin Extended Additional
        (U+1EC5 in Nguy\u1ec5n): accent-insensitive means NGUYEN links."""
        a = self.kid(given_name="Minh", family_name="Nguy\u1ec5n", date_of_birth="2014-05-05")
        self.assertEqual(a, self.kid(given_name="MINH", family_name="NGUYEN",
                                     date_of_birth="2014-05-05"))

    def test_demographic_case_beyond_latin(self):
        """Case-insensitive in every script: \u0418\u0432\u0430\u043d\u043e\u0432 is
        \u0418\u0412\u0410\u041d\u041e\u0412."""
        a = self.kid(given_name="Ivan", family_name="\u0418\u0432\u0430\u043d\u043e\u0432",
                     date_of_birth="2014-05-06")
        self.assertEqual(a, self.kid(given_name="IVAN",
                                     family_name="\u0418\u0412\u0410\u041d\u041e\u0412",
                                     date_of_birth="2014-05-06"))

    def test_demographics_that_differ_do_not_link(self):
        a = self.kid(given_name="Amy", family_name="Jones", date_of_birth="2015-01-01",
                     postcode="LS6 2AB")
        for kw in (dict(given_name="Amy", family_name="Jones", date_of_birth="2015-01-01",
                        postcode="M1 1AA"),   # both have a postcode and they differ
                   dict(given_name="Ann", family_name="Jones", date_of_birth="2015-01-01"),
                   dict(given_name="Amy", family_name="Jonas", date_of_birth="2015-01-01"),
                   dict(given_name="Amy", family_name="Jones", date_of_birth="2015-01-02")):
            self.assertNotEqual(self.kid(agency=pb.HEALTH, **kw), a, kw)
        self.assertEqual(len(self.lookup(child_id=a).chronology), 1)

    def test_household(self):
        kids = [dict(nhs_number=nhs_number(20), given_name="Ella", family_name="Smith",
                     date_of_birth="2016-04-12"),
                dict(nhs_number=nhs_number(21), given_name="Noah", family_name="Smith",
                     date_of_birth="2019-10-30")]
        r = self.d.send_one(concern("house", children=kids))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertEqual(len(r.child_ids), 2)
        self.assertNotEqual(r.child_ids[0], r.child_ids[1])
        for cid, kid in zip(r.child_ids, kids):
            child = self.lookup(child_id=cid)
            self.assertEqual([e.concern_id for e in child.chronology], ["house"])
            self.assertEqual({i.nhs_number for i in child.identities}, {kid["nhs_number"]})
        # Each child is found again alone, in the order named.
        self.assertEqual(self.kid(nhs_number=nhs_number(21)), r.child_ids[1])
        self.assertEqual(self.kid(nhs_number=nhs_number(20)), r.child_ids[0])

    def test_several_identifiers_named_together_first(self):
        nhs, u = nhs_number(40), upn(40)
        both = self.kid(agency=pb.SOCIAL_CARE, nhs_number=nhs, upn=u)
        self.assertEqual(self.kid(agency=pb.HEALTH, nhs_number=nhs), both)
        self.assertEqual(self.kid(agency=pb.EDUCATION, upn=u), both)
        self.assertEqual(self.lookup(nhs_number=nhs).child_id, self.lookup(upn=u).child_id)

    def test_identifiers_named_together_later_join_histories(self):
        """A child known to health by NHS number and to a school by UPN
        becomes one child once a concern names both: one child_id, one
        chronology, and the rules judge the joined history (three agencies
        within three days: multi-agency RED)."""
        sub = self.d.subscribe(b"alert.red.multi-agency")
        nhs, u = nhs_number(41), upn(41)
        h = self.kid(agency=pb.HEALTH, at=T0, nhs_number=nhs)
        e = self.kid(agency=pb.EDUCATION, at=T0 + DAY, upn=u)
        self.assertNotEqual(h, e)
        self.kid(agency=pb.SOCIAL_CARE, at=T0 + 2 * DAY, nhs_number=nhs, upn=u)
        by_nhs, by_upn = self.lookup(nhs_number=nhs), self.lookup(upn=u)
        self.assertEqual(by_nhs.child_id, by_upn.child_id,
                         "NHS number and UPN named together still two children")
        self.assertEqual(len(by_nhs.chronology), 3)
        # The id either child had before still finds the joined child.
        self.assertEqual(self.lookup(child_id=h).child_id, by_nhs.child_id)
        self.assertEqual(self.lookup(child_id=e).child_id, by_nhs.child_id)
        red = drain_alerts(sub)
        self.assertEqual(len(red), 1, "joined history not judged: no multi-agency RED")
        self.assertEqual(red[0][1].child_id, by_nhs.child_id)

    def test_demographics_with_a_known_identifier_join_histories(self):
        """Police know a child by their id, name and date of birth; health
        by NHS number. A health concern naming the NHS number with the same
        name and date of birth links the two."""
        p = self.kid(agency=pb.POLICE, local_id="P-1", given_name="Amy", family_name="Jones",
                     date_of_birth="2015-01-01")
        h = self.kid(agency=pb.HEALTH, nhs_number=nhs_number(9))
        self.assertNotEqual(p, h)
        both = self.kid(agency=pb.HEALTH, nhs_number=nhs_number(9), given_name="Amy",
                        family_name="Jones", date_of_birth="2015-01-01")
        self.assertEqual(self.lookup(child_id=p).child_id, self.lookup(child_id=h).child_id,
                         "police and health records of one child not joined")
        self.assertEqual(self.lookup(child_id=both).child_id, self.lookup(child_id=p).child_id)

    def test_never_two_nhs_numbers(self):
        a = self.kid(agency=pb.HEALTH, nhs_number=nhs_number(30), family_name="Lee",
                     given_name="Max", date_of_birth="2016-01-01")
        b = self.kid(agency=pb.HEALTH, nhs_number=nhs_number(31), family_name="Lee",
                     given_name="Max", date_of_birth="2016-01-01")
        self.assertNotEqual(a, b)
        u = upn(30)
        c = self.kid(agency=pb.EDUCATION, upn=u, nhs_number=nhs_number(30))
        self.assertEqual(c, a)
        # A concern naming b's NHS number with a's UPN: a conflict for an
        # operator, nothing merged.
        self.kid(agency=pb.SOCIAL_CARE, nhs_number=nhs_number(31), upn=u)
        self.assertNotEqual(self.lookup(nhs_number=nhs_number(30)).child_id,
                            self.lookup(nhs_number=nhs_number(31)).child_id)
        for cid, nhs in ((a, nhs_number(30)), (b, nhs_number(31))):
            ids = self.lookup(child_id=cid).identities
            self.assertEqual({i.nhs_number for i in ids if i.nhs_number}, {nhs})


if __name__ == "__main__":
    main()
