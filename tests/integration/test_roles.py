"""Roles and the audit trail on the real ffcd's ipc control socket, with
operators configured: a viewer is refused a child's record with a clear
message and the refusal is recorded; a practitioner's read is recorded with
who, when, which child, which command and why, and shown in the child's
chronology; a read without a purpose is refused; acks and closes are
recorded; an admin reads the audit trail with each filter, and that read
is recorded too; no command edits or deletes an entry."""

import json
import os
import re
import stat
import time
import unittest

from ffctest import (CONF, Daemon, concern, main, nhs_number, now_ms, pb, scratch_dir,
                     start_daemon)

# Every operator is the test's own Unix user's: the name given chooses
# among them (ffcd takes who calls from the kernel).
OPERATORS = """operators = (
    { name = "v.iewer"; role = "viewer"; unix_user = %d; },
    { name = "j.doe"; role = "practitioner"; unix_user = %d; },
    { name = "a.dmin"; role = "admin"; unix_user = %d; }
  );""" % ((os.getuid(),) * 3)


def roles_conf(test):
    with open(CONF) as f:
        text = f.read()
    assert "operators = ();" in text
    path = os.path.join(scratch_dir(test), "roles.conf")
    with open(path, "w") as f:
        f.write(text.replace("operators = ();", OPERATORS))
    return path


def risk(cid, n):
    """A concern that raises a RED alert for child n at once."""
    return concern(cid, category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                   children=[dict(nhs_number=nhs_number(n))])


class Roles(unittest.TestCase):
    def setUp(self):
        self.d = start_daemon(self, conf=roles_conf(self), operator="a.dmin")
        r = self.d.send_one(risk("r-1", 1))
        self.child = r.child_ids[0]

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def ctl(self, operator, *args, purpose=None):
        env = {"FFC_PURPOSE": purpose or "", "FFC_OPERATOR": ""}
        return self.d.tool("ffcctl", "--operator", operator, *args, env=env)

    def ok(self, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def audit(self, *args):
        """The audit trail as the admin reads it (a read recorded too)."""
        out = self.ok(self.ctl("a.dmin", "--json", "audit", *args, purpose="audit review"))
        return json.loads(out).get("entries", [])

    def request(self, operator, purpose="", **command):
        req = pb.ControlRequest(operator=operator, purpose=purpose, **command)
        return self.d.control(req, purpose=None)

    def test_viewer_refused_a_child_record(self):
        r = self.ctl("v.iewer", "child", self.child, purpose="curious")
        self.assertEqual(r.returncode, 1)
        self.assertIn("child: needs the practitioner role; v.iewer is a viewer", r.stderr)
        self.assertEqual(r.stdout, "")
        # The viewer's own commands work.
        self.assertIn("ffcd ", self.ok(self.ctl("v.iewer", "status")))
        st = json.loads(self.ok(self.ctl("v.iewer", "--json", "stats")))
        self.assertEqual(int(st["control_refused"]), 1)
        self.assertIn("1 control requests refused", self.ok(self.ctl("v.iewer", "stats")))
        # Refused link, unlink, reload, shutdown for a practitioner.
        for args in (["link", self.child, "C00000009", "--reason", "x"], ["reload"],
                     ["shutdown"], ["audit"], ["rules", "test", CONF]):
            r = self.ctl("j.doe", *args, purpose="x")
            self.assertEqual(r.returncode, 1, args)
            self.assertIn("needs the admin role; j.doe is a practitioner", r.stderr)
        self.assertTrue(self.d.running())
        entries = self.audit("--child", self.child)
        self.assertEqual(len(entries), 1)
        e = entries[0]
        self.assertEqual((e["by"], e["role"], e["command"], e["child_id"], e["purpose"],
                          e["refused"]),
                         ("v.iewer", "viewer", "child", self.child, "curious", True))
        self.assertIn("needs the practitioner role", e["detail"])
        refused = [e for e in self.audit("--by", "j.doe") if e["refused"]]
        self.assertEqual(sorted(e["command"] for e in refused),
                         ["audit", "link", "reload", "rules test", "shutdown"])

    def test_unknown_operator_refused(self):
        r = self.ctl("mallory", "status")
        self.assertEqual(r.returncode, 1)
        self.assertIn("status: mallory is not a known operator or key", r.stderr)
        r = self.d.control(pb.ControlRequest(status=pb.StatusRequest()).SerializeToString())
        self.assertIn("not a known operator or key", r.error)
        self.assertFalse(r.HasField("status"))
        self.assertEqual([e["by"] for e in self.audit("--by", "mallory")], ["mallory"])

    def test_read_recorded_with_purpose_and_shown_in_chronology(self):
        before = now_ms()
        out = self.ok(self.ctl("j.doe", "child", self.child, purpose="section 47 enquiry"))
        self.assertIn("viewed by (0)", out)
        after = now_ms()
        entries = self.audit("--child", self.child)
        self.assertEqual(len(entries), 1)
        e = entries[0]
        self.assertEqual((e["by"], e["role"], e["command"], e["child_id"], e["purpose"]),
                         ("j.doe", "practitioner", "child", self.child, "section 47 enquiry"))
        self.assertFalse(e.get("refused", False))
        self.assertTrue(before <= int(e["at_ms"]) <= after)
        # The chronology shows who looked, when, how and why (reading the
        # child's audit entries is a look at the child too).
        out = self.ok(self.ctl("a.dmin", "child", self.child, purpose="strategy meeting"))
        viewed = out.split("\nviewed by (2)\n")[1]
        self.assertRegex(viewed, r"j\.doe \(practitioner\)\s+child\s+purpose: section 47 enquiry")
        self.assertRegex(viewed, r"a\.dmin \(admin\)\s+audit\s+purpose: audit review")
        child = self.request("j.doe", "again", child=pb.ChildRequest(child_id=self.child)).child
        self.assertEqual([(v.by, v.command, v.purpose) for v in child.viewed_by],
                         [("j.doe", "child", "section 47 enquiry"),
                          ("a.dmin", "audit", "audit review"),
                          ("a.dmin", "child", "strategy meeting")])
        self.assertTrue(all(v.at_ms >= before for v in child.viewed_by))

    def test_every_kind_of_read_needs_a_purpose_and_is_recorded(self):
        self.d.send_one(concern("m-1", children=[dict(
            given_name="Ella", family_name="Smith", date_of_birth="2016-04-12",
            postcode="LS1 4AP")]))
        self.d.send_one(concern("m-2", children=[dict(
            given_name="Ella", family_name="Smith", date_of_birth="2016-04-12",
            postcode="LS6 2AA")]))
        reads = [("j.doe", ["child", self.child]), ("j.doe", ["alerts", "--details"]),
                 ("j.doe", ["identities", self.child]), ("j.doe", ["conflicts"]),
                 ("j.doe", ["matches"]), ("a.dmin", ["rules", "test", CONF]),
                 ("a.dmin", ["audit"])]
        for who, args in reads:
            r = self.ctl(who, *args)
            self.assertEqual(r.returncode, 1, args)
            self.assertIn("purpose: required", r.stderr)
            self.assertIn("--purpose TEXT", r.stderr)
            self.assertNotIn(self.child, r.stdout)
        # Over the socket, too: nothing returned but the error.
        r = self.request("j.doe", child=pb.ChildRequest(child_id=self.child))
        self.assertTrue(r.error.startswith("child: purpose: required"))
        self.assertFalse(r.HasField("child"))
        r = self.request("j.doe", "x" * 513, child=pb.ChildRequest(child_id=self.child))
        self.assertEqual(r.error, "child: purpose: longer than 512 bytes")
        # Listing alerts without their history reads no record.
        self.ok(self.ctl("j.doe", "alerts"))
        refused = [e for e in self.audit() if e["refused"]]
        self.assertEqual(len(refused), len(reads) + 2)
        for who, args in reads:
            self.ok(self.ctl(who, *args, purpose="review of " + args[0]))
        entries = self.audit("--since", "2000-01-01")
        read = {e["command"] for e in entries if not e["refused"] and e.get("purpose")}
        self.assertTrue({"child", "alerts", "identities", "matches", "audit"} <= read, read)
        # The matches listing named both children of the pair: each has it.
        matches = [e for e in entries if e["command"] == "matches" and not e["refused"]]
        self.assertEqual(len(matches), 2)
        self.assertEqual(len({e["child_id"] for e in matches}), 2)
        for e in matches:
            self.assertEqual(e["purpose"], "review of matches")
            self.assertIn(e, self.audit("--child", e["child_id"]))

    def test_ack_and_close_recorded(self):
        self.ok(self.ctl("j.doe", "ack", "A00000001", "--by", "Jo Doe", "--note", "calling"))
        self.ok(self.ctl("j.doe", "close", "A00000001", "--by", "Jo Doe", "--outcome",
                         "no further action"))
        changes = [e for e in self.audit("--by", "j.doe")]
        self.assertEqual([(e["command"], e["child_id"]) for e in changes],
                         [("ack", self.child), ("close", self.child)])
        self.assertIn("A00000001 by Jo Doe: calling", changes[0]["detail"])
        self.assertIn("outcome no further action", changes[1]["detail"])
        # A viewer may not.
        r = self.ctl("v.iewer", "note", "A00000001", "--by", "V", "hello")
        self.assertIn("note: needs the practitioner role; v.iewer is a viewer", r.stderr)

    def test_admin_reads_audit_with_each_filter_and_is_audited(self):
        other = self.d.send_one(risk("r-2", 2)).child_ids[0]
        self.ok(self.ctl("j.doe", "child", self.child, purpose="first"))
        # The second read in a later second than the first: --since takes
        # whole seconds.
        boundary = (now_ms() // 1000 + 1) * 1000
        time.sleep((boundary - now_ms()) / 1000 + 0.05)
        self.ok(self.ctl("a.dmin", "child", other, purpose="second"))
        first = self.audit()
        self.assertEqual([e["purpose"] for e in first], ["first", "second"])
        # --child
        self.assertEqual([e["purpose"] for e in self.audit("--child", other)], ["second"])
        # --by
        self.assertEqual([e["purpose"] for e in self.audit("--by", "j.doe")], ["first"])
        # --since: from the boundary on, the second read and the three
        # audit reads before this one
        iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(boundary / 1000))
        later = self.audit("--since", iso)
        self.assertEqual([e["purpose"] for e in later],
                         ["second", "audit review", "audit review", "audit review"])
        self.assertTrue(all(int(e["at_ms"]) >= boundary for e in later))
        self.assertEqual(self.audit("--since", "2100-01-01"), [])
        self.assertEqual(len(self.audit("--since", "2000-01-01")), 2 + 5)
        # --limit: the latest N, oldest first
        out = json.loads(self.ok(self.ctl("a.dmin", "--json", "audit", "--limit", "2",
                                          purpose="limit")))
        self.assertTrue(out["more"])
        self.assertEqual([e["command"] for e in out["entries"]], ["audit", "audit"])
        # each of those reads is itself in the trail, with its purpose
        mine = [e for e in self.audit("--by", "a.dmin") if e["command"] == "audit"]
        self.assertEqual(len(mine), 7)  # every audit read of this test before this one
        self.assertEqual({e["purpose"] for e in mine}, {"audit review", "limit"})
        self.assertTrue(all(e["role"] == "admin" and not e.get("refused") for e in mine))
        # The human form: one line each, the refused marked.
        text = self.ok(self.ctl("a.dmin", "audit", "--child", other, purpose="p"))
        self.assertRegex(text, r"a\.dmin \(admin\)\s+child\s+%s\s+purpose: second" % other)
        r = self.ctl("a.dmin", "audit", "--since", "yesterday", purpose="p")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--since: 'yesterday' is not a date", r.stderr)
        r = self.ctl("a.dmin", "audit", "--child", "nope", purpose="p")
        self.assertIn("audit.child_id: not a child id", r.stderr)

    def test_no_command_edits_or_deletes_the_audit(self):
        self.ok(self.ctl("j.doe", "child", self.child, purpose="before"))
        self.ctl("v.iewer", "child", self.child, purpose="refused")
        before = self.audit()
        # Every command the socket knows, as admin, each with its request.
        cmds = [("status", pb.StatusRequest()), ("stats", pb.StatsRequest()),
                ("child", pb.ChildRequest(child_id=self.child)),
                ("alerts", pb.AlertsRequest(history=True)),
                ("identities", pb.IdentitiesRequest(child_id=self.child)),
                ("conflicts", pb.ConflictsRequest()), ("matches", pb.MatchesRequest()),
                ("ack", pb.AckRequest(alert_id="A00000001", by="A")),
                ("note", pb.NoteRequest(alert_id="A00000001", by="A", text="t")),
                ("close", pb.CloseRequest(alert_id="A00000001", by="A",
                                          outcome="no further action")),
                ("assign", pb.AssignRequest(child=pb.ChildRequest(child_id=self.child),
                                            practitioner="P", by="A")),
                ("link", pb.LinkRequest(child_a=self.child, child_b="C00000099", reason="r")),
                ("unlink", pb.UnlinkRequest(child_id=self.child, identity="#1", reason="r")),
                ("dismiss_match", pb.MatchDismissRequest(child_id=self.child,
                                                         other_child_id="C00000099",
                                                         reason="r")),
                ("rules_test", pb.RulesTestRequest(path=CONF)),
                ("reload", pb.ReloadRequest()),
                ("audit", pb.AuditRequest()),
                ("purge", pb.PurgeRequest(dry_run=True)),
                ("withdraw", pb.WithdrawRequest(agency=pb.POLICE, concern_id="none",
                                                reason="r")),
                ("backup", pb.BackupRequest(path=os.path.join(self.d.dir, "backup"))),
                ("family", pb.FamilyRequest(child_id=self.child)),
                ("household_link", pb.HouseholdLinkRequest(child_a=self.child,
                                                           child_b="C00000099", reason="r")),
                ("household_unlink", pb.HouseholdUnlinkRequest(child_id=self.child,
                                                               reason="r")),
                ("household_alerts", pb.HouseholdAlertsRequest(
                    household_id="H00000001", action=pb.HouseholdAlertsRequest.ACK, by="A")),
                ("lookup", pb.LookupRequest(nhs_number=nhs_number(1), setting="City ED")),
                ("accesses", pb.AccessesRequest(child=pb.ChildRequest(child_id=self.child))),
                ("notices", pb.NoticesRequest()),
                ("notice_ack", pb.NoticeAckRequest(notice_id="N00000001", by="A")),
                ("feedback", pb.FeedbackRequest()),
                ("contact", pb.ContactRequest(practitioner="P", contact="0113 496 0000")),
                ("report", pb.ReportRequest(from_ms=0, to_ms=86400000))]
        known = {f.name for f in pb.ControlRequest.DESCRIPTOR.oneofs_by_name["command"].fields}
        self.assertEqual({name for name, _ in cmds} | {"shutdown"}, known)
        for name, msg in cmds:
            req = pb.ControlRequest(operator="a.dmin", purpose="p")
            getattr(req, name).CopyFrom(msg)
            self.d.control(req, purpose=None)
        after = self.audit()
        self.assertEqual(after[:len(before)], before)
        self.assertGreater(len(after), len(before))
        seqs = [int(e["seq"]) for e in after]
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_modes_and_log(self):
        mode = stat.S_IMODE(os.stat(self.d.dir).st_mode)
        self.assertEqual(mode & 0o077, 0, oct(mode))
        sock = os.path.join(self.d.dir, "control.sock")
        self.assertEqual(stat.S_IMODE(os.stat(sock).st_mode), 0o600)
        self.assertIn("3 operators known", self.d.stderr())


class NoOperators(unittest.TestCase):
    def test_every_ipc_caller_admin_and_announced(self):
        d = start_daemon(self)
        self.assertIn("no security.operators configured", d.stderr())
        r = d.tool("ffcctl", "--operator", "anyone", "--purpose", "dev", "--json", "audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Reads still need a purpose and are still recorded.
        r = d.tool("ffcctl", "conflicts", env={"FFC_PURPOSE": ""})
        self.assertIn("purpose: required", r.stderr)
        entries = json.loads(d.tool("ffcctl", "--operator", "anyone", "--json",
                                    "audit").stdout)["entries"]
        self.assertEqual([(e["by"], e["role"]) for e in entries[:1]], [("anyone", "admin")])
        self.assertTrue(any(e.get("refused") for e in entries))
        d.assert_stops_cleanly(self)
        d.assert_clean(self)


if __name__ == "__main__":
    main()
