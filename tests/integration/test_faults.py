"""Faults under load, through the real ffcd: nothing acknowledged is lost.

- kill -9 at random moments while three pipelined adapters send, some
  rounds with a reload, a backup, a purge or a burst of merging concerns in
  flight; after each kill the daemon is started again on the same store and
  the adapters send again everything not yet acknowledged, and some of what
  was (which must come back DUPLICATE with the seq first given). A checker
  then reads every child's chronology: every acknowledged concern is stored
  once, under the seq its first receipt gave; no seq names two concerns;
  the stored count is the number of concerns acknowledged.
- disk full: the store on a small tmpfs; concerns are REJECTED naming the
  store once it is full, the daemon keeps answering, accepts again once
  space is freed, and a copy of the store on a larger filesystem holds every
  acknowledged concern and none that was rejected.
- map full: a small map_size_max_mb; the same, then a restart with a larger
  maximum accepts again.

FFC_LONG=1 runs 100 kill rounds instead of 8 and fills larger stores.
"""

import collections
import os
import random
import subprocess
import time
import unittest
import zlib

import zmq

from ffctest import (DAY, Daemon, main, nhs_number, now_ms, pb, scratch_dir, upn)

LONG = os.environ.get("FFC_LONG", "") not in ("", "0")
ROUNDS = 100 if LONG else 8
SEED = int(os.environ.get("FFC_SEED", "0")) or random.randrange(1, 1 << 30)
YEAR = 36525 * DAY // 100
# Concerns each sender files about one child before it moves on to the next.
PER_CHILD = 20
# How many children the third sender (which names NHS number and UPN
# together) is behind the other two (one names only NHS numbers, the other
# only UPNs): each child it reaches is known twice already, and is merged.
LAG = 30
# Children of the old concerns a purge removes.
OLD_POOL = 40
SUMMARY = "Concern raised during a fault test; text long enough to be a realistic record. " * 2


def write_conf(test, text):
    path = os.path.join(scratch_dir(test), "ffcd.conf")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


class Ledger:
    """What the adapters were told, concern by concern, and every breach of
    the receipt contract seen on the way.

    Concerns are keyed by concern_id (unique across all senders). `strict`
    concerns can never be purged: once acknowledged, every later receipt
    must give the same seq. Old concerns may be purged and then accepted
    again under a new seq, so for them every acknowledged seq is kept."""

    def __init__(self):
        self.data = {}          # cid -> serialized Concern
        self.agency = {}        # cid -> Agency
        self.strict = set()
        self.seq = {}           # cid -> first acknowledged seq (strict concerns)
        self.seqs = collections.defaultdict(set)  # cid -> every acknowledged seq
        self.owner = {}         # seq -> cid
        self.sent = set()       # cids sent at least once
        self.receipts = collections.Counter()
        self.rejected = {}      # cid -> reason of the last REJECTED receipt
        self.breaches = []

    def add(self, c, strict=True):
        cid = c.concern_id
        assert cid not in self.data, cid
        self.data[cid] = c.SerializeToString()
        self.agency[cid] = c.agency
        if strict:
            self.strict.add(cid)
        return cid

    def acked(self, cid):
        return bool(self.seqs.get(cid))

    def receipt(self, r):
        cid = r.concern_id
        name = pb.Receipt.Status.Name(r.status)
        self.receipts[name] += 1
        if cid not in self.data:
            self.breaches.append("receipt for a concern never sent: %r" % cid)
            return
        if r.status == pb.Receipt.REJECTED:
            self.rejected[cid] = r.error
            return
        if r.status not in (pb.Receipt.ACCEPTED, pb.Receipt.DUPLICATE):
            self.breaches.append("%s: receipt status %d" % (cid, r.status))
            return
        self.rejected.pop(cid, None)
        owner = self.owner.setdefault(r.seq, cid)
        if owner != cid:
            self.breaches.append("seq %d given to %s and %s" % (r.seq, owner, cid))
        if cid in self.strict:
            first = self.seq.setdefault(cid, r.seq)
            if first != r.seq:
                self.breaches.append("%s: %s with seq %d, first acknowledged with seq %d"
                                     % (cid, name, r.seq, first))
            elif r.status == pb.Receipt.ACCEPTED and cid in self.seqs:
                self.breaches.append("%s: ACCEPTED again after it was acknowledged "
                                     "(seq %d): it was lost" % (cid, r.seq))
        self.seqs[cid].add(r.seq)


class Sender:
    """One adapter: a DEALER keeping up to `window` concerns in flight.
    `make(n)` builds its n-th new concern (or None: nothing more now);
    `queue` holds concerns to send again before any new one."""

    def __init__(self, ledger, make, window, strict=True):
        self.ledger = ledger
        self.make = make
        self.window = window
        self.strict = strict
        self.next_n = 0
        self.queue = collections.deque()
        self.in_flight = set()
        self.mine = []          # every cid this sender made
        self.sock = None
        self.closed = False     # no new concerns, only those queued

    def connect(self, d):
        self.sock = d.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.setsockopt(zmq.SNDHWM, 0)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.connect(d.ingest_ep)
        self.in_flight = set()

    def disconnect(self):
        """After a kill: whatever had no receipt is sent again first."""
        if self.sock is not None:
            self.sock.close(linger=0)
            self.sock = None
        unanswered = [cid for cid in self.mine if cid in self.in_flight]
        self.queue.extendleft(reversed(unanswered))
        self.in_flight = set()

    def resend_acknowledged(self, rng, k):
        done = [cid for cid in self.mine if self.ledger.acked(cid) and cid not in self.queue]
        self.queue.extend(rng.sample(done, min(k, len(done))))

    def fill(self):
        while len(self.in_flight) < self.window:
            if self.queue:
                cid = self.queue.popleft()
                if cid in self.in_flight:
                    continue
            elif self.closed:
                return
            else:
                c = self.make(self.next_n)
                if c is None:
                    return
                self.next_n += 1
                cid = self.ledger.add(c, self.strict)
                self.mine.append(cid)
            self.sock.send(self.ledger.data[cid], copy=False)
            self.ledger.sent.add(cid)
            self.in_flight.add(cid)

    def take(self):
        """Every receipt waiting on the socket."""
        while True:
            try:
                data = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return
            r = pb.Receipt()
            r.ParseFromString(data)
            self.in_flight.discard(r.concern_id)
            self.ledger.receipt(r)

    def idle(self):
        return not self.in_flight and not self.queue


def pump(senders, until, poll_ms=20):
    """Keep every sender's window full and read receipts until `until()`
    says stop (it is called between polls)."""
    poller = zmq.Poller()
    for s in senders:
        poller.register(s.sock, zmq.POLLIN)
    while not until():
        for s in senders:
            s.fill()
        for _ in poller.poll(poll_ms):
            pass
        for s in senders:
            s.take()


def drain(senders, timeout):
    """Send and read until no sender has a concern queued or a receipt
    outstanding (senders that are not closed go on making new ones); fail
    after `timeout` seconds."""
    deadline = time.time() + timeout
    pump(senders, lambda: all(s.idle() for s in senders) or time.time() > deadline)
    left = sum(len(s.in_flight) + len(s.queue) for s in senders)
    if left:
        raise AssertionError("%d concerns still unanswered after %d s" % (left, timeout))


def stored_concerns(d, identities):
    """seq -> (agency, concern_id) of every concern in the chronology of the
    children named by `identities` (dicts for ChildRequest), read over the
    control socket. Identities no child has are skipped."""
    out = {}
    for ident in identities:
        r = d.child(**ident)
        if r.error:
            continue
        for e in r.child.chronology:
            key = (e.agency, e.concern_id)
            if out.setdefault(e.seq, key) != key:
                raise AssertionError("seq %d stored for %s and %s" % (e.seq, out[e.seq], key))
    return out


def check_store(test, d, ledger, identities, rejected_absent=()):
    """Everything acknowledged is stored under its seq, nothing twice, and
    the count agrees. Returns the number of concerns checked."""
    stored = stored_concerns(d, identities)
    by_cid = collections.defaultdict(set)
    for seq, (agency, cid) in stored.items():
        test.assertIn(cid, ledger.data, "stored concern %s was never sent" % cid)
        test.assertEqual(agency, ledger.agency[cid], cid)
        by_cid[cid].add(seq)
    for cid in ledger.strict:
        if cid in ledger.seq:
            test.assertEqual(by_cid.get(cid), {ledger.seq[cid]},
                             "%s acknowledged with seq %d, stored as %s"
                             % (cid, ledger.seq[cid], sorted(by_cid.get(cid, ()))))
    for cid, seqs in by_cid.items():
        test.assertEqual(len(seqs), 1, "%s stored %d times: %s" % (cid, len(seqs), seqs))
        test.assertTrue(ledger.acked(cid), "%s stored but never acknowledged" % cid)
        test.assertTrue(seqs <= ledger.seqs[cid],
                        "%s stored as %s, acknowledged as %s" % (cid, seqs, ledger.seqs[cid]))
    for cid in rejected_absent:
        test.assertNotIn(cid, by_cid, "%s was REJECTED but is stored" % cid)
    test.assertEqual(d.stats().concerns, len(stored),
                     "stats count differs from the concerns in the chronologies")
    return len(stored)


class KillUnderLoad(unittest.TestCase):
    """kill -9 at random moments under three pipelined senders."""

    WINDOW = 600

    def setUp(self):
        self.rng = random.Random(SEED)
        self.scratch = scratch_dir(self)
        conf = write_conf(self, "retention: { years = 1; };\n")
        self.d = Daemon(conf=conf)
        self.addCleanup(self.d.close)
        self.base = now_ms() - 10 * DAY
        self.ledger = Ledger()
        self.merge_targets = []
        self.old_quota = 0

    # ---- the concerns ----

    def child_index(self, sender, n):
        i = n // PER_CHILD
        return max(0, i - LAG) if sender == 2 else i

    def identity(self, sender, i):
        if sender == 0:
            return dict(nhs_number=nhs_number(i))
        if sender == 1:
            return dict(upn=upn(i))
        return dict(nhs_number=nhs_number(i), upn=upn(i))

    def concern(self, cid, agency, at, kids, severity=pb.MODERATE):
        c = pb.Concern(concern_id=cid, agency=agency, category=1 + zlib.crc32(cid.encode()) % 15,
                       severity=severity, occurred_at_ms=at, reported_at_ms=at + 1000,
                       source_system="fault test", summary=SUMMARY, reporter="fault test")
        for k in kids:
            c.children.add(**k)
        return c

    def maker(self, sender, agency):
        def make(n):
            i = self.child_index(sender, n)
            kids = [self.identity(sender, i)]
            if n % 5 == 4:  # a household: the next child too
                kids.append(self.identity(sender, i + 1))
            at = self.base + (n * 7919 % 10000) * 60000
            return self.concern("s%d-%d" % (sender, n), agency, at, kids,
                                pb.LOW if n % 3 else pb.MODERATE)
        return make

    def make_merge(self, n):
        """A concern naming the NHS number and the UPN of a child the first
        two senders know as two children: the two are merged."""
        if not self.merge_targets:
            return None
        i = self.merge_targets.pop()
        return self.concern("m-%d" % n, pb.POLICE, self.base + n * 60000,
                            [dict(nhs_number=nhs_number(i), upn=upn(i))])

    def make_old(self, n):
        """A concern old enough for a purge to remove."""
        if self.old_quota <= 0:
            return None
        self.old_quota -= 1
        return self.concern("old-%d" % n, pb.OTHER, now_ms() - 3 * YEAR - n * 60000,
                            [dict(nhs_number=nhs_number(100000 + n % OLD_POOL))], pb.LOW)

    # ---- faults ----

    def control_async(self, req):
        """Send a control request and do not wait for its reply."""
        s = self.d.socket(zmq.DEALER)
        s.connect(self.d.control_ep)
        req.purpose = "fault test"
        s.send(req.SerializeToString())
        return s

    def action(self, what, rnd, senders):
        if what == "reload":
            return self.control_async(pb.ControlRequest(reload=pb.ReloadRequest()))
        if what == "backup":
            path = os.path.join(self.scratch, "backup-%d" % rnd)
            return self.control_async(pb.ControlRequest(backup=pb.BackupRequest(path=path)))
        if what == "purge":
            return self.control_async(pb.ControlRequest(purge=pb.PurgeRequest()))
        if what == "merge":
            # Children both first senders have named, the third not yet.
            s0, s1, s2 = senders[:3]
            top = min(self.child_index(0, s0.next_n), self.child_index(1, s1.next_n)) - 1
            low = self.child_index(2, s2.next_n) + 2
            self.merge_targets = [i for i in range(max(low, top - 40), top)
                                  if i not in self.merged]
            self.merged.update(self.merge_targets)
            return None
        return None

    def test_kill_9_under_pipelined_senders(self):
        ledger = self.ledger
        self.merged = set()
        senders = [Sender(ledger, self.maker(0, pb.HEALTH), self.WINDOW),
                   Sender(ledger, self.maker(1, pb.EDUCATION), self.WINDOW),
                   Sender(ledger, self.maker(2, pb.SOCIAL_CARE), self.WINDOW),
                   Sender(ledger, self.make_merge, 50),
                   Sender(ledger, self.make_old, 200, strict=False)]
        plan = ["none", "reload", "backup", "purge", "merge"]
        actions = collections.Counter()
        outcomes = collections.Counter()
        kills_in_flight = 0
        started = time.time()
        for rnd in range(ROUNDS + 1):
            last = rnd == ROUNDS
            what = plan[rnd % len(plan)] if rnd < 2 * len(plan) else self.rng.choice(plan)
            if last:
                what = "final"
            self.d.start()
            for s in senders:
                s.connect(self.d)
                if rnd:
                    s.resend_acknowledged(self.rng, 20)
            if what == "purge":
                # Old concerns stored first, so the purge has work to do.
                self.old_quota = 200
                drain(senders[4:], 120)
            if last:
                for s in senders:
                    s.closed = True
                drain(senders, 300)
                # A purge that runs to its end, for the checker to see
                # what it removed and what it left.
                final_purged, at = 0, 0
                while True:
                    r = self.d.control(pb.ControlRequest(purge=pb.PurgeRequest(from_seq=at)),
                                       timeout=60000)
                    self.assertEqual(r.error, "", r.error)
                    final_purged += r.purge.purged
                    at = r.purge.next_seq
                    if not at:
                        break
                break
            # Run a while, then the fault (if any), then the kill a
            # moment later, all while the senders keep their windows full.
            t0 = time.time()
            run = self.rng.uniform(0.5, 3.0)
            # A control request waits for the ingest batches in hand (under
            # the sanitizers on a loaded machine its reply comes 2 to 4 s
            # later), so the kill comes up to 5 s after it: some land
            # before it runs, some while it runs, some after its reply.
            lag = self.rng.uniform(0.0, 5.0 if what in ("reload", "backup", "purge") else 0.15)
            state = {"acted": False}

            def until():
                now = time.time()
                if not state["acted"] and now - t0 >= run:
                    state["acted"] = True
                    state["sock"] = self.action(what, rnd, senders)
                    state["at"] = now
                return state["acted"] and now - state["at"] >= lag

            pump(senders, until, poll_ms=5)
            kills_in_flight += sum(len(s.in_flight) for s in senders)
            self.assertTrue(self.d.running(), "ffcd died by itself:\n" + self.d.stderr())
            self.d.kill()
            actions[what] += 1
            for s in senders:
                s.disconnect()
            sock = state.get("sock")
            if sock is not None:
                # Did the request finish before the kill, or was it cut?
                done = sock.poll(0)
                outcomes["%s %s" % (what, "done" if done else "cut")] += 1
                sock.close(linger=0)
        elapsed = time.time() - started

        self.assertEqual(ledger.breaches, [], "receipt contract broken")
        self.assertEqual(ledger.rejected, {}, "valid concerns REJECTED")
        top = max(s.next_n for s in senders[:3]) // PER_CHILD + 2
        idents = ([dict(nhs_number=nhs_number(i)) for i in range(top)]
                  + [dict(upn=upn(i)) for i in range(top)]
                  + [dict(nhs_number=nhs_number(100000 + i)) for i in range(OLD_POOL)])
        checked = check_store(self, self.d, ledger, idents)
        acked = len(ledger.seqs)
        strict_acked = len(ledger.seq)
        self.assertEqual(strict_acked, len([c for c in ledger.strict if c in ledger.sent]))
        # Alerts: stored with seqs 1..n, none missing after the kills.
        total = self.d.status().alerts
        self.assertEqual([a.seq for a in self.d.all_alerts()], list(range(1, total + 1)))
        stats = self.d.stats()
        self.d.assert_stops_cleanly(self)
        print("\nkill -9: seed %d, %d rounds (%s; control requests before the kill: %s) "
              "in %.0f s; %d concerns acknowledged (%d never purgeable), %d receipts %s, "
              "%d concerns in flight at the kills, %d stored and checked with their first "
              "seq, %d merges, %d purged (%d by the last purge), %d alerts"
              % (SEED, ROUNDS, ", ".join("%s %d" % kv for kv in sorted(actions.items())),
                 ", ".join("%s %d" % kv for kv in sorted(outcomes.items())), elapsed,
                 acked, strict_acked, sum(ledger.receipts.values()), dict(ledger.receipts),
                 kills_in_flight, checked, stats.merges, stats.purged, final_purged,
                 total), flush=True)
        self.assertGreater(stats.merges, 0, "no merge happened")
        self.assertGreater(stats.purged, 0, "no purge removed anything")
        self.assertGreater(ledger.receipts["DUPLICATE"], 0, "nothing was sent twice")


class FullStore(unittest.TestCase):
    """Disk full and map full: REJECTED with a reason, nothing acknowledged
    lost, the daemon keeps serving."""

    WINDOW = 100
    CHILDREN = 60

    def setUp(self):
        self.ledger = Ledger()
        self.base = now_ms() - 10 * DAY

    def make(self, prefix):
        def make(n):
            at = self.base + (n * 7919 % 10000) * 60000
            c = pb.Concern(concern_id="%s-%d" % (prefix, n), agency=pb.HEALTH,
                           category=1 + n % 15, severity=pb.LOW, occurred_at_ms=at,
                           reported_at_ms=at + 1000, source_system="fault test",
                           summary=SUMMARY, reporter="fault test")
            c.children.add(nhs_number=nhs_number(n % self.CHILDREN))
            return c
        return make

    def identities(self):
        return [dict(nhs_number=nhs_number(i)) for i in range(self.CHILDREN)]

    def fill_until_rejected(self, d, sender, limit):
        """Send until `limit` concerns were rejected, then read every
        outstanding receipt."""
        sender.connect(d)
        deadline = time.time() + (600 if LONG else 240)
        pump([sender], lambda: len(self.ledger.rejected) >= limit or time.time() > deadline)
        sender.closed = True
        drain([sender], 120)
        self.assertGreaterEqual(len(self.ledger.rejected), limit,
                                "store never full: %s" % dict(self.ledger.receipts))
        sender.disconnect()

    def resend_rejected(self, d, sender):
        """The rejected concerns, sent again: ACCEPTED, not DUPLICATE, since
        a rejected concern was not stored."""
        again = list(self.ledger.rejected)
        before = self.ledger.receipts["ACCEPTED"]
        sender.queue.extend(again)
        sender.connect(d)
        drain([sender], 120)
        sender.disconnect()
        self.assertEqual(self.ledger.rejected, {}, "still rejected after space was freed")
        self.assertEqual(self.ledger.receipts["ACCEPTED"] - before, len(again))
        return again

    def test_disk_full(self):
        mnt = scratch_dir(self)
        size_mb = 32 if LONG else 8
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mb, "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs root): " + r.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True)
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * (2 << 20))
        data = os.path.join(mnt, "data")
        d = Daemon(data=data)
        self.addCleanup(d.close)
        d.start()
        sender = Sender(self.ledger, self.make("df"), self.WINDOW)
        self.fill_until_rejected(d, sender, 50)
        self.assertEqual(self.ledger.breaches, [])
        reasons = set(self.ledger.rejected.values())
        for why in reasons:
            self.assertIn("store: disk full in ", why,
                          "REJECTED receipt does not say the disk is full")
        self.assertTrue(d.running(), d.stderr())
        self.assertGreater(d.status().pid, 0, "no status answer on a full disk")
        full_at = len(self.ledger.seqs)
        rejected = list(self.ledger.rejected)

        os.unlink(filler)
        self.resend_rejected(d, sender)
        self.assertEqual(self.ledger.breaches, [])
        d.assert_stops_cleanly(self)

        # The store, copied to a filesystem with room, as it was left.
        bigger = scratch_dir(self)
        subprocess.run(["cp", "--sparse=always", os.path.join(data, "data.mdb"), bigger],
                       check=True)
        copy = Daemon(data=bigger)
        self.addCleanup(copy.close)
        copy.start()
        checked = check_store(self, copy, self.ledger, self.identities())
        self.assertEqual(checked, len(self.ledger.seqs))
        copy.assert_stops_cleanly(self)
        print("\ndisk full: %d MiB tmpfs; %d concerns ACCEPTED before the disk was full, "
              "%d REJECTED (%s), all ACCEPTED once 2 MiB was freed; %d checked in the copy"
              % (size_mb, full_at, len(rejected), " | ".join(sorted(reasons)), checked),
              flush=True)

    def test_map_full(self):
        small = write_conf(self, "store: { map_size_mb = 1; map_size_max_mb = %d; };\n"
                           % (8 if LONG else 2))
        d = Daemon(conf=small)
        self.addCleanup(d.close)
        d.start()
        sender = Sender(self.ledger, self.make("mf"), self.WINDOW)
        self.fill_until_rejected(d, sender, 50)
        self.assertEqual(self.ledger.breaches, [])
        reasons = set(self.ledger.rejected.values())
        for why in reasons:
            self.assertIn("full", why)
            self.assertIn("map_size_max", why)
        self.assertGreater(d.status().pid, 0, "no status answer with the map full")
        full_at = len(self.ledger.seqs)
        rejected = list(self.ledger.rejected)
        checked_full = check_store(self, d, self.ledger, self.identities(), rejected)
        d.assert_stops_cleanly(self)

        big = Daemon(data=d.dir, conf=write_conf(
            self, "store: { map_size_mb = 1; map_size_max_mb = 64; };\n"))
        self.addCleanup(big.close)
        big.start()
        self.resend_rejected(big, sender)
        self.assertEqual(self.ledger.breaches, [])
        checked = check_store(self, big, self.ledger, self.identities())
        self.assertEqual(checked, len(self.ledger.seqs))
        big.assert_stops_cleanly(self)
        print("\nmap full: map_size_max_mb %d; %d concerns ACCEPTED, %d REJECTED (%s), "
              "%d checked while full; after a restart with 64 MiB all ACCEPTED, %d checked"
              % (8 if LONG else 2, full_at, len(rejected), " | ".join(sorted(reasons)),
                 checked_full, checked), flush=True)


if __name__ == "__main__":
    main()
