"""Consoles that never miss an alert, against the real ffcd and ffc-watch:
the heartbeat on the alerts socket (about once a second, the latest alert
seq, the daemon's start time, idle or busy); ffc-watch catching up on a
jump in seq, on a heartbeat announcing alerts it did not get, after a lost
connection, after a daemon restart and when its subscription was not yet
connected, printing every alert exactly once in seq order; and a
subscriber that never reads, which must not slow ingest.

To make ffc-watch miss alerts on purpose, it reaches the alerts socket
through a TCP relay in this file that can be cut, or can drop chosen
messages: it reads ZeroMQ's framing (ZMTP 3, a 64-byte greeting then
frames of flags, size and body) from the daemon's side and forwards or
drops whole messages."""

import json
import os
import signal
import socket
import struct
import subprocess
import threading
import time

import zmq

from ffctest import (BIN, DAY, SANITIZER_MARKS, DaemonTest, T0, concern, free_port, main,
                     nhs_number, now_ms, pb, wait_for)


def immediate(cid, kids, at=T0):
    """A concern raising one immediate-risk RED alert per child named."""
    return concern(cid, category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK, at=at,
                   children=[dict(nhs_number=nhs_number(k)) for k in kids])


def heartbeats(sub, n, timeout=10.0):
    """n (arrival time, Heartbeat) pairs."""
    out = []
    deadline = time.time() + timeout
    while len(out) < n:
        left = deadline - time.time()
        if left <= 0 or not sub.poll(int(left * 1000)):
            raise AssertionError("received %d of %d heartbeats" % (len(out), n))
        topic, body = sub.recv_multipart()
        assert topic == b"heartbeat", topic
        hb = pb.Heartbeat()
        hb.ParseFromString(body)
        out.append((time.time(), hb))
    return out


class Relay:
    """A TCP relay between ffc-watch and the daemon's alerts socket. cut()
    closes every connection and stops listening; resume() listens again.
    drop, when set, is called with each message from the daemon as a list
    of frames; a message it returns True for is not forwarded."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.endpoint = "tcp://127.0.0.1:%d" % self.port
        self.drop = None
        self.dropped = []
        self.forwarded = []  # topics of the messages forwarded
        self.lock = threading.Lock()
        self.conns = []
        self.listener = None
        self.threads = []

    def resume(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(8)
        self.listener = ls
        t = threading.Thread(target=self._accept, args=(ls,), daemon=True)
        t.start()
        self.threads.append(t)

    def subscribed(self, timeout=10.0):
        """Wait until a heartbeat went through: the console's connection
        is up and its subscription reached the daemon."""
        n = self.forwarded.count(b"heartbeat")
        return wait_for(lambda: self.forwarded.count(b"heartbeat") > n, timeout)

    def cut(self):
        if self.listener:
            # shutdown wakes the thread blocked in accept(); close alone
            # would leave the socket listening until accept returns.
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self.conns = []

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                daemon = socket.create_connection(self.target, timeout=5)
                daemon.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, daemon]
            for fn, a, b in ((self._pipe, client, daemon), (self._messages, daemon, client)):
                t = threading.Thread(target=fn, args=(a, b), daemon=True)
                t.start()
                self.threads.append(t)

    @staticmethod
    def _close(*socks):
        for s in socks:
            try:
                s.close()
            except OSError:
                pass

    def _pipe(self, src, dst):
        """Console to daemon (greeting, handshake, subscriptions): as is."""
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        self._close(src, dst)

    def _messages(self, src, dst):
        """Daemon to console, message by message."""
        buf = b""

        def need(n):
            nonlocal buf
            while len(buf) < n:
                data = src.recv(65536)
                if not data:
                    raise EOFError
                buf += data
            out, buf = buf[:n], buf[n:]
            return out

        try:
            # The greeting, forwarded as it comes: each side sends its
            # next part only after it has seen the other's.
            left = 64
            while left:
                data = src.recv(left)
                if not data:
                    raise EOFError
                dst.sendall(data)
                left -= len(data)
            frames, raw = [], b""
            while True:
                head = need(1)
                flags = head[0]
                size_bytes = need(8 if flags & 0x02 else 1)
                size = struct.unpack(">Q", size_bytes)[0] if flags & 0x02 else size_bytes[0]
                body = need(size)
                whole = head + size_bytes + body
                if flags & 0x04:  # a command (handshake): as is
                    dst.sendall(whole)
                    continue
                frames.append(body)
                raw += whole
                if flags & 0x01:  # more frames of this message follow
                    continue
                drop = self.drop
                if drop is not None and drop(frames):
                    self.dropped.append(frames)
                else:
                    dst.sendall(raw)
                    self.forwarded.append(frames[0])
                frames, raw = [], b""
        except (OSError, EOFError):
            pass
        self._close(src, dst)


def alert_seq(frames):
    """The seq of a published alert's frames, or None for anything else."""
    if not frames[0].startswith(b"alert."):
        return None
    a = pb.Alert()
    a.ParseFromString(frames[1])
    return a.seq


class Watch:
    """ffc-watch --json as a running process; stdout and stderr gathered
    line by line."""

    def __init__(self, test, alerts_ep, control_ep, *args):
        argv = [os.path.join(BIN, "ffc-watch"), "--alerts", alerts_ep, "--control", control_ep,
                "--json"] + list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=dict(os.environ, XDG_STATE_HOME=test.d.dir))
        self.out, self.err = [], []
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out),
                                         daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self.err),
                                         daemon=True)]
        for r in self.readers:
            r.start()
        test.addCleanup(self.kill)

    @staticmethod
    def _read(stream, lines):
        for line in stream:
            lines.append(line.rstrip("\n"))

    def seqs(self):
        return [a["seq"] for a in map(json.loads, [x for x in list(self.out) if x.strip()])
                if a["type"] == "alert"]

    def wait_seqs(self, n, timeout=20.0):
        wait_for(lambda: len(self.seqs()) >= n, timeout)
        return self.seqs()

    def wait_err(self, text, timeout=20.0):
        return wait_for(lambda: any(text in line for line in list(self.err)), timeout)

    def stderr(self):
        return "\n".join(self.err)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        self._close()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        for r in self.readers:
            r.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


class Heartbeat(DaemonTest):
    def test_about_once_a_second_with_the_latest_seq(self):
        sub = self.d.subscribe(b"heartbeat")
        alerts = self.d.subscribe(b"alert.")
        status = self.d.status()
        got = heartbeats(sub, 4)
        for _, hb in got:
            self.assertEqual(hb.last_seq, 0)
            self.assertEqual(hb.started_at_ms, status.started_at_ms)
            self.assertEqual(hb.interval_ms, 1000)
            self.assertLess(abs(hb.at_ms - now_ms()), 10000)
        gaps = [b[0] - a[0] for a, b in zip(got, got[1:])]
        # Loose bounds: the machine running the tests may be busy.
        self.assertTrue(all(0.3 < g < 2.5 for g in gaps), gaps)
        stamps = [hb.at_ms for _, hb in got]
        self.assertTrue(all(950 <= b - a <= 2000 for a, b in zip(stamps, stamps[1:])), stamps)
        # Heartbeats are not alerts: an alert. subscription never sees one.
        self.assertFalse(alerts.poll(200))

        r = self.d.send([immediate("ir-1", [1]), immediate("ir-2", [2])])
        self.assertTrue(all(x.status == pb.Receipt.ACCEPTED for x in r))
        (_, hb), = heartbeats(sub, 1)
        if hb.last_seq != 2:  # one sent just before the alerts were raised
            (_, hb), = heartbeats(sub, 1)
        self.assertEqual(hb.last_seq, 2)
        self.assertEqual(hb.last_seq, self.d.status().alerts)
        # Both alerts went out before the heartbeat naming them.
        self.assertEqual(len([alerts.recv_multipart() for _ in range(2)]), 2)
        # And a heartbeat subscription receives no alerts.
        while sub.poll(100):
            self.assertEqual(sub.recv_multipart()[0], b"heartbeat")

    def test_beats_while_busy(self):
        """A daemon kept busy with pipelined concerns for several seconds
        still beats about once a second, and no alert counted by a
        heartbeat is published after it."""
        both = self.d.socket(zmq.SUB)
        both.setsockopt(zmq.RCVHWM, 1000000)
        both.setsockopt(zmq.SUBSCRIBE, b"alert.")
        both.setsockopt(zmq.SUBSCRIBE, b"heartbeat")
        both.connect(self.d.alerts_ep)
        time.sleep(0.3)
        dealer = self.d.dealer()
        sent = received = 0
        beat_times, late, counted = [], [], 0
        t0 = time.time()

        def read():
            nonlocal counted
            while both.poll(0):
                topic, body = both.recv_multipart()
                if topic == b"heartbeat":
                    hb = pb.Heartbeat()
                    hb.ParseFromString(body)
                    # When the daemon beat, by its clock: what the loop
                    # did, not when this process got round to reading it.
                    beat_times.append(hb.at_ms / 1000.0)
                    counted = max(counted, hb.last_seq)
                else:
                    a = pb.Alert()
                    a.ParseFromString(body)
                    if a.seq <= counted:
                        late.append((a.seq, counted))

        while time.time() - t0 < 4.5:
            while sent - received < 256:
                dealer.send(immediate("busy-%d" % sent, [5000 + sent],
                                      at=T0 + sent).SerializeToString())
                sent += 1
            while dealer.poll(0):
                dealer.recv()
                received += 1
            read()
            time.sleep(0.001)
        while received < sent and dealer.poll(20000):
            dealer.recv()
            received += 1
        time.sleep(0.5)
        read()
        print("%d concerns in %.1f s, %d heartbeats" % (sent, time.time() - t0,
                                                       len(beat_times)))
        self.assertEqual(received, sent)
        self.assertGreaterEqual(len(beat_times), 3, beat_times)
        gaps = [b - a for a, b in zip(beat_times, beat_times[1:])]
        self.assertLess(max(gaps), 2.0, gaps)
        self.assertEqual(late, [], "alerts published after a heartbeat that counted them")
        self.assertGreater(counted, 0)

    def test_restart_changes_started_at(self):
        sub = self.d.subscribe(b"heartbeat")
        (_, before), = heartbeats(sub, 1)
        self.d.assert_stops_cleanly(self)
        time.sleep(0.05)
        self.d.start()
        deadline = time.time() + 15
        while True:
            (_, hb), = heartbeats(sub, 1, timeout=15)
            if hb.started_at_ms != before.started_at_ms or time.time() > deadline:
                break
        self.assertGreater(hb.started_at_ms, before.started_at_ms)
        self.assertEqual(hb.started_at_ms, self.d.status().started_at_ms)


class SlowConsole(DaemonTest):
    def test_a_subscriber_that_never_reads_does_not_slow_ingest(self):
        # A console that connects with the smallest buffers it can and
        # never reads a frame.
        stuck = self.d.socket(zmq.SUB)
        stuck.setsockopt(zmq.RCVHWM, 1)
        stuck.setsockopt(zmq.RCVBUF, 4096)
        stuck.setsockopt(zmq.SUBSCRIBE, b"")
        stuck.connect(self.d.alerts_ep)
        beats = self.d.subscribe(b"heartbeat")
        time.sleep(0.3)

        # Thousands of concerns, each raising eight alerts (an immediate
        # risk to each of eight children): far more than the publisher's
        # high-water mark holds for the stuck console.
        n, per, window = 5000, 8, 256
        concerns = [immediate("slow-%d" % i, range(i * per, (i + 1) * per), at=T0 + i * 1000)
                    for i in range(n)]
        dealer = self.d.dealer()
        sent_at, latency = {}, []
        beat_times = []
        nxt = 0
        t0 = time.time()
        deadline = t0 + 300
        while len(latency) < n:
            while nxt < n and nxt - len(latency) < window:
                c = concerns[nxt]
                sent_at[c.concern_id] = time.time()
                dealer.send(c.SerializeToString())
                nxt += 1
            self.assertLess(time.time(), deadline, "only %d of %d receipts" % (len(latency), n))
            while beats.poll(0):
                _, body = beats.recv_multipart()
                hb = pb.Heartbeat()
                hb.ParseFromString(body)
                beat_times.append(hb.at_ms / 1000.0)
            if dealer.poll(1000):
                r = pb.Receipt()
                r.ParseFromString(dealer.recv())
                self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
                latency.append(time.time() - sent_at[r.concern_id])
        elapsed = time.time() - t0
        total = n * per
        print("%d concerns, %d alerts in %.1f s with a console that never reads; "
              "receipt latency max %.2f s" % (n, total, elapsed, max(latency)))
        # Every receipt within a bound (generous for sanitizer builds on a
        # shared machine: a blocked publisher would hold them for ever).
        self.assertLess(max(latency), 20.0)
        # The loop kept beating while busy: a beat about every second and
        # no gap of several seconds between them (by the daemon's clock, as
        # for the busy heartbeat test, not when this process read them).
        while beats.poll(0):
            _, body = beats.recv_multipart()
            hb = pb.Heartbeat()
            hb.ParseFromString(body)
            beat_times.append(hb.at_ms / 1000.0)
        self.assertGreaterEqual(len(beat_times), int(elapsed / 2), beat_times)
        gaps = [b - a for a, b in zip(beat_times, beat_times[1:])]
        self.assertLess(max(gaps), 5.0, gaps)
        status = self.d.status()
        self.assertEqual(status.alerts, total)

        # The stuck console's queue was full: the publisher dropped for it
        # rather than wait (what it holds now is all it will ever get).
        held = 0
        while stuck.poll(500):
            stuck.recv_multipart()
            held += 1
        print("the console that never read holds %d of %d alerts" % (held, total))
        self.assertLess(held, total)

        # Afterwards a console catches up on everything, by seq.
        seqs = [a.seq for a in self.d.all_alerts()]
        self.assertEqual(seqs, list(range(1, total + 1)))
        r = self.d.tool("ffc-watch", "--since", str(total - 600), "--json", "--count", "600",
                        timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([a["seq"] for a in map(json.loads, r.stdout.splitlines())
                          if a["type"] == "alert"],
                         list(range(total - 599, total + 1)))
        stuck.close()


class WatchCatchesUp(DaemonTest):
    def setUp(self):
        super().setUp()
        self.relay = Relay(int(self.d.alerts_ep.rsplit(":", 1)[1]))
        self.addCleanup(self.relay.cut)
        self.n = 0

    def raise_alerts(self, k, kids_per=1):
        """k concerns, each raising kids_per RED alerts in one transaction."""
        cs = []
        for _ in range(k):
            base = 1000 + self.n * 40
            cs.append(immediate("w-%d" % self.n, range(base, base + kids_per)))
            self.n += 1
        rs = self.d.send(cs)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in rs))
        return self.d.status().alerts

    def stop_watch(self, w):
        """SIGTERM: exit 0, nothing from the sanitizers."""
        self.assertEqual(w.stop(), 0, w.stderr())
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, w.stderr())

    def watch(self, *args):
        return Watch(self, self.relay.endpoint, self.d.control_ep, "--since", "0", *args)

    def finish(self, w, last):
        w.wait_seqs(last)
        self.stop_watch(w)
        seqs = w.seqs()
        self.assertEqual(seqs, list(range(1, last + 1)), w.stderr())
        return seqs

    def test_gap_in_seq(self):
        self.relay.resume()
        w = self.watch()
        self.assertTrue(self.relay.subscribed(), w.stderr())
        last = self.raise_alerts(1)
        self.assertEqual(w.wait_seqs(1), [1])
        # Two alerts published back to back; the first is lost on the way,
        # so the console sees seq 3 right after 1.
        self.relay.drop = lambda frames: alert_seq(frames) == 2
        last = self.raise_alerts(1, kids_per=2)
        self.assertEqual(last, 3)
        self.assertEqual(w.wait_seqs(3), [1, 2, 3], w.stderr())
        self.assertEqual([alert_seq(f) for f in self.relay.dropped], [2])
        self.assertTrue(w.wait_err("caught up 1 alert missed on the way"), w.stderr())
        self.relay.drop = None
        last = self.raise_alerts(1)
        self.finish(w, last)

    def test_heartbeat_tells_an_idle_console(self):
        self.relay.resume()
        w = self.watch()
        self.assertTrue(self.relay.subscribed(), w.stderr())
        last = self.raise_alerts(1)
        self.assertEqual(w.wait_seqs(1), [1])
        # Every alert is lost on the way; only heartbeats get through.
        self.relay.drop = lambda frames: frames[0].startswith(b"alert.")
        last = self.raise_alerts(2)
        self.assertEqual(w.wait_seqs(3), [1, 2, 3], w.stderr())
        self.assertEqual(sorted(alert_seq(f) for f in self.relay.dropped), [2, 3])
        self.assertTrue(w.wait_err("caught up 2 alerts missed, announced by a heartbeat"),
                        w.stderr())
        self.finish(w, last)

    def test_lost_connection_and_silence(self):
        self.relay.resume()
        w = self.watch()
        self.assertTrue(self.relay.subscribed(), w.stderr())
        last = self.raise_alerts(2)
        self.assertEqual(w.wait_seqs(2), [1, 2])
        self.relay.cut()
        self.assertTrue(w.wait_err("lost the connection"), w.stderr())
        last = self.raise_alerts(3)
        # No heartbeat for a few seconds: said once.
        self.assertTrue(w.wait_err("no heartbeat from ffcd", timeout=10), w.stderr())
        self.assertEqual(w.seqs(), [1, 2])
        self.relay.resume()
        self.assertEqual(w.wait_seqs(5), [1, 2, 3, 4, 5], w.stderr())
        self.assertTrue(w.wait_err("caught up 3 alerts missed while disconnected"), w.stderr())
        self.assertTrue(w.wait_err("heartbeats from ffcd again"), w.stderr())
        last = self.raise_alerts(1)
        self.finish(w, last)
        self.assertEqual(sum("no heartbeat" in line for line in w.err), 1, w.stderr())

    def test_subscription_not_yet_connected(self):
        # The alerts socket is out of reach when ffc-watch starts: it shows
        # what is stored, then what was raised before it could connect.
        last = self.raise_alerts(2)
        w = self.watch()
        self.assertEqual(w.wait_seqs(2), [1, 2], w.stderr())
        last = self.raise_alerts(2)
        time.sleep(0.5)
        self.assertEqual(w.seqs(), [1, 2])
        self.relay.resume()
        self.assertEqual(w.wait_seqs(4), [1, 2, 3, 4], w.stderr())
        last = self.raise_alerts(1)
        self.finish(w, last)

    def test_daemon_restart_while_watching(self):
        w = Watch(self, self.d.alerts_ep, self.d.control_ep, "--since", "0")
        last = self.raise_alerts(2)
        self.assertEqual(w.wait_seqs(2), [1, 2])
        time.sleep(1.5)  # a heartbeat tells the console the start time
        self.d.assert_stops_cleanly(self)
        self.assertTrue(w.wait_err("lost the connection"), w.stderr())
        self.d.start()
        # Raised at once, before or after the console is back: either way
        # printed once, in order.
        last = self.raise_alerts(3, kids_per=2)
        self.assertEqual(last, 8)
        self.assertEqual(w.wait_seqs(8), list(range(1, 9)), w.stderr())
        self.assertTrue(w.wait_err("ffcd restarted"), w.stderr())
        last = self.raise_alerts(1)
        self.finish(w, last)

    def test_control_socket_back_later(self):
        # The control socket is not there when ffc-watch starts (its path
        # does not exist yet): it says so once, keeps the live alert that
        # revealed a gap for later, and catches up in order once the path
        # leads to the daemon.
        self.relay.resume()
        last = self.raise_alerts(2)
        ctl = os.path.join(self.d.dir, "later.sock")
        w = Watch(self, self.relay.endpoint, "ipc://" + ctl, "--since", "0")
        self.assertTrue(w.wait_err("cannot catch up"), w.stderr())
        self.assertTrue(self.relay.subscribed(), w.stderr())
        last = self.raise_alerts(1)
        time.sleep(1.5)
        self.assertEqual(w.seqs(), [], w.stderr())
        os.symlink(os.path.join(self.d.dir, "control.sock"), ctl)
        self.assertEqual(w.wait_seqs(3), [1, 2, 3], w.stderr())
        last = self.raise_alerts(1)
        self.finish(w, last)
        self.assertEqual(sum("cannot catch up" in line for line in w.err), 1, w.stderr())

    def test_level_filter_with_gaps(self):
        # RED only: AMBER alerts between make seq jump on every RED one;
        # nothing prints twice and no AMBER prints.
        self.relay.resume()
        w = Watch(self, self.relay.endpoint, self.d.control_ep, "--since", "0", "--level",
                  "red")
        self.assertTrue(self.relay.subscribed(), w.stderr())
        k = [dict(nhs_number=nhs_number(77))]
        for i, agency in enumerate((pb.POLICE, pb.HEALTH)):  # AMBER multi-agency
            self.assertEqual(self.d.send_one(concern("f-%d" % i, agency=agency, children=k,
                                                     at=T0 + i * DAY)).status,
                             pb.Receipt.ACCEPTED)
        self.raise_alerts(1)
        self.assertEqual(self.d.send_one(concern("f-2", agency=pb.EDUCATION, children=k,
                                                 at=T0 + 2 * DAY)).status,
                         pb.Receipt.ACCEPTED)  # RED multi-agency
        last = self.d.status().alerts
        self.assertEqual(last, 3)
        self.assertEqual(w.wait_seqs(2), [2, 3], w.stderr())
        time.sleep(1.5)
        self.stop_watch(w)
        self.assertEqual(w.seqs(), [2, 3])


if __name__ == "__main__":
    main()
