"""A viewer sending refused control requests as fast as it can, beside an
adapter pipelining concerns: every refusal is in the audit trail, counted
(the counts add up to exactly the refusals the flooder was answered), in a
bounded number of entries (a caller's first few in a second one by one,
the rest as one entry with its count), and the adapter keeps at least half
its throughput. FFC_LONG=1 floods for longer."""

import os
import multiprocessing
import time
import unittest

import zmq

from ffctest import CONF, concern, main, nhs_number, pb, scratch_dir, start_daemon

FLOOD_S = 20.0 if os.environ.get("FFC_LONG") else 3.0
MEASURE_S = 2.0
EACH = 10  # REFUSALS_EACH: written one by one per caller and second


def operators_conf(test):
    with open(CONF) as f:
        text = f.read()
    path = os.path.join(scratch_dir(test), "flood.conf")
    with open(path, "w") as f:
        f.write(text.replace("operators = ();", """operators = (
    { name = "v.iewer"; role = "viewer"; unix_user = %d; },
    { name = "a.dmin"; role = "admin"; unix_user = %d; }
  );""" % (os.getuid(), os.getuid())))
    return path


def adapter_rate(d, seconds, tag, window=200):
    """Concerns acknowledged per second over `seconds`, pipelined with up to
    `window` in flight on one DEALER."""
    s = d.dealer()
    sent = got = 0
    start = time.time()
    try:
        while time.time() - start < seconds:
            while sent - got < window:
                s.send(concern("%s-%d" % (tag, sent), children=[dict(
                    nhs_number=nhs_number(1000 + sent % 5000))]).SerializeToString())
                sent += 1
            if s.poll(1000):
                r = pb.Receipt.FromString(s.recv())
                assert r.status == pb.Receipt.ACCEPTED, r.error
                got += 1
        elapsed = time.time() - start
        acked = got
        while got < sent and s.poll(30000):  # the rest, not counted
            s.recv()
            got += 1
        return acked / elapsed
    finally:
        s.close()


def flood(ep, child, stop, result):
    """A viewer asking for a child's record, pipelined, until stop is set
    (in a process of its own: no lock shared with the adapter); puts the
    refusals it was answered and anything else it got in result."""
    req = pb.ControlRequest(operator="v.iewer", purpose="flood",
                            child=pb.ChildRequest(child_id=child)).SerializeToString()
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(ep)
    in_flight = refused = 0
    other = []
    while not stop.is_set() or in_flight:
        while not stop.is_set() and in_flight < 50:
            s.send(req)
            in_flight += 1
        if not s.poll(10000):
            other.append("no reply")
            break
        r = pb.ControlReply.FromString(s.recv())
        in_flight -= 1
        if r.error == "child: needs the practitioner role; v.iewer is a viewer":
            refused += 1
        else:
            other.append(r.error or r.WhichOneof("result"))
    s.close()
    ctx.term()
    result.put((refused, other[:10]))


class RefusalFlood(unittest.TestCase):
    def test_refusals_counted_bounded_and_ingest_kept(self):
        d = start_daemon(self, conf=operators_conf(self), operator="a.dmin")
        child = d.send_one(concern("first", children=[dict(nhs_number=nhs_number(1))]))
        child = child.child_ids[0]
        before = adapter_rate(d, MEASURE_S, "before")

        stop, result = multiprocessing.Event(), multiprocessing.Queue()
        flooder = multiprocessing.Process(target=flood, args=(d.control_ep, child, stop, result))
        t0 = time.time()
        flooder.start()
        time.sleep(0.3)  # the flood under way
        during = adapter_rate(d, min(MEASURE_S, FLOOD_S - 0.5), "during")
        while time.time() - t0 < FLOOD_S:
            time.sleep(0.05)
        stop.set()
        refused_n, other = result.get(timeout=30)
        flood_s = time.time() - t0
        flooder.join(30)
        self.assertEqual(other, [])
        self.assertGreater(refused_n, 100)
        print("\n  refusal flood: %d refusals in %.1f s (%.0f/s); adapter %.0f concerns/s "
              "before, %.0f/s during (%.0f%%)"
              % (refused_n, flood_s, refused_n / flood_s, before, during,
                 100.0 * during / before))

        # What was counted is written at the latest a window and a tick
        # after the flood ends.
        def counted():
            entries = d.control(pb.ControlRequest(
                audit=pb.AuditRequest(by="v.iewer", limit=5000))).audit.entries
            return [e for e in entries if e.refused]
        time.sleep(2.5)
        refused = counted()
        total = sum(e.count or 1 for e in refused)
        self.assertEqual(total, refused_n)
        self.assertEqual(d.stats().control_refused, refused_n)
        # Bounded: per second of flood at most EACH one by one and one count.
        bound = (EACH + 1) * (int(flood_s) + 2)
        print("  audit: %d entries for %d refusals (bound %d); largest count %d"
              % (len(refused), total, bound, max(e.count for e in refused)))
        self.assertLessEqual(len(refused), bound)
        self.assertTrue(all(e.child_id == child and e.command == "child" for e in refused))
        self.assertTrue(any(e.count > 1 for e in refused))
        # The log is as bounded as the trail.
        lines = [l for l in d.stderr().splitlines() if "control: refused" in l]
        self.assertLessEqual(len(lines), bound)
        # The neighbour kept at least half its throughput (generous: the
        # machine is shared).
        self.assertGreaterEqual(during, 0.5 * before)
        # ffcctl shows the count.
        out = d.tool("ffcctl", "--operator", "a.dmin", "audit", "--by", "v.iewer",
                     "--limit", "5000")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"REFUSED \d+ times child")
        d.assert_stops_cleanly(self)
        d.assert_clean(self)


if __name__ == "__main__":
    main()
