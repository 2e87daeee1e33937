"""One peer cannot make the write path fail for another, through the real
ffcd: an adapter resending concerns with impossible times (occurred_at_ms
near INT64_MIN, millions of years ago, reported_at_ms at the ends of int64,
occurred after reported, in the future) beside an adapter pipelining valid
concerns. Every valid concern is ACCEPTED, every hostile one REJECTED
naming its field, and the neighbour keeps its throughput (printed; asserted
only within a generous bound). Also: one daemon per store even when
ffcd.lock is deleted, and a full disk is said to be one.

FFC_LONG=1 sends 20,000 concerns per phase instead of 3,000."""

import os
import subprocess
import tempfile
import threading
import time
import unittest

import zmq

from ffctest import (BIN, DAY, DaemonTest, collect_receipts, concern, main, nhs_number, now_ms,
                     pb, start_daemon, _tmpdir)

ACCEPTED, REJECTED = pb.Receipt.ACCEPTED, pb.Receipt.REJECTED
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
N = 20000 if os.environ.get("FFC_LONG") else 3000


def poison(i):
    """A hostile concern and the error it must be rejected with."""
    at = now_ms() - DAY
    kinds = [
        (dict(occurred_at_ms=INT64_MIN + i % 1000), "occurred_at_ms: before 1900-01-01"),
        (dict(occurred_at_ms=-3000000 * 365 * DAY), "occurred_at_ms: before 1900-01-01"),
        (dict(reported_at_ms=INT64_MAX), "reported_at_ms: more than 5 minutes in the future"),
        (dict(reported_at_ms=INT64_MIN), "reported_at_ms: before 1900-01-01"),
        (dict(reported_at_ms=at - 5 * 60000 - 1),
         "reported_at_ms: more than 5 minutes before occurred_at_ms"),
        (dict(occurred_at_ms=INT64_MAX, reported_at_ms=0),
         "occurred_at_ms: more than 5 minutes in the future"),
    ]
    fields, error = kinds[i % len(kinds)]
    # The same child as the valid ones: a concern that was stored would be
    # judged with theirs.
    c = concern("poison-%d" % i, agency=pb.HEALTH, severity=pb.HIGH, at=at,
                children=[dict(nhs_number=nhs_number(i % 50))])
    for k, v in fields.items():
        setattr(c, k, v)
    return c, error


class Isolation(DaemonTest):
    def pipeline(self, prefix, n=N):
        """B: n valid concerns pipelined over one DEALER, in windows of 500;
        returns (seconds, receipts)."""
        s = self.d.dealer()
        base = now_ms() - 400 * DAY
        receipts = []
        start = time.time()
        for w in range(0, n, 500):
            for i in range(w, min(n, w + 500)):
                c = concern("%s-%d" % (prefix, i), agency=pb.POLICE + i % 3,
                            at=base + i * 60000,
                            children=[dict(nhs_number=nhs_number(i % 50))])
                s.send(c.SerializeToString())
            receipts += collect_receipts(s, min(n, w + 500) - w, timeout=120)
        return time.time() - start, receipts

    def test_poison_beside_valid(self):
        # Warm up first (the children are made, the map has grown), so the
        # two measured phases do the same work.
        self.pipeline("b0", 500)
        alone, rb = self.pipeline("b1")
        self.assertEqual([r.status for r in rb], [ACCEPTED] * N,
                         [r.error for r in rb if r.status != ACCEPTED][:3])

        stop = threading.Event()
        seen = {"sent": 0, "wrong": []}

        def adapter_a():
            s = self.d.ctx.socket(zmq.DEALER)
            s.setsockopt(zmq.LINGER, 0)
            s.connect(self.d.ingest_ep)
            expect = {}
            i = 0
            try:
                while not stop.is_set():
                    # A few in flight at a time, sent again and again.
                    for _ in range(8):
                        c, error = poison(i)
                        expect[c.concern_id] = error
                        s.send(c.SerializeToString())
                        i += 1
                    for r in collect_receipts(s, 8, timeout=60):
                        if r.status != REJECTED or r.error != expect[r.concern_id]:
                            seen["wrong"].append((r.concern_id, r.status, r.error))
                    seen["sent"] = i
            finally:
                s.close(linger=0)

        a = threading.Thread(target=adapter_a)
        a.start()
        try:
            time.sleep(0.2)
            during, rb = self.pipeline("b2")
        finally:
            stop.set()
            a.join(timeout=90)
        self.assertFalse(a.is_alive())
        self.assertEqual([r.status for r in rb], [ACCEPTED] * N,
                         [r.error for r in rb if r.status != ACCEPTED][:3])
        self.assertGreater(seen["sent"], 0)
        self.assertEqual(seen["wrong"], [])

        before, beside = N / alone, N / during
        print("\nadapter B: %d concerns alone %.0f/s, beside a poison sender %.0f/s "
              "(%.0f%%); adapter A: %d poison concerns, every one REJECTED naming its field"
              % (N, before, beside, 100 * beside / before, seen["sent"]))
        self.assertGreaterEqual(beside, 0.3 * before)
        # Nothing of A's stored, no alert from its HIGH concerns.
        self.assertEqual(self.d.status().concerns, 2 * N + 500)
        stats = self.d.stats()
        self.assertNotIn("runtime error", self.d.stderr())
        self.assertTrue(stats)


class OneDaemonPerStore(DaemonTest):
    def test_deleting_the_lock_file_lets_no_second_daemon_in(self):
        os.unlink(os.path.join(self.d.dir, "ffcd.lock"))
        argv = [os.path.join(BIN, "ffcd"), "-c", self.d.conf, "--data", self.d.dir,
                "--ingest", "tcp://127.0.0.1:1", "--alerts", "tcp://127.0.0.1:1"]
        p = subprocess.run(argv, capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        err = p.stderr.decode(errors="replace")
        self.assertIn("%s: another ffcd is using this data directory" % self.d.dir, err)
        # The first one still serves.
        self.assertEqual(self.d.send_one(concern("after-second")).status, ACCEPTED)


@unittest.skipUnless(os.geteuid() == 0, "mounting a small filesystem needs root")
class DiskFull(unittest.TestCase):
    def test_full_disk_is_said_to_be_full(self):
        mnt = tempfile.mkdtemp(prefix="ffc-full-", dir=_tmpdir())
        self.addCleanup(os.rmdir, mnt)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt],
                          capture_output=True).returncode != 0:
            self.skipTest("cannot mount a tmpfs here")
        self.addCleanup(subprocess.run, ["umount", "-l", mnt])
        data = os.path.join(mnt, "data")
        d = start_daemon(self, data=data)
        s = d.dealer()
        want = "store: disk full in %s; not stored, send again" % data
        full = None
        for i in range(2000):
            c = concern("fill-%d" % i, summary="x" * 4000,
                        children=[dict(nhs_number=nhs_number(i % 50))])
            s.send(c.SerializeToString())
            r = collect_receipts(s, 1, timeout=60)[0]
            if r.status != ACCEPTED:
                full = r
                break
        self.assertIsNotNone(full, "2 MiB never filled")
        self.assertEqual(full.status, REJECTED)
        self.assertEqual(full.error, want)
        text = d.stderr()
        self.assertIn("disk full in %s" % data, text)
        self.assertNotIn("Input/output error", text)
        status = d.status()
        self.assertEqual(status.store_fault, "disk full")
        self.assertGreater(status.store_fault_at_ms, 0)
        self.assertGreater(status.disk_full, 0)
        self.assertGreater(status.disk_full_at_ms, 0)
        out = d.tool("ffcctl", "status").stdout
        self.assertIn("FAULT      disk full since ", out)
        self.assertIn("disk full  ", out)
        d.assert_clean(self)


if __name__ == "__main__":
    main()
