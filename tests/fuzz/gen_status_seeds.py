#!/usr/bin/python3
"""Writes the social care status seeds: ChildStatus frames (a Concern
holding only child_status) for fuzz_concern, and batches of them beside
concerns for fuzz_ingest (2-byte big-endian length then the frame), about
the children fuzz_ingest's store holds (Ella: NHS number 4000000071; Noah:
UPN X801200000001): each kind, versions of one status_id, a plan arriving
after the concerns it covers, a frame that is both a concern and a status,
impossible dates and times.

usage: FFC_PB2=build-test/gen/python /usr/bin/python3 tests/fuzz/gen_status_seeds.py tests/fuzz/corpus
"""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.environ.get("FFC_PB2", "build-test/gen/python"))
import ffc_pb2 as pb  # noqa: E402

NOW = 1793491200000  # the targets' clock: 2026-11-01T00:00:00Z
DAY = 86400000
ELLA = dict(nhs_number="4000000071", given_name="Ella", family_name="Smith",
            date_of_birth="2016-04-12")
NOAH = dict(upn="X801200000001")


def S(sid, kid=ELLA, kind=pb.CHILD_PROTECTION_PLAN, category=pb.PLAN_NEGLECT, legal=0,
      start="2026-09-01", end="", recorded=NOW - DAY, **concern_fields):
    c = pb.Concern(**concern_fields)
    s = c.child_status
    s.status_id, s.kind, s.category, s.legal_status = sid, kind, category, legal
    s.start_date, s.end_date, s.recorded_at_ms = start, end, recorded
    s.local_authority, s.social_worker = "Leeds City Council", "Sam Patel"
    s.social_worker_contact = "0113 000 0000"
    s.child.CopyFrom(pb.ChildIdentity(**kid))
    return c.SerializeToString()


def C(cid, category=pb.WAS_NOT_BROUGHT, at=NOW - 10 * DAY, kid=ELLA):
    c = pb.Concern(concern_id=cid, agency=pb.HEALTH, category=category, severity=pb.LOW,
                   occurred_at_ms=at, reported_at_ms=at)
    c.children.add(**kid)
    return c.SerializeToString()


def batch(*frames):
    return b"".join(struct.pack(">H", len(f)) + f for f in frames)


frames = [
    S("cp-1"),
    S("la-1", kid=NOAH, kind=pb.LOOKED_AFTER, category=0, legal=pb.CARE_ORDER),
    S("cin-1", kind=pb.CHILD_IN_NEED, category=0, start="2026-01-01", end="2026-06-30"),
    S("pb-1", kid=dict(local_id="unborn-1"), kind=pb.PRE_BIRTH_PLAN, category=0),
    S("both", concern_id="x", agency=pb.SOCIAL_CARE),
    S("dates", start="2026-02-30", end="2025-01-01"),
    S("times", recorded=-(2 ** 63)),
    S("kinds", kind=99, category=-1, legal=1000),
    S("cp-1", end="2026-10-01", recorded=NOW - DAY + 1),
    S("same-day", start="2026-10-01", end="2026-10-01"),
]
batches = [
    batch(S("cp-1"), C("wnb-1")),
    batch(C("wnb-2", at=NOW - 5 * DAY), S("cp-2", start="2026-10-01")),
    batch(S("cp-3"), S("cp-3"), S("cp-3", recorded=NOW), S("cp-3", kind=pb.CHILD_IN_NEED,
                                                           category=0, recorded=NOW + 1)),
    batch(S("cp-4", kid=dict(nhs_number="4000000071", upn="X801200000001")), C("abs-1",
          category=pb.EDUCATION_ABSENCE, kid=NOAH)),
    batch(S("both", concern_id="x"), b"\x72\x05\x0a\x03a\x00b", S("la-2", kid=NOAH,
          kind=pb.LOOKED_AFTER, category=0, legal=pb.REMANDED, end="2026-10-30")),
]
for target, seeds in (("fuzz_concern", frames), ("fuzz_ingest", batches)):
    out = os.path.join(sys.argv[1], target)
    os.makedirs(out, exist_ok=True)
    for b in seeds:
        with open(os.path.join(out, hashlib.sha1(b).hexdigest()), "wb") as f:
            f.write(b)
