"""Ingest over the real socket: receipts, idempotency and every rejection of
the wire contract, each naming its field, with the daemon still serving and
nothing stored changed."""

import time

import zmq

from ffctest import (DAY, T0, DaemonTest, concern, main, nhs_number, now_ms, pb,
                     upn)


class Receipts(DaemonTest):
    def test_accepted_has_seq_and_child(self):
        r = self.d.send_one(concern("p-1"))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED)
        self.assertEqual(r.concern_id, "p-1")
        self.assertEqual(r.seq, 1)
        self.assertEqual(len(r.child_ids), 1)
        self.assertTrue(r.child_ids[0].startswith("C"))
        self.assertEqual(r.error, "")

    def test_req_socket_lock_step(self):
        s = self.d.ctx.socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(self.d.ingest_ep)
        for i in range(3):
            s.send(concern("req-%d" % i).SerializeToString())
            self.assertTrue(s.poll(10000))
            r = pb.Receipt()
            r.ParseFromString(s.recv())
            self.assertEqual(r.concern_id, "req-%d" % i)
            self.assertEqual(r.status, pb.Receipt.ACCEPTED)
        s.close()

    def test_pipelined_many_in_flight(self):
        cs = [concern("pipe-%d" % i, children=[dict(nhs_number=nhs_number(i))])
              for i in range(500)]
        rs = self.d.send(cs)
        self.assertEqual(sorted(r.concern_id for r in rs), sorted(c.concern_id for c in cs))
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in rs))
        self.assertEqual(sorted(r.seq for r in rs), list(range(1, 501)))
        self.assertEqual(self.d.status().concerns, 500)

    def test_duplicate_and_reuse(self):
        first = self.d.send_one(concern("dup-1", summary="same"))
        again = self.d.send_one(concern("dup-1", summary="same"))
        self.assertEqual(again.status, pb.Receipt.DUPLICATE)
        self.assertEqual(again.seq, first.seq)
        self.assertEqual(list(again.child_ids), list(first.child_ids))
        changed = self.d.send_one(concern("dup-1", summary="different"))
        self.assertEqual(changed.status, pb.Receipt.REJECTED)
        self.assertEqual(changed.error, "concern_id: reused with different content")
        other_agency = self.d.send_one(concern("dup-1", agency=pb.HEALTH, summary="same"))
        self.assertEqual(other_agency.status, pb.Receipt.ACCEPTED)
        self.assertEqual(self.d.status().concerns, 2)


def valid(**kw):
    kw.setdefault("children", [dict(nhs_number="9434765919")])
    return concern("v", **kw)


def with_child(**kid):
    return concern("c", children=[kid])


class Rejections(DaemonTest):
    """Each bad concern: REJECTED with the field named, nothing stored, and a
    good concern straight after is accepted."""

    def reject(self, c, field, rule=None):
        before = self.d.stats()
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.REJECTED, r)
        self.assertTrue(r.error.startswith(field + ":"), "%r does not name %s" % (r.error, field))
        if rule:
            self.assertIn(rule, r.error)
        self.assertEqual(r.seq, 0)
        self.assertEqual(len(r.child_ids), 0)
        after = self.d.stats()
        self.assertEqual(after.concerns, before.concerns)
        self.assertEqual(after.children, before.children)
        ok = self.d.send_one(concern("after-%d" % time.monotonic_ns()))
        self.assertEqual(ok.status, pb.Receipt.ACCEPTED)
        return r

    def test_unparseable(self):
        r = self.reject(b"\xff\xff\xff\xff\x0f", "frame")
        self.assertEqual(r.concern_id, "")

    def test_over_size_limit(self):
        # A summary field (9) of 65539 bytes, written by hand: the frame is
        # over the default limit of 64 KiB.
        big = valid().SerializeToString() + b"\x4a\x83\x80\x04" + b"a" * 65539
        self.reject(big, "frame", "over the limit")

    def test_concern_id(self):
        self.reject(concern(""), "concern_id", "empty")
        self.reject(concern("x" * 129), "concern_id", "128")
        self.reject(concern("tab\there"), "concern_id", "printable")
        self.assertEqual(self.d.send_one(concern("x" * 128)).status, pb.Receipt.ACCEPTED)

    def test_enums(self):
        self.reject(valid(agency=0), "agency")
        self.reject(valid(agency=99), "agency")
        self.reject(valid(category=0), "category")
        self.reject(valid(category=16), "category")
        self.reject(valid(severity=0), "severity")
        self.reject(valid(severity=5), "severity")

    def test_children(self):
        self.reject(concern("none", children=[]), "children")
        many = [dict(nhs_number=nhs_number(i)) for i in range(33)]
        self.reject(concern("33", children=many), "children")
        self.assertEqual(self.d.send_one(concern("32", children=many[:32])).status,
                         pb.Receipt.ACCEPTED)
        self.reject(with_child(given_name="Ella"), "children[0]", "usable identity")
        self.reject(with_child(family_name="Smith"), "children[0]")
        self.reject(concern("2nd", children=[dict(nhs_number="9434765919"), dict(postcode="LS1 4AP")]),
                    "children[1]")

    def test_nhs_number(self):
        self.reject(with_child(nhs_number="9434765918"), "children[0].nhs_number", "check digit")
        self.reject(with_child(nhs_number="9990000000"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="0000000000"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="94347659"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="943-476-5919"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="94347659A9"), "children[0].nhs_number")
        for good in ("9434765919", "9876543210", "4010232137", "6716689966", "943 476 5919"):
            r = self.d.send_one(concern("nhs-" + good.replace(" ", "_"),
                                        children=[dict(nhs_number=good)]))
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, good)

    def test_upn(self):
        self.reject(with_child(upn="A801200005001"), "children[0].upn", "check")
        self.reject(with_child(upn="B123456789012"), "children[0].upn", "check")
        self.reject(with_child(upn="B80120000500"), "children[0].upn")
        for i, good in enumerate(("B801200005001", "A123456789012", "L20130000100A",
                                  "X20130000100Z", upn(42))):
            r = self.d.send_one(concern("upn-%d" % i, agency=pb.EDUCATION,
                                        children=[dict(upn=good)]))
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, good)

    def test_date_of_birth(self):
        self.reject(with_child(family_name="Smith", date_of_birth="2023-02-29"),
                    "children[0].date_of_birth")
        self.reject(with_child(family_name="Smith", date_of_birth="2015-13-01"),
                    "children[0].date_of_birth")
        self.reject(with_child(family_name="Smith", date_of_birth="02/03/2015"),
                    "children[0].date_of_birth")
        self.reject(with_child(family_name="Smith", date_of_birth="2099-01-01"),
                    "children[0].date_of_birth", "future")
        r = self.d.send_one(concern("leap", children=[dict(family_name="Smith",
                                                           date_of_birth="2024-02-29")]))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED)

    def test_occurred_at(self):
        self.reject(valid(at=0), "occurred_at_ms", "missing")
        self.reject(valid(at=now_ms() + 6 * 60 * 1000), "occurred_at_ms", "future")
        r = self.d.send_one(concern("soon", at=now_ms() + 4 * 60 * 1000))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED)

    def test_summary_and_utf8(self):
        self.reject(valid(summary="s" * 4097), "summary", "4096")
        self.assertEqual(self.d.send_one(concern("4096", summary="s" * 4096)).status,
                         pb.Receipt.ACCEPTED)
        # Python will not put invalid UTF-8 in a str field: write the field by hand.
        base = valid().SerializeToString()
        bad = b"\x52\x03\xff\xfe\xfd"  # field 10 (reporter), 3 bytes of invalid UTF-8
        self.reject(base + bad, "reporter", "UTF-8")
        name = b"Sm\xc0\xafith"  # an overlong encoding of "/"
        inner = b"\x0a\x0a9434765919" + b"\x2a" + bytes([len(name)]) + name
        bad_name = concern("n", children=[]).SerializeToString() + \
            b"\x22" + bytes([len(inner)]) + inner
        self.reject(bad_name, "children[0].family_name", "UTF-8")


class Linking(DaemonTest):
    def child_of(self, c):
        r = self.d.send_one(c)
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        return r.child_ids[0]

    def test_strong_identifiers(self):
        nhs = nhs_number(5)
        a = self.child_of(concern("h1", agency=pb.HEALTH, children=[dict(nhs_number=nhs)]))
        b = self.child_of(concern("p1", agency=pb.POLICE,
                                  children=[dict(nhs_number=nhs[:3] + " " + nhs[3:])]))
        self.assertEqual(a, b)
        u = upn(7)
        c = self.child_of(concern("e1", agency=pb.EDUCATION, children=[dict(upn=u)]))
        d = self.child_of(concern("e2", agency=pb.EDUCATION, children=[dict(upn=u.lower())]))
        self.assertEqual(c, d)
        self.assertNotEqual(a, c)
        p = self.child_of(concern("p2", children=[dict(local_id="WYP-1")]))
        q = self.child_of(concern("p3", children=[dict(local_id="WYP-1")]))
        o = self.child_of(concern("o1", agency=pb.OTHER, children=[dict(local_id="WYP-1")]))
        self.assertEqual(p, q)
        self.assertNotEqual(p, o)

    def test_demographics(self):
        a = self.child_of(concern("p1", children=[dict(
            local_id="P-9", given_name="Siobhán", family_name="O'Brien",
            date_of_birth="2015-03-02", postcode="LS1 4AP")]))
        b = self.child_of(concern("e1", agency=pb.EDUCATION, children=[dict(
            upn=upn(9), given_name="SIOBHAN", family_name="OBRIEN",
            date_of_birth="2015-03-02", postcode="ls14ap")]))
        self.assertEqual(a, b)
        c = self.child_of(concern("h1", agency=pb.HEALTH, children=[dict(
            given_name="siobhan", family_name="o brien", date_of_birth="2015-03-02")]))
        self.assertEqual(a, c)
        moved = self.child_of(concern("h2", agency=pb.HEALTH, children=[dict(
            given_name="Siobhan", family_name="OBrien", date_of_birth="2015-03-02",
            postcode="M1 1AA")]))
        self.assertNotEqual(a, moved)

    def test_household(self):
        kids = [dict(nhs_number=nhs_number(20)), dict(nhs_number=nhs_number(21))]
        r = self.d.send_one(concern("house", children=kids))
        self.assertEqual(len(r.child_ids), 2)
        self.assertNotEqual(r.child_ids[0], r.child_ids[1])
        for cid in r.child_ids:
            chron = self.d.child(child_id=cid).child.chronology
            self.assertEqual([e.concern_id for e in chron], ["house"])

    def test_never_two_nhs_numbers(self):
        a = self.child_of(concern("h1", agency=pb.HEALTH, children=[dict(
            nhs_number=nhs_number(30), family_name="Lee", given_name="Max",
            date_of_birth="2016-01-01")]))
        b = self.child_of(concern("h2", agency=pb.HEALTH, children=[dict(
            nhs_number=nhs_number(31), family_name="Lee", given_name="Max",
            date_of_birth="2016-01-01")]))
        self.assertNotEqual(a, b)
        ids = self.d.child(child_id=a).child.identities
        self.assertEqual({i.nhs_number for i in ids if i.nhs_number}, {nhs_number(30)})


if __name__ == "__main__":
    main()
