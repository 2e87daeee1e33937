"""Durability: every concern with an ACCEPTED receipt survives kill -9;
alerts and their seq survive; SIGTERM and the shutdown command stop the
daemon cleanly; two daemons never share a data directory."""

import signal
import subprocess
import os
import unittest

from ffctest import (BIN, CONF, Daemon, concern, main, nhs_number, pb)


def batch(n, prefix):
    return [concern("%s-%d" % (prefix, i), agency=pb.Agency.Value(
        ("POLICE", "HEALTH", "EDUCATION")[i % 3]), severity=pb.LOW,
        children=[dict(nhs_number=nhs_number(i % 400))]) for i in range(n)]


class Restart(unittest.TestCase):
    def setUp(self):
        self.d = Daemon().start()

    def tearDown(self):
        self.d.close()

    def test_kill_9_loses_nothing_acknowledged(self):
        cs = batch(2000, "k")
        first = {r.concern_id: r for r in self.d.send(cs, timeout=120)}
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in first.values()))
        alerts_before = self.d.alerts(since=0, limit=5000)
        self.assertGreater(len(alerts_before.alerts), 0)
        stats_before = self.d.stats()

        self.d.stop(signal.SIGKILL)
        self.d.start()

        again = self.d.send(cs, timeout=120)
        for r in again:
            self.assertEqual(r.status, pb.Receipt.DUPLICATE, r)
            self.assertEqual(r.seq, first[r.concern_id].seq)
            self.assertEqual(list(r.child_ids), list(first[r.concern_id].child_ids))
        stats_after = self.d.stats()
        self.assertEqual(stats_after.concerns, 2000)
        self.assertEqual(stats_after.children, stats_before.children)
        self.assertEqual(list(stats_after.concerns_by_agency),
                         list(stats_before.concerns_by_agency))
        alerts_after = self.d.alerts(since=0, limit=5000)
        self.assertEqual(list(alerts_after.alerts), list(alerts_before.alerts))

        # New alerts continue the seq.
        last = alerts_after.last_seq
        self.d.send_one(concern("ir", category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                                children=[dict(nhs_number=nhs_number(999))]))
        self.assertEqual([a.seq for a in self.d.alerts(since=last).alerts], [last + 1])
        self.assertEqual(self.d.stop(), 0)
        self.d.assert_clean(self)

    def test_shutdown_command(self):
        r = self.d.control(pb.ControlRequest(shutdown=pb.ShutdownRequest()))
        self.assertEqual(r.error, "")
        self.assertEqual(self.d.proc.wait(timeout=30), 0)
        self.assertFalse(os.path.exists(os.path.join(self.d.dir, "control.sock")))
        self.d.assert_clean(self)

    def test_one_daemon_per_data_directory(self):
        second = subprocess.run(self.d.argv()[:5] + ["--ingest", "tcp://127.0.0.1:1",
                                                     "--alerts", "tcp://127.0.0.1:2"],
                                capture_output=True, text=True, timeout=60)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("another ffcd", second.stderr)
        self.assertEqual(self.d.status().concerns, 0)  # the first one still serves
        self.assertEqual(self.d.stop(), 0)

    def test_files_are_private(self):
        mode = os.stat(self.d.dir).st_mode & 0o777
        self.assertEqual(mode & 0o077, 0, oct(mode))
        for name in ("data.mdb", "control.sock"):
            mode = os.stat(os.path.join(self.d.dir, name)).st_mode & 0o777
            self.assertEqual(mode & 0o077, 0, "%s is %o" % (name, mode))
        self.assertEqual(self.d.stop(), 0)


class Startup(unittest.TestCase):
    def run_ffcd(self, *args):
        return subprocess.run([os.path.join(BIN, "ffcd")] + list(args), capture_output=True,
                              text=True, timeout=60)

    def test_check_shipped_config(self):
        r = self.run_ffcd("-n", "-c", CONF)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK (5 rules)", r.stdout)

    def test_check_bad_config_reports_every_error(self):
        path = os.path.join(Daemon().dir, "bad.conf")
        with open(path, "w") as f:
            f.write('ingest: { max_message_kb = 0; };\n'
                    'rules = ( { name = "x"; kind = "count"; window_days = 10; },\n'
                    '          { name = "y"; kind = "wrong"; } );\n'
                    'typo = 1;\n')
        r = self.run_ffcd("-n", "-c", path)
        self.assertNotEqual(r.returncode, 0)
        lines = r.stderr.strip().splitlines()
        self.assertTrue(any(l.startswith(path + ":1:") and "max_message_kb" in l for l in lines))
        self.assertTrue(any(l.startswith(path + ":2:") and "amber" in l for l in lines))
        self.assertTrue(any(l.startswith(path + ":3:") and "wrong" in l for l in lines))
        self.assertTrue(any(l.startswith(path + ":4:") and "typo" in l for l in lines))

    def test_bad_flags(self):
        self.assertEqual(self.run_ffcd("--bogus").returncode, 2)
        r = self.run_ffcd("-n", "--ingest", "http://x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("ingest endpoint", r.stderr)
        self.assertEqual(self.run_ffcd("-n", "-c", "/nonexistent.conf").returncode, 2)
        self.assertIn("usage", self.run_ffcd("-h").stdout)
        self.assertIn("ffcd", self.run_ffcd("--version").stdout)


if __name__ == "__main__":
    main()
