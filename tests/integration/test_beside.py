"""Nothing slow holds up the loop: a backup, a configuration file being
loaded (reload, SIGHUP, rules test), a rules test's judging and the
partnership's report run beside it. While one is under way, concerns get
their receipts, heartbeats keep coming and other control requests are
answered; the slow request is answered after them, when its work is done.

Each test holds the slow work until it has seen the loop make progress:
a file the loader opens is a FIFO that blocks it until the test writes
to it, a backup of a store of some hundred megabytes is under way once
its copy's file exists, and a report of that store takes seconds. The assertions are on the order things
happen in, never on how long they take."""

import os
import signal
import threading
import time

from ffctest import (CONF, DaemonTest, collect_receipts, concern, main, nhs_number, now_ms, pb,
                     scratch_dir, start_daemon, wait_for)

# Concerns that make a store of over 100 MB quickly: long summaries.
FILL = 24000
SUMMARY = "Seen at home; " * 290


class Beside(DaemonTest):
    def setUp(self):
        """Each test starts the daemon it needs."""
        self.d = None

    def tearDown(self):
        if self.d:
            super().tearDown()

    def heartbeats(self):
        sub = self.d.subscribe(b"heartbeat")
        return sub

    def concerns(self, prefix, n, first_child=0):
        return [concern("%s-%d" % (prefix, i), children=[dict(nhs_number=nhs_number(
            first_child + i))]) for i in range(n)]

    def ask(self, req):
        """Send a control request without waiting: the socket to read its
        reply from."""
        s = self.d.dealer(self.d.control_ep)
        if not req.purpose:
            req.purpose = "integration test"
        s.send(req.SerializeToString())
        return s

    def reply(self, s, timeout=60000):
        self.assertTrue(s.poll(timeout), "no control reply")
        r = pb.ControlReply()
        r.ParseFromString(s.recv())
        return r

    def progress_while_held(self, held):
        """While `held` (a control socket awaiting a reply) is not
        answered: concerns get receipts, two heartbeats come and a status
        request is answered; then the held reply is still not there."""
        sub = self.heartbeats()
        receipts = self.d.send(self.concerns("during", 20, first_child=5000))
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        beats = 0
        while beats < 2:
            self.assertTrue(sub.poll(10000), "no heartbeat while the work is held")
            topic, _ = sub.recv_multipart()
            beats += topic == b"heartbeat"
        self.assertTrue(self.d.status().concerns >= 20)
        self.assertFalse(held.poll(0), "answered before its work was released")

    def receipts_while_held(self, held, prefix, first_child, what):
        """20 concerns sent while `held` awaits its reply get their
        receipts, all ACCEPTED, before `what` is answered."""
        s = self.d.dealer()
        for c in self.concerns(prefix, 20, first_child=first_child):
            s.send(c.SerializeToString())
        receipts = collect_receipts(s, 20)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        self.assertFalse(held.poll(0), "%s was answered before the receipts came" % what)

    def paced_store(self, conf_text):
        """Start the daemon with conf_text as its file and fill its store
        past 3 MiB; the path for a backup of it."""
        conf = os.path.join(scratch_dir(self), "ffcd.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        self.d = start_daemon(self, conf=conf)
        big = [concern("paced-%d" % i, summary=SUMMARY, children=[dict(
            nhs_number=nhs_number(i % 100))]) for i in range(900)]
        receipts = self.d.send(big, timeout=120)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        return os.path.join(scratch_dir(self), "backup")

    def release(self, fifo, text=""):
        with open(fifo, "w") as f:
            f.write(text)

    def test_rules_test_waits_beside_the_loop(self):
        self.d = start_daemon(self)
        self.d.send(self.concerns("before", 10))
        fifo = os.path.join(scratch_dir(self), "candidate.conf")
        os.mkfifo(fifo)
        held = self.ask(pb.ControlRequest(rules_test=pb.RulesTestRequest(path=fifo)))
        self.progress_while_held(held)
        self.release(fifo)
        r = self.reply(held)
        # The loader refuses a FIFO once it can open it: the reply is that
        # error, after everything else.
        self.assertEqual(len(r.rules_test.errors), 1, r)
        self.assertIn("not a regular file", r.rules_test.errors[0])
        self.d.assert_stops_cleanly(self)

    def reloadable(self):
        """A daemon whose configuration includes a file the test can turn
        into a FIFO: its rules are the shipped ones."""
        d = scratch_dir(self)
        self.included = os.path.join(d, "rules.conf")
        with open(CONF) as f:
            text = f.read()
        at = text.index("\nrules = (")
        self.rules_text = text[at:]
        with open(self.included, "w") as f:
            f.write(self.rules_text)
        conf = os.path.join(d, "ffcd.conf")
        with open(conf, "w") as f:
            f.write(text[:at] + '\n@include "%s"\n' % self.included)
        self.d = start_daemon(self, conf=conf)

    def hold_included(self):
        os.unlink(self.included)
        os.mkfifo(self.included)

    def test_reload_waits_beside_the_loop(self):
        self.reloadable()
        self.hold_included()
        held = self.ask(pb.ControlRequest(reload=pb.ReloadRequest()))
        self.progress_while_held(held)
        self.release(self.included, self.rules_text)
        r = self.reply(held)
        self.assertTrue(r.reload.loaded, r)
        self.assertEqual(r.reload.rules, 6)
        self.d.assert_stops_cleanly(self)

    def test_sighup_reload_waits_beside_the_loop(self):
        self.reloadable()
        self.hold_included()
        os.kill(self.d.pid, signal.SIGHUP)
        held = self.ask(pb.ControlRequest(status=pb.StatusRequest()))
        self.reply(held)
        before = self.d.stderr().count("reload (SIGHUP)")
        receipts = self.d.send(self.concerns("during", 20))
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        self.assertEqual(self.d.stderr().count("reload (SIGHUP)"), before)
        self.release(self.included, self.rules_text)
        self.assertTrue(wait_for(lambda: "reload (SIGHUP)" in self.d.stderr(), timeout=20),
                        self.d.stderr())
        self.assertIn("6 rules in force", self.d.stderr())
        self.d.assert_stops_cleanly(self)

    def test_shutdown_waits_for_the_work_and_answers_it(self):
        self.d = start_daemon(self)
        fifo = os.path.join(scratch_dir(self), "candidate.conf")
        os.mkfifo(fifo)
        held = self.ask(pb.ControlRequest(rules_test=pb.RulesTestRequest(path=fifo)))
        self.assertFalse(held.poll(300))
        self.d.proc.send_signal(signal.SIGTERM)
        # The daemon does not go while the work is under way ...
        self.assertFalse(held.poll(300))
        self.assertTrue(self.d.running())
        threading.Timer(0.5, self.release, (fifo,)).start()
        # ... and answers it before it does.
        r = self.reply(held)
        self.assertEqual(len(r.rules_test.errors), 1, r)
        self.assertEqual(self.d.proc.wait(timeout=60), 0)
        self.d.assert_clean(self)

    def test_receipts_while_a_backup_is_copied(self):
        self.d = start_daemon(self)
        big = [concern("fill-%d" % i, summary=SUMMARY, children=[dict(
            nhs_number=nhs_number(i % 1000))]) for i in range(FILL)]
        for at in range(0, FILL, 4000):
            receipts = self.d.send(big[at:at + 4000], timeout=300)
            self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        dest = os.path.join(scratch_dir(self), "backup")
        held = self.ask(pb.ControlRequest(backup=pb.BackupRequest(path=dest)))
        # The copy is under way once its file exists.
        self.assertTrue(wait_for(lambda: os.path.exists(os.path.join(dest, "data.mdb")),
                                 timeout=30))
        # The map was made as large as it may be before the copy began, so
        # no write beside it waits for the copy to end to grow it.
        st = self.d.status()
        self.assertEqual(st.store_map_bytes, st.store_map_max_bytes)
        self.receipts_while_held(held, "during", 5000, "the backup")
        r = self.reply(held)
        self.assertEqual(r.error, "")
        self.assertGreater(r.backup.bytes, 100 * 2**20)
        # The report reads every concern: beside the loop too.
        t0 = time.monotonic()
        held = self.ask(pb.ControlRequest(report=pb.ReportRequest(
            from_ms=now_ms() - 400 * 86400000, to_ms=now_ms() + 86400000)))
        self.receipts_while_held(held, "reported", 6000, "the report")
        r = self.reply(held)
        print("\nreport of %d concerns: %.2f s" % (r.report.concerns,
                                               time.monotonic() - t0))
        self.assertEqual(r.error, "")
        # As of its read snapshot: those sent during the backup, perhaps
        # those sent beside it.
        self.assertTrue(FILL + 20 <= r.report.concerns <= FILL + 40, r.report.concerns)
        self.d.assert_stops_cleanly(self)

    def test_backup_written_at_its_rate(self):
        """store.backup_mb_per_s paces the copy: at 1 MiB a second, a copy
        of over 3 MiB takes at least as many seconds as it has whole MiBs
        (a bound below, which a busy machine only lengthens), and it is
        whole."""
        dest = self.paced_store("store: { backup_mb_per_s = 1; };\n")
        r = self.d.control(pb.ControlRequest(backup=pb.BackupRequest(path=dest)),
                           timeout=120000)
        self.assertEqual(r.error, "")
        self.assertGreater(r.backup.bytes, 3 * 2**20)
        self.assertEqual(os.path.getsize(os.path.join(dest, "data.mdb")), r.backup.bytes)
        whole = r.backup.bytes // 2**20
        self.assertGreaterEqual(r.backup.duration_ms, whole * 1000 - 1, r.backup)
        self.d.assert_stops_cleanly(self)

    def test_commits_gathered_while_a_backup_holds_its_snapshot(self):
        """While a backup holds its snapshot, no page a commit replaces can
        be reused, so store.backup_commit_gap_ms gathers the concerns that
        arrive into fewer commits: eight concerns sent 20 ms apart, while
        a paced copy is under way, are committed in at most two batches
        (the first may begin one at once; the rest wait for the gap), and
        all are ACCEPTED before the backup is answered. A busy machine
        only gathers more."""
        dest = self.paced_store(
            "store: { backup_mb_per_s = 1; backup_commit_gap_ms = 1000; };\n")
        held = self.ask(pb.ControlRequest(backup=pb.BackupRequest(path=dest)))
        self.assertTrue(wait_for(lambda: os.path.exists(os.path.join(dest, "data.mdb")),
                                 timeout=30))
        before = self.d.stats().batch_sizes.count
        s = self.d.dealer()
        for c in self.concerns("gathered", 8, first_child=7000):
            s.send(c.SerializeToString())
            time.sleep(0.02)
        receipts = collect_receipts(s, 8)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts))
        batches = self.d.stats().batch_sizes.count - before
        self.assertFalse(held.poll(0), "the backup was answered before the receipts came")
        self.assertGreaterEqual(batches, 1)
        self.assertLessEqual(batches, 2, "8 concerns in %d commits during the backup" % batches)
        self.assertEqual(self.reply(held, timeout=120000).error, "")
        self.d.assert_stops_cleanly(self)

if __name__ == "__main__":
    main()
