"""Retention, correction and backup through the real ffcd and ffcctl: a
purge removes exactly the concerns older than retention.years that no
unfinished alert cites (a dry run first lists them and changes nothing),
from every index, with an audit entry per child; a withdrawn concern stays
in the chronology, marked with who and why, but no longer counts for the
rules, also when it is sent again; a backup taken while ffcd serves opens
as a store with the same content; the data directory and its files are for
ffcd's user only; started as root with daemon.user, ffcd runs as that user
and still serves."""

import os
import pwd
import shutil
import stat
import tempfile
import unittest

from ffctest import (DAY, T0, Daemon, concern, main, nhs_number, pb, scratch_dir,
                     start_daemon, upn)

YEAR = 36525 * DAY // 100
OLD = T0 - 3 * YEAR  # well past a retention of 1 year, whatever today is


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


def write_conf(test, text):
    path = os.path.join(scratch_dir(test), "ffcd.conf")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)  # readable by the user ffcd drops to
    return path


class Base(unittest.TestCase):
    CONF = "retention: { years = 1; };\n"

    def setUp(self):
        self.d = start_daemon(self, conf=write_conf(self, self.CONF))

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def ctl(self, **kw):
        return self.d.control(pb.ControlRequest(operator="olivia", **kw))

    def ok(self, **kw):
        r = self.ctl(**kw)
        self.assertEqual(r.error, "", r.error)
        return r

    def accepted(self, *concerns):
        for r in self.d.send(list(concerns)):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)

    def child_of(self, n):
        r = self.d.child(nhs_number=nhs_number(n))
        self.assertEqual(r.error, "", r.error)
        return r.child

    def alerts_of(self, child_id):
        return [a for a in self.d.all_alerts() if a.child_id == child_id]

    def ffcctl(self, *args):
        return self.d.tool("ffcctl", "--operator", "olivia", *args)


class Purge(Base):
    def setUp(self):
        super().setUp()
        # Child 1: two old concerns of one agency (no rule met) and a
        # recent one. Child 2: two old concerns of two agencies, an open
        # multi-agency alert cites both. Child 3: the same, alert closed.
        self.accepted(
            concern("a-old-1", children=kid(1), at=OLD),
            concern("a-old-2", children=kid(1), at=OLD + DAY),
            concern("a-new", children=kid(1), at=T0),
            concern("b-old-1", children=kid(2), at=OLD),
            concern("b-old-2", agency=pb.HEALTH, children=kid(2), at=OLD + DAY),
            concern("c-old-1", children=kid(3), at=OLD),
            concern("c-old-2", agency=pb.EDUCATION, children=kid(3), at=OLD + DAY))
        self.a, self.b, self.c = (self.child_of(n).child_id for n in (1, 2, 3))
        self.assertEqual(len(self.alerts_of(self.b)), 1)
        (closing,) = self.alerts_of(self.c)
        self.ok(close=pb.CloseRequest(alert_id=closing.alert_id, by="olivia",
                                      outcome="no further action"))

    def purge(self, dry_run):
        r = self.ok(purge=pb.PurgeRequest(dry_run=dry_run))
        self.assertEqual(r.purge.next_seq, 0)
        return r.purge

    def test_dry_run_then_purge(self):
        dry = self.purge(True)
        self.assertTrue(dry.dry_run)
        self.assertEqual(dry.retention_years, 1)
        self.assertEqual((dry.examined, dry.purged, dry.kept_as_evidence), (7, 4, 2))
        self.assertEqual({c.name: c.count for c in dry.by_child}, {self.a: 2, self.c: 2})
        # Nothing written by the dry run.
        self.assertEqual(self.d.stats().concerns, 7)
        self.assertEqual(len(self.child_of(1).chronology), 3)
        self.assertEqual(len(self.child_of(1).corrections), 0)

        done = self.purge(False)
        self.assertFalse(done.dry_run)
        self.assertEqual((done.examined, done.purged, done.kept_as_evidence), (7, 4, 2))
        self.assertEqual({c.name: c.count for c in done.by_child}, {self.a: 2, self.c: 2})
        st = self.d.stats()
        self.assertEqual(st.concerns, 3)
        self.assertEqual(st.purged, 4)
        self.assertEqual({c.name: c.count for c in st.concerns_by_agency},
                         {"POLICE": 2, "HEALTH": 1, "EDUCATION": 0})
        # The chronology after: the recent concern, the open alert's
        # evidence; the purge in each affected child's corrections.
        a = self.child_of(1)
        self.assertEqual([e.concern_id for e in a.chronology], ["a-new"])
        self.assertEqual([(e.command, e.by) for e in a.corrections], [("purge", "olivia")])
        self.assertIn("purged 2 concern(s)", a.corrections[0].detail)
        self.assertEqual(sorted(e.concern_id for e in self.child_of(2).chronology),
                         ["b-old-1", "b-old-2"])
        self.assertEqual(len(self.child_of(2).corrections), 0)
        c = self.child_of(3)
        self.assertEqual(len(c.chronology), 0)
        self.assertEqual(len(c.alerts), 1)  # the alert record itself stays
        # Nothing left to purge.
        again = self.purge(False)
        self.assertEqual((again.examined, again.purged, again.kept_as_evidence), (3, 0, 2))
        # A purged id may be sent again: a new concern.
        (r,) = self.d.send([concern("a-old-1", children=kid(1), at=OLD)])
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)

    def test_ffcctl_purge(self):
        out = self.ffcctl("purge", "--dry-run")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("dry run, nothing removed", out.stdout)
        self.assertIn("examined 7, would purge 4, kept as evidence of unfinished alerts 2",
                      out.stdout)
        self.assertEqual(self.d.stats().concerns, 7)
        out = self.ffcctl("purge")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("examined 7, purged 4", out.stdout)
        self.assertIn("%s 2" % self.a, " ".join(out.stdout.split()))
        self.assertEqual(self.d.stats().concerns, 3)
        out = self.ffcctl("purge", "extra")
        self.assertEqual(out.returncode, 2)


class PurgeRefused(unittest.TestCase):
    def test_no_retention_configured(self):
        d = start_daemon(self)  # the shipped configuration: years = 0
        d.send([concern("x-1", children=kid(1), at=OLD)])
        r = d.control(pb.ControlRequest(purge=pb.PurgeRequest()))
        self.assertIn("retention.years", r.error)
        self.assertEqual(d.stats().concerns, 1)
        d.assert_stops_cleanly(self)

    def test_config_errors_at_their_lines(self):
        conf = write_conf(self, "daemon: {\n  user = \"no-such-user-ffc\";\n};\n"
                                "retention: {\n  years = 500;\n  months = 3;\n};\n")
        d = Daemon(conf=conf)
        self.addCleanup(d.close)
        out = d.tool("ffcd", "-n", "-c", conf, endpoints=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("%s:2: daemon.user: no user 'no-such-user-ffc'" % conf, out.stderr)
        self.assertIn("%s:5: retention.years: 500 is out of range (0 to 200)" % conf,
                      out.stderr)
        self.assertIn("%s:6: unknown setting 'retention.months'" % conf, out.stderr)


class Withdraw(Base):
    def withdraw(self, cid, reason="sent about the wrong child", agency=pb.POLICE):
        return self.ctl(withdraw=pb.WithdrawRequest(agency=agency, concern_id=cid,
                                                    reason=reason))

    def test_withdrawn_concern_no_longer_counts(self):
        self.accepted(concern("d-1", children=kid(4), at=T0))
        r = self.withdraw("d-1")
        self.assertEqual(r.error, "", r.error)
        d = self.child_of(4).child_id
        self.assertEqual(list(r.withdraw.child_ids), [d])
        self.assertEqual(list(r.withdraw.open_alert_ids), [])
        self.assertEqual(r.withdraw.concern.withdrawn_by, "olivia")
        # With d-1 this would be multi-agency AMBER; withdrawn, no alert.
        self.accepted(concern("d-2", agency=pb.HEALTH, children=kid(4), at=T0 + DAY))
        self.assertEqual(self.alerts_of(d), [])
        # The chronology shows it, marked, with who and why.
        ch = self.child_of(4)
        entries = {e.concern_id: e for e in ch.chronology}
        self.assertEqual(set(entries), {"d-1", "d-2"})
        self.assertGreater(entries["d-1"].withdrawn_at_ms, 0)
        self.assertEqual(entries["d-1"].withdrawn_by, "olivia")
        self.assertEqual(entries["d-1"].withdrawn_reason, "sent about the wrong child")
        self.assertEqual(entries["d-2"].withdrawn_at_ms, 0)
        # Audited under the child, reason as the purpose.
        (audit,) = ch.corrections
        self.assertEqual((audit.command, audit.by, audit.purpose),
                         ("withdraw", "olivia", "sent about the wrong child"))
        self.assertIn("POLICE concern d-1", audit.detail)
        # Sent again unchanged: DUPLICATE, still withdrawn, still no alert.
        (again,) = self.d.send([concern("d-1", children=kid(4), at=T0)])
        self.assertEqual(again.status, pb.Receipt.DUPLICATE)
        self.accepted(concern("d-3", agency=pb.HEALTH, children=kid(4), at=T0 + 2 * DAY))
        self.assertEqual(self.alerts_of(d), [])
        self.assertGreater({e.concern_id: e for e in self.child_of(4).chronology}
                           ["d-1"].withdrawn_at_ms, 0)
        # Once only; counted.
        self.assertIn("already withdrawn", self.withdraw("d-1").error)
        self.assertEqual(self.d.stats().withdrawn, 1)
        # The ffcctl child view marks it.
        out = self.ffcctl("child", d)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("WITHDRAWN", out.stdout)
        self.assertIn("sent about the wrong child", out.stdout)

    def test_open_alert_left_with_a_note(self):
        self.accepted(concern("e-1", children=kid(5), at=T0),
                      concern("e-2", agency=pb.HEALTH, children=kid(5), at=T0 + DAY))
        e = self.child_of(5).child_id
        (alert,) = self.alerts_of(e)
        r = self.withdraw("e-2", agency=pb.HEALTH)
        self.assertEqual(r.error, "", r.error)
        self.assertEqual(list(r.withdraw.open_alert_ids), [alert.alert_id])
        # The alert stands (an operator decides), with a note saying why.
        r = self.ctl(alerts=pb.AlertsRequest(history=True))
        (now,) = [a for a in r.alerts.alerts if a.alert_id == alert.alert_id]
        self.assertEqual(now.state, pb.OPEN)
        self.assertTrue(any("evidence withdrawn" in h.text and "e-2" in h.text
                            for h in now.history), now.history)

    def test_withdrawn_through_link_and_unlink(self):
        nhs, u = nhs_number(11), upn(11)
        self.accepted(concern("k-h", agency=pb.HEALTH, at=T0, children=[dict(nhs_number=nhs)]),
                      concern("k-e", agency=pb.EDUCATION, at=T0 + DAY,
                              children=[dict(upn=u)]))
        h = self.d.child(nhs_number=nhs).child.child_id
        e = self.d.child(upn=u).child.child_id
        self.assertEqual(self.withdraw("k-e", agency=pb.EDUCATION).error, "")
        # Linked: the withdrawn concern comes along, marked, and the two
        # agencies do not make a multi-agency alert.
        out = self.ffcctl("link", h, e, "--reason", "same child")
        self.assertEqual(out.returncode, 0, out.stderr)
        s = min(h, e)
        self.assertEqual(self.alerts_of(s), [])
        marks = {x.concern_id: x.withdrawn_at_ms > 0 for x in self.d.child(child_id=s).child.chronology}
        self.assertEqual(marks, {"k-h": False, "k-e": True})
        # Split again: it moves with its identity, still withdrawn.
        out = self.ffcctl("unlink", s, "upn:" + u, "--reason", "not the same child")
        self.assertEqual(out.returncode, 0, out.stderr)
        moved = self.d.child(upn=u).child
        self.assertNotEqual(moved.child_id, s)
        self.assertEqual([(x.concern_id, x.withdrawn_at_ms > 0) for x in moved.chronology],
                         [("k-e", True)])
        self.assertEqual([x.concern_id for x in self.d.child(nhs_number=nhs).child.chronology],
                         ["k-h"])

    def test_bad_requests_change_nothing(self):
        self.accepted(concern("f-1", children=kid(6), at=T0))
        self.assertIn("no such concern", self.withdraw("nope").error)
        self.assertIn("no such concern", self.withdraw("f-1", agency=pb.HEALTH).error)
        self.assertIn("withdraw.reason: required", self.withdraw("f-1", reason="").error)
        self.assertIn("withdraw.reason: over 1024 bytes",
                      self.withdraw("f-1", reason="x" * 1025).error)
        self.assertIn("withdraw.agency: unknown value", self.withdraw("f-1", agency=99).error)
        self.assertIn("withdraw.concern_id: required", self.withdraw("").error)
        self.assertIn("withdraw.reason: contains a NUL byte",
                      self.withdraw("f-1", reason="a\x00b").error)
        self.assertIn("backup.path: required", self.ctl(backup=pb.BackupRequest()).error)
        self.assertEqual(self.child_of(6).chronology[0].withdrawn_at_ms, 0)
        # ffcctl: a reason is required, the agency must be one.
        out = self.ffcctl("withdraw", "police", "f-1")
        self.assertEqual(out.returncode, 2)
        self.assertIn("--reason is required", out.stderr)
        out = self.ffcctl("withdraw", "army", "f-1", "--reason", "x")
        self.assertEqual(out.returncode, 2)
        out = self.ffcctl("withdraw", "police", "f-1", "--reason", "duplicate of f-0")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("withdrawn: POLICE concern f-1", out.stdout)
        self.assertGreater(self.child_of(6).chronology[0].withdrawn_at_ms, 0)


class Backup(Base):
    def test_backup_while_serving(self):
        self.accepted(*[concern("g-%d" % i, children=kid(7), at=T0 + i * DAY)
                        for i in range(5)])
        where = os.path.join(scratch_dir(self), "copy")
        sender = self.d.dealer()
        # Ingest goes on around the copy.
        for i in range(50):
            sender.send(concern("h-%d" % i, children=kid(8), at=T0).SerializeToString())
        r = self.ok(backup=pb.BackupRequest(path=where))
        self.assertEqual(r.backup.path, where)
        self.assertGreater(r.backup.bytes, 0)
        for _ in range(50):
            self.assertTrue(sender.poll(10000))
            sender.recv()
        self.assertEqual(stat.S_IMODE(os.stat(where).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(where, "data.mdb")).st_mode),
                         0o600)
        # Never over an existing path.
        self.assertIn("already exists", self.ctl(backup=pb.BackupRequest(path=where)).error)
        self.assertIn("absolute", self.ctl(backup=pb.BackupRequest(path="rel")).error)
        out = self.ffcctl("backup", os.path.join(os.path.dirname(where), "copy2"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("store copied to", out.stdout)
        # The copy opens as a store with the same content.
        want = self.child_of(7)
        copy = start_daemon(self, data=where)
        got = copy.child(nhs_number=nhs_number(7)).child
        self.assertEqual([e.concern_id for e in got.chronology],
                         [e.concern_id for e in want.chronology])
        # Consistent: the copy's counters agree with what it holds (it has
        # what was committed when it was taken, some of the h-* or all).
        n = copy.stats().concerns
        self.assertTrue(5 <= n <= 55, n)
        h = copy.child(nhs_number=nhs_number(8))
        held = len(h.child.chronology) if not h.error else 0
        self.assertEqual(n, 5 + held)
        copy.assert_stops_cleanly(self)


class FileModes(Base):
    def test_modes(self):
        self.accepted(concern("i-1", children=kid(9), at=T0))
        self.assertEqual(stat.S_IMODE(os.stat(self.d.dir).st_mode), 0o700)
        for name in ("data.mdb", "lock.mdb", "ffcd.lock", "control.sock"):
            mode = os.stat(os.path.join(self.d.dir, name)).st_mode
            self.assertEqual(stat.S_IMODE(mode), 0o600, name)
        self.assertTrue(stat.S_ISSOCK(os.stat(os.path.join(self.d.dir, "control.sock")).st_mode))


@unittest.skipUnless(os.geteuid() == 0, "dropping privileges needs root")
class DropRoot(unittest.TestCase):
    USER = "nobody"

    def test_binds_then_runs_as_user(self):
        pw = pwd.getpwnam(self.USER)
        # A data directory and a configuration file the user can reach
        # (the build tree may not let it through): ffcd creates the
        # directory and gives it to the user; reloads read the file as the
        # user.
        top = tempfile.mkdtemp(prefix="ffc-drop-", dir="/tmp")
        self.addCleanup(shutil.rmtree, top, True)
        os.chmod(top, 0o711)
        data = os.path.join(top, "made", "data")  # both made by ffcd
        conf = os.path.join(top, "ffcd.conf")
        with open(conf, "w") as f:
            f.write('daemon: { user = "%s"; };\n' % self.USER)
        os.chmod(conf, 0o644)
        # LeakSanitizer cannot stop the world of a process that changed its
        # uid (it is no longer dumpable): leaks are checked in every other
        # test.
        saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
        try:
            d = start_daemon(self, conf=conf, data=data)
        finally:
            if saved is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = saved
        with open("/proc/%d/status" % d.pid) as f:
            status = dict(line.split(":", 1) for line in f if ":" in line)
        self.assertEqual(status["Uid"].split(), [str(pw.pw_uid)] * 4)
        self.assertEqual(status["Gid"].split(), [str(pw.pw_gid)] * 4)
        self.assertIn("running as %s" % self.USER, d.stderr())
        # Still serves, and everything it made belongs to the user.
        (r,) = d.send([concern("j-1", children=kid(10), at=T0)])
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        made = os.stat(os.path.dirname(d.dir))
        self.assertEqual((made.st_uid, stat.S_IMODE(made.st_mode)), (pw.pw_uid, 0o700))
        for name in ("", "data.mdb", "lock.mdb", "ffcd.lock", "control.sock"):
            st = os.stat(os.path.join(d.dir, name))
            self.assertEqual((st.st_uid, st.st_gid), (pw.pw_uid, pw.pw_gid), name or "dir")
        self.assertEqual(d.status().concerns, 1)
        # A reload runs the loader as the user: it still reads the file.
        r = d.control(pb.ControlRequest(operator="olivia", reload=pb.ReloadRequest()))
        self.assertEqual(r.error, "", r.error)
        self.assertTrue(r.reload.loaded, r.reload.errors)
        d.assert_stops_cleanly(self)
        # Stopped, it removed its socket file (it owns it).
        self.assertFalse(os.path.exists(os.path.join(d.dir, "control.sock")))

    def test_root_without_user_warns(self):
        d = start_daemon(self)
        self.assertIn("running as root", d.stderr())
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
