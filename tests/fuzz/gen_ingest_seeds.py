#!/usr/bin/python3
"""Writes fuzz_ingest's seed corpus: batches of Concern frames, each frame a
2-byte big-endian length then a serialized ffc.v1.Concern, naming what
fuzz_ingest's store holds (Ella: NHS number 4000000071, local id RHQ-1234;
Noah: UPN X801200000001), plus hostile ones: impossible times (occurred_at_ms
near INT64_MIN, reported_at_ms at the ends of int64), a duplicate, a reused
id, a merge of the two children, a household, garbage beside valid frames.

usage: FFC_PB2=build-test/gen/python /usr/bin/python3 tests/fuzz/gen_ingest_seeds.py tests/fuzz/corpus/fuzz_ingest
"""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.environ.get("FFC_PB2", "build-test/gen/python"))
import ffc_pb2 as pb  # noqa: E402

NOW = 1793491200000  # fuzz_ingest's clock: 2026-11-01T00:00:00Z
DAY = 86400000
T = NOW - 30 * DAY
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1

ELLA = dict(nhs_number="4000000071", given_name="Ella", family_name="Smith",
            date_of_birth="2016-04-12", postcode="LS6 2AB")
NOAH = dict(upn="X801200000001", given_name="Noah", family_name="Jones",
            date_of_birth="2019-10-30")


def C(cid, agency=pb.POLICE, category=1, severity=pb.MODERATE, at=T, reported=None,
      kids=(ELLA,)):
    c = pb.Concern(concern_id=cid, agency=agency, category=category, severity=severity,
                   occurred_at_ms=at, reported_at_ms=at if reported is None else reported,
                   source_system="fuzz", summary="seen at home", reporter="PC 1")
    for k in kids:
        c.children.add(**k)
    return c.SerializeToString()


def batch(*frames):
    return b"".join(struct.pack(">H", len(f)) + f for f in frames)


batches = [
    batch(C("new-1", kids=(dict(nhs_number="9434765919"),))),
    batch(C("hlt-2", agency=pb.HEALTH, at=T + 5 * DAY)),
    batch(C("ok-1"), C("poison", at=INT64_MIN), C("ok-2", agency=pb.SOCIAL_CARE,
                                                  at=T + DAY)),
    batch(C("min1", at=INT64_MIN + 1), C("ok-3", agency=pb.HEALTH, at=T + 2 * DAY)),
    batch(C("old", at=-3000000 * 365 * DAY), C("minus1", at=-1), C("one", at=1)),
    batch(C("rep-max", reported=INT64_MAX), C("rep-min", reported=INT64_MIN),
          C("after", at=T, reported=T - 1)),
    batch(C("future", at=NOW + 5 * 60 * 1000 + 1), C("max", at=INT64_MAX)),
    batch(C("pol-1", severity=pb.HIGH), C("pol-1", severity=pb.LOW)),
    batch(C("merge-1", agency=pb.SOCIAL_CARE,
            kids=(dict(nhs_number="4000000071", upn="X801200000001"),))),
    batch(C("house-1", agency=pb.POLICE, category=1, severity=pb.HIGH, kids=(ELLA, NOAH))),
    batch(C("risk-1", severity=pb.IMMEDIATE_RISK, kids=(NOAH,))),
    batch(b"\x0a\xff\xff", C("ok-4", agency=pb.HEALTH), b""),
    batch(*[C("miss-%d" % i, agency=pb.SOCIAL_CARE, category=10, at=T + i * DAY,
              kids=(NOAH,)) for i in range(4)]),
]

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for b in batches:
    with open(os.path.join(out, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)
