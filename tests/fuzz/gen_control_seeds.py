#!/usr/bin/python3
"""Writes fuzz_control's seed corpus: one valid ControlRequest per command,
naming what fuzz_control's store holds (children C00000001-C00000003,
alert A00000001, the NHS number and UPN it was made with), plus a few
refused ones.

usage: FFC_PB2=build-test/gen/python tests/fuzz/gen_control_seeds.py tests/fuzz/corpus/fuzz_control
"""
import hashlib
import os
import sys

sys.path.insert(0, os.environ.get("FFC_PB2", "build-test/gen/python"))
import ffc_pb2 as pb  # noqa: E402

OP = "fuzz"


def R(**kw):
    """A request as an admin gives it: named, with a purpose for the reads."""
    kw.setdefault("operator", OP)
    kw.setdefault("purpose", "fuzzing the control socket")
    return pb.ControlRequest(**kw)


requests = [
    R(operator=OP, status=pb.StatusRequest()),
    R(operator=OP, stats=pb.StatsRequest()),
    R(operator=OP, child=pb.ChildRequest(child_id="C00000001")),
    R(operator=OP, child=pb.ChildRequest(nhs_number="400 000 0071", since_ms=1790000000000)),
    R(operator=OP, child=pb.ChildRequest(upn="X801200000001")),
    R(operator=OP, alerts=pb.AlertsRequest()),
    R(operator=OP, alerts=pb.AlertsRequest(since_seq=0, level=pb.RED, limit=2, history=True,
                                           state=pb.OPEN)),
    R(operator=OP, alerts=pb.AlertsRequest(overdue=True)),
    R(operator=OP, shutdown=pb.ShutdownRequest()),
    R(operator=OP, reload=pb.ReloadRequest()),
    R(operator=OP, rules_test=pb.RulesTestRequest(path="/nonexistent/ffcd.conf")),
    R(operator=OP, matches=pb.MatchesRequest(limit=10, dismissed=True)),
    R(operator=OP, dismiss_match=pb.MatchDismissRequest(
        child_id="C00000001", other_child_id="C00000003", reason="different children")),
    R(operator=OP, conflicts=pb.ConflictsRequest(limit=5, unresolved=True)),
    R(operator=OP, identities=pb.IdentitiesRequest(child_id="C00000001")),
    R(operator=OP, link=pb.LinkRequest(child_a="C00000001", child_b="C00000003",
                                       reason="same girl: school confirmed")),
    R(operator=OP, unlink=pb.UnlinkRequest(child_id="C00000001", identity="local:HEALTH:RHQ-1234",
                                           reason="wrong link")),
    R(operator=OP, unlink=pb.UnlinkRequest(child_id="C00000001", identity="#2",
                                           reason="wrong link")),
    R(operator=OP, ack=pb.AckRequest(alert_id="A00000001", by="Sam Jones", note="on it")),
    R(operator=OP, close=pb.CloseRequest(alert_id="A00000001", by="Sam Jones",
                                         outcome="no further action", note="seen")),
    R(operator=OP, note=pb.NoteRequest(alert_id="A00000001", by="Sam Jones",
                                       text="visited the family")),
    R(operator=OP, assign=pb.AssignRequest(child=pb.ChildRequest(child_id="C00000002"),
                                           practitioner="Ann Lee", by="Sam Jones",
                                           note="school nurse")),
    R(operator=OP, audit=pb.AuditRequest(child_id="C00000001", by=OP, limit=5)),
    R(operator=OP, purge=pb.PurgeRequest(dry_run=True)),
    R(operator=OP, withdraw=pb.WithdrawRequest(agency=pb.HEALTH, concern_id="h-1",
                                               reason="sent in error")),
    R(operator=OP, backup=pb.BackupRequest(path="/nonexistent/ffc-backup")),
    R(operator=OP, family=pb.FamilyRequest(child_id="C00000001", since_ms=1790000000000)),
    R(operator=OP, family=pb.FamilyRequest(household_id="H00000001")),
    R(operator=OP, household_link=pb.HouseholdLinkRequest(
        child_a="C00000001", child_b="C00000002", reason="siblings, one home")),
    R(operator=OP, household_unlink=pb.HouseholdUnlinkRequest(
        child_id="C00000002", reason="moved to her father's")),
    R(operator=OP, household_alerts=pb.HouseholdAlertsRequest(
        household_id="H00000001", action=pb.HouseholdAlertsRequest.ACK, by="Sam Jones",
        note="strategy discussion booked")),
    R(operator=OP, household_alerts=pb.HouseholdAlertsRequest(
        household_id="H00000001", action=pb.HouseholdAlertsRequest.CLOSE, by="Sam Jones",
        outcome="no further action")),
    R(operator=OP, lookup=pb.LookupRequest(nhs_number="400 000 0071", setting="City ED",
                                           asked_by="Dr A. Khan")),
    R(operator=OP, lookup=pb.LookupRequest(upn="X801200000001", setting="Custody suite")),
    R(operator=OP, lookup=pb.LookupRequest(nhs_number="9434765919", setting="Urgent care")),
    R(operator=OP, accesses=pb.AccessesRequest(child=pb.ChildRequest(child_id="C00000001"),
                                               limit=3)),
    # Speaking for a person (a delegate such as ffc-web), and badly.
    R(operator=OP, on_behalf_of="sam.jones", on_behalf_role="practitioner",
      child=pb.ChildRequest(child_id="C00000001")),
    R(operator=OP, on_behalf_of="sam jones", on_behalf_role="root",
      ack=pb.AckRequest(alert_id="A00000001", by="sam.jones")),
    # Schools, feedback and the partnership.
    R(operator=OP, notices=pb.NoticesRequest(since_seq=0, urn="front-door", limit=3,
                                             unacknowledged=True)),
    R(operator=OP, notices=pb.NoticesRequest(urn="100001")),
    R(operator=OP, notice_ack=pb.NoticeAckRequest(notice_id="N00000001", by="Duty SW")),
    R(operator=OP, feedback=pb.FeedbackRequest(agency=pb.POLICE, limit=2)),
    R(operator=OP, contact=pb.ContactRequest(practitioner="Ann Lee",
                                             contact="0113 496 0001")),
    R(operator=OP, report=pb.ReportRequest(from_ms=1767225600000, to_ms=1798761600000)),
    # Refused ones.
    R(operator=OP, purpose="", child=pb.ChildRequest(child_id="C00000001")),
    R(operator=OP, child=pb.ChildRequest(child_id="X1")),
    R(operator=OP, ack=pb.AckRequest(alert_id="A00000099", by="")),
    R(operator=OP, family=pb.FamilyRequest(child_id="C00000001", household_id="H00000001")),
    R(operator=OP, household_alerts=pb.HouseholdAlertsRequest(household_id="H1x", by="S")),
    R(operator=OP, purpose="", lookup=pb.LookupRequest(nhs_number="4000000071", setting="ED")),
    R(operator=OP, lookup=pb.LookupRequest(nhs_number="4000000071", upn="X801200000001")),
    pb.ControlRequest(),
]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for r in requests:
    b = r.SerializeToString()
    with open(os.path.join(out, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)
# Not a ControlRequest at all, and one over the size limit.
for b in (b"\xff\xff\xff", b"\x0a" + b"\x80" * 5000):
    with open(os.path.join(out, hashlib.sha1(b).hexdigest()), "wb") as f:
        f.write(b)
print("%d seeds in %s" % (len(requests) + 2, out))
