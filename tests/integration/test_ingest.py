"""Ingest over the real socket: receipts on REQ and DEALER peers,
idempotency, and every rejection of the wire contract, each naming its
field, with the daemon still serving and nothing stored changed."""

import time
import unittest

import zmq

from ffctest import (DAY, DaemonTest, T0, collect_receipts, concern, len_field, main, nhs_check,
                     nhs_number, nhs_valid, now_ms, pb, upn, upn_valid)

ACCEPTED, DUPLICATE, REJECTED = pb.Receipt.ACCEPTED, pb.Receipt.DUPLICATE, pb.Receipt.REJECTED
KNOWN_NHS = "9434765919"


class ReferenceVectors(unittest.TestCase):
    """The harness's own identifier code agrees with the contract's
    reference vectors, so the identifiers the other tests build are right
    independently of the daemon."""

    def test_nhs(self):
        for good in ("9434765919", "9876543210", "4010232137", "6716689966", "943 476 5919"):
            self.assertTrue(nhs_valid(good), good)
        for bad in ("9434765918", "9990000000", "0000000000", "1111111111", "94347659A9"):
            self.assertFalse(nhs_valid(bad), bad)
        self.assertEqual(nhs_check("999000000"), 10)
        self.assertEqual(nhs_check("987654321"), 0)
        self.assertTrue(all(nhs_valid(nhs_number(i)) for i in range(500)))

    def test_upn(self):
        for good in ("B801200005001", "A123456789012", "L20130000100A", "X20130000100Z"):
            self.assertTrue(upn_valid(good), good)
        for bad in ("A801200005001", "B123456789012"):
            self.assertFalse(upn_valid(bad), bad)
        self.assertTrue(all(upn_valid(upn(i)) and upn_valid(upn(i, temporary=True))
                            for i in range(500)))


class Receipts(DaemonTest):
    def test_accepted_has_seq_and_child(self):
        r = self.d.send_one(concern("p-1"))
        self.assertEqual(r.status, ACCEPTED, r.error)
        self.assertEqual(r.concern_id, "p-1")
        self.assertGreater(r.seq, 0)
        self.assertEqual(len(r.child_ids), 1)
        self.assertNotEqual(r.child_ids[0], "")
        self.assertEqual(r.error, "")
        r2 = self.d.send_one(concern("p-2"))
        self.assertEqual(r2.status, ACCEPTED, r2.error)
        self.assertGreater(r2.seq, r.seq)
        self.assertEqual(list(r2.child_ids), list(r.child_ids))  # the same child
        self.assertEqual(self.d.child(child_id=r.child_ids[0]).child.child_id, r.child_ids[0])

    def test_req_socket_lock_step(self):
        s = self.d.socket(zmq.REQ)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(self.d.ingest_ep)
        seqs = []
        for i in range(5):
            s.send(concern("req-%d" % i).SerializeToString())
            self.assertTrue(s.poll(10000), "no receipt for req-%d" % i)
            r = pb.Receipt()
            r.ParseFromString(s.recv())
            self.assertEqual(r.concern_id, "req-%d" % i)
            self.assertEqual(r.status, ACCEPTED, r.error)
            seqs.append(r.seq)
        self.assertEqual(seqs, sorted(set(seqs)))
        s.close()

    def test_envelope_echoed(self):
        """A REQ peer's empty delimiter frame comes back before the receipt;
        a DEALER without one gets the receipt alone."""
        s = self.d.dealer()
        s.send_multipart([b"", concern("env-1").SerializeToString()])
        self.assertTrue(s.poll(10000))
        frames = s.recv_multipart()
        self.assertEqual(len(frames), 2, frames)
        self.assertEqual(frames[0], b"")
        r = pb.Receipt()
        r.ParseFromString(frames[1])
        self.assertEqual((r.concern_id, r.status), ("env-1", ACCEPTED))
        s.send(concern("env-2").SerializeToString())
        self.assertTrue(s.poll(10000))
        frames = s.recv_multipart()
        self.assertEqual(len(frames), 1, frames)
        r.ParseFromString(frames[0])
        self.assertEqual((r.concern_id, r.status), ("env-2", ACCEPTED))
        s.close()

    def test_pipelined_many_in_flight(self):
        cs = [concern("pipe-%d" % i, children=[dict(nhs_number=nhs_number(i))])
              for i in range(500)]
        rs = self.d.send(cs)
        self.assertEqual(sorted(r.concern_id for r in rs), sorted(c.concern_id for c in cs))
        self.assertTrue(all(r.status == ACCEPTED for r in rs), [r.error for r in rs][:3])
        self.assertEqual(len({r.seq for r in rs}), 500)
        self.assertEqual(self.d.status().concerns, 500)

    def test_many_peers_get_their_own_receipts(self):
        peers = [self.d.dealer() for _ in range(4)]
        sent = {}
        for i in range(200):
            for p, s in enumerate(peers):
                cid = "peer%d-%d" % (p, i)
                sent.setdefault(p, set()).add(cid)
                s.send(concern(cid, children=[dict(nhs_number=nhs_number(p * 1000 + i))])
                       .SerializeToString())
        req = self.d.socket(zmq.REQ)
        req.setsockopt(zmq.LINGER, 0)
        req.connect(self.d.ingest_ep)
        req.send(concern("req-among-dealers").SerializeToString())
        for p, s in enumerate(peers):
            rs = collect_receipts(s, 200)
            self.assertEqual({r.concern_id for r in rs}, sent[p])
            self.assertTrue(all(r.status == ACCEPTED for r in rs))
            self.assertFalse(s.poll(100))
            s.close()
        self.assertTrue(req.poll(10000))
        r = pb.Receipt()
        r.ParseFromString(req.recv())
        self.assertEqual(r.concern_id, "req-among-dealers")
        req.close()
        self.assertEqual(self.d.status().concerns, 801)

    def test_duplicate_and_reuse(self):
        first = self.d.send_one(concern("dup-1", summary="same"))
        self.assertEqual(first.status, ACCEPTED)
        again = self.d.send_one(concern("dup-1", summary="same"))
        self.assertEqual(again.status, DUPLICATE)
        self.assertEqual(again.seq, first.seq)
        self.assertEqual(list(again.child_ids), list(first.child_ids))
        changed = self.d.send_one(concern("dup-1", summary="different"))
        self.assertEqual(changed.status, REJECTED)
        self.assertEqual(changed.error, "concern_id: reused with different content")
        self.assertEqual(changed.seq, 0)
        # Nothing of the rejected one was stored.
        chron = self.d.child(child_id=first.child_ids[0]).child.chronology
        self.assertEqual([(e.concern_id, e.summary) for e in chron], [("dup-1", "same")])
        # The same concern_id from another agency is another concern.
        other = self.d.send_one(concern("dup-1", agency=pb.HEALTH, summary="different"))
        self.assertEqual(other.status, ACCEPTED, other.error)
        self.assertNotEqual(other.seq, first.seq)
        self.assertEqual(self.d.status().concerns, 2)
        self.assertEqual(self.d.send_one(concern("dup-1", agency=pb.HEALTH, summary="different"))
                         .seq, other.seq)

    def test_duplicate_is_judged_on_content_not_bytes(self):
        """The same Concern encoded with its fields in another order (as
        protobuf allows) is the same content."""
        full = concern("enc-1", summary="s", reporter="r", source_system="sys")
        first = self.d.send_one(full)
        self.assertEqual(first.status, ACCEPTED)
        rest = pb.Concern()
        rest.CopyFrom(full)
        rest.ClearField("summary")
        rest.ClearField("reporter")
        reordered = (pb.Concern(reporter="r", summary="s").SerializeToString()
                     + rest.SerializeToString())
        self.assertNotEqual(reordered, full.SerializeToString())
        r = self.d.send_one(reordered)
        self.assertEqual((r.status, r.seq), (DUPLICATE, first.seq), r.error)

    def test_in_flight_duplicates(self):
        """The same concern twice in one burst (one batch): stored once."""
        rs = self.d.send([concern("burst", summary="1"), concern("burst", summary="1"),
                          concern("burst", summary="2")])
        by_status = sorted(rs, key=lambda r: r.status)
        self.assertEqual([r.status for r in by_status], [ACCEPTED, DUPLICATE, REJECTED])
        self.assertEqual(by_status[1].seq, by_status[0].seq)
        self.assertEqual(by_status[2].error, "concern_id: reused with different content")
        self.assertEqual(self.d.status().concerns, 1)

    def test_stats_count_receipts(self):
        self.d.send([concern("s-%d" % i, agency=(pb.POLICE, pb.HEALTH, pb.HEALTH)[i])
                     for i in range(3)])
        self.d.send_one(concern("s-0"))
        self.d.send_one(concern(""))
        self.d.send_one(b"\xff")
        st = self.d.stats()
        self.assertEqual(counters(st.receipts_by_status),
                         {"ACCEPTED": 3, "DUPLICATE": 1, "REJECTED": 2})
        self.assertEqual(counters(st.concerns_by_agency), {"POLICE": 1, "HEALTH": 2})
        self.assertEqual(sum(counters(st.rejects_by_reason).values()), 2)
        self.assertEqual((st.concerns, st.children), (3, 1))
        self.assertGreater(st.batches, 0)

    def test_unknown_fields_are_accepted(self):
        """Fields may be added to ffc.v1: a newer adapter's concern is
        accepted by this daemon."""
        data = concern("newer").SerializeToString() + len_field(100, b"a future field")
        data += b"\xa8\x06\x07"  # field 101, varint 7
        r = self.d.send_one(data)
        self.assertEqual(r.status, ACCEPTED, r.error)


def valid(**kw):
    kw.setdefault("children", [dict(nhs_number=KNOWN_NHS)])
    return concern("v", **kw)


def with_child(**kid):
    return concern("c", children=[kid])


def counters(cs):
    return {c.name: c.count for c in cs}


class Rejections(DaemonTest):
    """Each bad concern: REJECTED with the field named, nothing stored, and
    a good concern straight after is accepted."""

    def setUp(self):
        super().setUp()
        # A child already known, named by most of the bad concerns below:
        # a rejection must not touch it.
        r = self.d.send_one(concern("known", children=[dict(nhs_number=KNOWN_NHS)]))
        self.assertEqual(r.status, ACCEPTED, r.error)
        self.known = r.child_ids[0]
        self.n = 0

    def snapshot(self):
        st = self.d.stats()
        known = self.d.child(child_id=self.known).child
        return (st.concerns, st.children, st.alerts, counters(st.concerns_by_agency),
                [e.concern_id for e in known.chronology], len(known.identities))

    def reject(self, c, field, rule=None):
        before = self.snapshot()
        stats = self.d.stats()
        r = self.d.send_one(c)
        self.assertEqual(r.status, REJECTED, "%s accepted (%s)" % (field, r))
        self.assertTrue(r.error.startswith(field + ":"),
                        "%r does not name %s" % (r.error, field))
        if rule:
            self.assertIn(rule, r.error)
        self.assertEqual(r.seq, 0)
        self.assertEqual(len(r.child_ids), 0)
        if isinstance(c, pb.Concern):
            self.assertEqual(r.concern_id, c.concern_id)
        self.assertEqual(self.snapshot(), before, "a rejected concern changed the store")
        after = self.d.stats()
        self.assertEqual(sum(counters(after.rejects_by_reason).values()),
                         sum(counters(stats.rejects_by_reason).values()) + 1)
        # Still serving.
        self.n += 1
        ok = self.d.send_one(concern("after-%d" % self.n,
                                     children=[dict(nhs_number=nhs_number(self.n))]))
        self.assertEqual(ok.status, ACCEPTED, ok.error)
        return r

    def accept(self, c):
        r = self.d.send_one(c)
        self.assertEqual(r.status, ACCEPTED, "%s: %s" % (c, r.error))
        return r

    def test_unparseable(self):
        whole = valid().SerializeToString()
        for junk in (b"\xff\xff\xff\xff\x0f", whole[:-1], b"\x0a\x10abc",
                     b"\x08\x01\x0b"):
            before = self.snapshot()
            r = self.d.send_one(junk)
            self.assertEqual(r.status, REJECTED, junk)
            self.assertEqual(r.concern_id, "")
            self.assertNotEqual(r.error, "")
            self.assertEqual(self.snapshot(), before)
        self.accept(concern("after-junk"))
        # An empty frame is an empty Concern: no concern_id.
        self.reject(b"", "concern_id")

    def test_over_size_limit(self):
        def frame(total):
            base = concern("size-%d" % total).SerializeToString()
            for pad in range(total - len(base) - 6, total - len(base)):
                f = base + len_field(100, b"p" * pad)
                if len(f) == total:
                    return f
            raise AssertionError("cannot pad to %d" % total)
        r = self.d.send_one(frame(65537))
        self.assertEqual(r.status, REJECTED)
        self.assertNotEqual(r.error, "")
        self.accept(frame(65536))  # 64 KiB is not over the limit
        # Much larger: still an answer, and the daemon serves on.
        big = valid().SerializeToString() + len_field(9, b"a" * (200 * 1024))
        r = self.d.send_one(big)
        self.assertEqual(r.status, REJECTED)
        self.accept(concern("after-big"))
        self.assertEqual(self.d.status().concerns, 3)

    def test_concern_id(self):
        self.reject(concern(""), "concern_id", "empty")
        self.reject(concern("x" * 129), "concern_id", "128")
        self.reject(concern("tab\there"), "concern_id", "printable")
        self.reject(concern("del\x7f"), "concern_id", "printable")
        self.reject(concern("caf\u00e9"), "concern_id")
        self.reject(concern("nl\n"), "concern_id")
        self.accept(concern("x" * 128))
        self.accept(concern("~!#-_.:/ok"))

    def test_concern_id_with_nul(self):
        """NUL is not printable ASCII: the id must not be cut at it and
        taken for another."""
        r = self.d.send_one(concern("nul\x00tail"))
        self.assertEqual(r.status, REJECTED, "concern_id with NUL accepted as %r" % r.concern_id)
        self.assertTrue(r.error.startswith("concern_id:"), r.error)

    def test_strings_with_nul_are_not_truncated(self):
        """A string with a NUL in it is valid UTF-8: stored whole, or
        rejected, but never stored cut short (then a different concern
        under the same id would pass for a DUPLICATE)."""
        r = self.d.send_one(concern("nul-sum", summary="first part\x00second part"))
        if r.status == REJECTED:
            self.assertTrue(r.error.startswith("summary:"), r.error)
            return
        chron = self.d.child(child_id=r.child_ids[0]).child.chronology
        stored = [e.summary for e in chron if e.concern_id == "nul-sum"]
        self.assertEqual(stored, ["first part\x00second part"])
        other = self.d.send_one(concern("nul-sum", summary="first part\x00OTHER"))
        self.assertEqual(other.status, REJECTED, "different content taken for a duplicate")

    def test_concern_id_invalid_utf8(self):
        """The receipt for a concern_id that is not UTF-8 must still be a
        Receipt a strict protobuf library (Python's, Go's) can parse: a
        string field holding invalid UTF-8 is not one."""
        data = valid().SerializeToString() + len_field(1, b"id\xff")
        raw = self.d.send_raw(data)
        r = pb.Receipt()
        try:
            r.ParseFromString(raw)
        except Exception as e:  # google.protobuf.message.DecodeError
            self.fail("receipt does not parse (%s): %r" % (e, raw))
        self.assertEqual(r.status, REJECTED)
        self.assertTrue(r.error.startswith("concern_id:"), r.error)
        self.assertEqual(self.d.send_one(concern("after-bad-id")).status, ACCEPTED)

    def test_nhs_number_with_nul(self):
        self.reject(with_child(nhs_number=KNOWN_NHS + "\x00junk"), "children[0].nhs_number")

    def test_enums(self):
        for field in ("agency", "category", "severity"):
            for value in (0, 99, -1):
                self.reject(valid(**{field: value}), field)
        self.reject(valid(category=16), "category")
        self.reject(valid(severity=5), "severity")
        self.reject(valid(agency=6), "agency")
        self.accept(concern("all-known", agency=pb.OTHER, category=pb.OTHER_CONCERN,
                            severity=pb.LOW))

    def test_children(self):
        self.reject(concern("none", children=[]), "children")
        many = [dict(nhs_number=nhs_number(100 + i)) for i in range(33)]
        self.reject(concern("33", children=many), "children")
        r = self.accept(concern("32", children=many[:32]))
        self.assertEqual(len(r.child_ids), 32)
        self.assertEqual(len(set(r.child_ids)), 32)
        self.reject(with_child(given_name="Ella"), "children[0]", "identity")
        self.reject(with_child(family_name="Smith"), "children[0]")
        self.reject(with_child(given_name="Ella", family_name="Smith", postcode="LS1 4AP"),
                    "children[0]")
        self.reject(with_child(date_of_birth="2015-03-02", given_name="Ella"), "children[0]")
        self.reject(with_child(postcode="LS1 4AP"), "children[0]")
        self.reject(concern("2nd", children=[dict(nhs_number=KNOWN_NHS), dict(postcode="LS1 4AP")]),
                    "children[1]")
        self.accept(concern("local", children=[dict(local_id="WYP-77")]))
        self.accept(concern("demo", children=[dict(family_name="Smith",
                                                   date_of_birth="2015-03-02")]))
        self.accept(concern("upn-only", agency=pb.EDUCATION, children=[dict(upn=upn(1))]))

    def test_nhs_number(self):
        self.reject(with_child(nhs_number="9434765918"), "children[0].nhs_number", "check digit")
        self.reject(with_child(nhs_number="9990000000"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="0000000000"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="1111111111"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="94347659"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="94347659190"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="943-476-5919"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="94347659A9"), "children[0].nhs_number")
        self.reject(with_child(nhs_number="ABCDEFGHIJ"), "children[0].nhs_number")
        # The NHS number is checked even when another identifier is usable.
        self.reject(with_child(nhs_number="9434765918", local_id="P-1"),
                    "children[0].nhs_number")
        self.reject(concern("2nd", children=[dict(nhs_number=KNOWN_NHS),
                                             dict(nhs_number="9434765918")]),
                    "children[1].nhs_number")
        for good in ("9434765919", "9876543210", "4010232137", "6716689966", "943 476 5919"):
            self.accept(concern("nhs-" + good.replace(" ", "_"),
                                children=[dict(nhs_number=good)]))

    def test_upn(self):
        self.reject(with_child(upn="A801200005001"), "children[0].upn", "check")
        self.reject(with_child(upn="B123456789012"), "children[0].upn", "check")
        self.reject(with_child(upn="B80120000500"), "children[0].upn")
        self.reject(with_child(upn="B8012000050011"), "children[0].upn")
        self.reject(with_child(upn="8801200005001"), "children[0].upn")
        self.reject(with_child(upn="B80120000X001"), "children[0].upn")
        for i, good in enumerate(("B801200005001", "A123456789012", "L20130000100A",
                                  "X20130000100Z", upn(42), upn(43, temporary=True))):
            self.accept(concern("upn-%d" % i, agency=pb.EDUCATION, children=[dict(upn=good)]))

    def test_date_of_birth(self):
        for bad in ("2023-02-29", "2015-13-01", "2015-04-31", "2015-00-10", "02/03/2015",
                    "2015-3-2", "yesterday"):
            self.reject(with_child(family_name="Smith", date_of_birth=bad),
                        "children[0].date_of_birth")
        future = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 2 * 86400))
        self.reject(with_child(family_name="Smith", date_of_birth=future),
                    "children[0].date_of_birth", "future")
        # With another usable identifier the date is still checked.
        self.reject(with_child(nhs_number=KNOWN_NHS, date_of_birth="2023-02-29"),
                    "children[0].date_of_birth")
        self.accept(concern("leap", children=[dict(family_name="Smith",
                                                   date_of_birth="2024-02-29")]))
        self.accept(concern("y2k", children=[dict(family_name="Smith",
                                                  date_of_birth="2000-02-29")]))

    def test_occurred_at(self):
        self.reject(valid(at=0), "occurred_at_ms")
        self.reject(valid(at=now_ms() + 6 * 60 * 1000), "occurred_at_ms")
        self.reject(valid(at=now_ms() + 365 * DAY), "occurred_at_ms")
        self.accept(concern("soon", at=now_ms() + 4 * 60 * 1000))
        self.accept(concern("long-ago", at=T0 - 3000 * DAY))

    def test_summary_length_in_bytes(self):
        self.reject(valid(summary="s" * 4097), "summary", "4096")
        # 2049 characters but 4098 bytes of UTF-8.
        self.reject(valid(summary="\u00e9" * 2049), "summary")
        self.accept(concern("4096", summary="s" * 4096))
        self.accept(concern("2048e", summary="\u00e9" * 2048))

    def test_invalid_utf8(self):
        """Python will not put invalid UTF-8 in a str field: the fields are
        written by hand and appended to a valid concern (the last value of a
        string field is the one that counts)."""
        bad_sequences = (b"\xff", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82",
                         b"\xf4\x90\x80\x80", b"ok\xfe")
        for field, number in (("source_system", 3), ("summary", 9), ("reporter", 10)):
            for bad in bad_sequences:
                data = valid().SerializeToString() + len_field(number, b"x" + bad)
                self.reject(data, field, "UTF-8")
        base = concern("kid-utf8", children=[]).SerializeToString()
        for field, number in (("local_id", 3), ("given_name", 4), ("family_name", 5),
                              ("postcode", 7)):
            for bad in (b"Sm\xc0\xafith", b"\xed\xa0\x80"):
                kid = len_field(1, KNOWN_NHS.encode()) + len_field(number, bad)
                self.reject(base + len_field(4, kid), "children[0].%s" % field, "UTF-8")
        # The second child's field is named as the second child's.
        kid0 = len_field(1, KNOWN_NHS.encode())
        kid1 = len_field(3, b"P-1") + len_field(4, b"\xff")
        self.reject(base + len_field(4, kid0) + len_field(4, kid1), "children[1].given_name")
        self.accept(concern("utf8-ok", summary="Zo\u00eb \u2014 \U0001F600",
                            reporter="\u0141\u00f3d\u017a"))


if __name__ == "__main__":
    main()
