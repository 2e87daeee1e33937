"""Harness for ffc's integration tests.

Starts the real ffcd on free loopback ports in a scratch data directory and
talks to it over ZeroMQ with messages built by protoc's Python code from
proto/ffc.proto, independently of the C code. Every wait is bounded.

Environment (set by ctest): FFC_BIN (ffcd and the tools), FFC_PB2 (the
directory holding ffc_pb2.py), FFC_SOURCE (the repository), FFC_TEST_TMP.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

sys.path.insert(0, os.environ.get("FFC_PB2", ""))
import ffc_pb2 as pb  # noqa: E402
import zmq  # noqa: E402

BIN = os.environ.get("FFC_BIN", "")
SOURCE = os.environ.get("FFC_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
TMP = os.environ.get("FFC_TEST_TMP", tempfile.gettempdir())
CONF = os.path.join(SOURCE, "conf", "ffcd.conf")
DAY = 86400000
# 2026-01-01T00:00:00Z: event times in the past, so none is "in the future".
T0 = 1767225600000

# ---- identifiers, computed independently of the daemon's C code ----

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check(nine):
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else check


def nhs_number(n):
    """The n-th valid NHS number of a deterministic sequence."""
    k = 0
    base = 400000000 + n * 7
    while True:
        nine = "%09d" % (base + k)
        c = nhs_check(nine)
        if c != 10 and len(set(nine + str(c))) > 1:
            return nine + str(c)
        k += 1


def upn(n):
    body = "8012%08d" % n
    total = sum(int(ch) * (i + 2) for i, ch in enumerate(body))
    return UPN_LETTERS[total % 23] + body


def now_ms():
    return int(time.time() * 1000)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def concern(cid, agency=pb.POLICE, category=pb.DOMESTIC_ABUSE, severity=pb.MODERATE,
            at=T0, children=None, **kw):
    c = pb.Concern(concern_id=cid, agency=agency, category=category, severity=severity,
                   occurred_at_ms=at, reported_at_ms=at, **kw)
    for kid in children if children is not None else [dict(nhs_number=nhs_number(0))]:
        c.children.add(**kid)
    return c


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


class Daemon:
    """One ffcd process on free ports with its own data directory."""

    def __init__(self, data=None, conf=CONF, extra=()):
        self.dir = data or tempfile.mkdtemp(prefix="ffc-it-", dir=_tmpdir())
        self.own_dir = data is None
        self.ingest_ep = "tcp://127.0.0.1:%d" % free_port()
        self.alerts_ep = "tcp://127.0.0.1:%d" % free_port()
        self.control_ep = "ipc://%s/control.sock" % self.dir
        self.conf = conf
        self.extra = list(extra)
        self.ctx = zmq.Context()
        self.proc = None
        self.log_path = os.path.join(self.dir, "ffcd.stderr")

    def argv(self):
        return [os.path.join(BIN, "ffcd"), "-c", self.conf, "--data", self.dir,
                "--ingest", self.ingest_ep, "--alerts", self.alerts_ep] + self.extra

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stderr=self.log, stdout=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("ffcd exited at start:\n" + self.stderr())
            try:
                self.control(pb.ControlRequest(status=pb.StatusRequest()), timeout=500)
                return self
            except TimeoutError:
                time.sleep(0.1)
        raise AssertionError("ffcd did not answer within 30 s:\n" + self.stderr())

    def stderr(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM):
        """Stop the daemon; returns its exit code."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc

    def close(self):
        self.stop(signal.SIGKILL if self.proc and self.proc.poll() is None else 0)
        self.ctx.destroy(linger=0)
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def assert_clean(self, test):
        text = self.stderr()
        for mark in SANITIZER_MARKS:
            test.assertNotIn(mark, text, "sanitizer report in ffcd's stderr:\n" + text)

    # ---- sockets ----

    def dealer(self, ep=None):
        s = self.ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(ep or self.ingest_ep)
        return s

    def send(self, concerns, timeout=20.0):
        """Send concerns pipelined over one DEALER; receipts by concern_id
        (a list when an id comes back more than once)."""
        s = self.dealer()
        try:
            for c in concerns:
                s.send(c if isinstance(c, bytes) else c.SerializeToString())
            receipts = []
            deadline = time.time() + timeout
            while len(receipts) < len(concerns):
                left = deadline - time.time()
                if left <= 0 or not s.poll(int(left * 1000)):
                    raise AssertionError("only %d of %d receipts" % (len(receipts), len(concerns)))
                r = pb.Receipt()
                r.ParseFromString(s.recv())
                receipts.append(r)
            return receipts
        finally:
            s.close()

    def send_one(self, c):
        return self.send([c])[0]

    def control(self, req, timeout=10000):
        s = self.dealer(self.control_ep)
        try:
            s.send(req if isinstance(req, bytes) else req.SerializeToString())
            if not s.poll(timeout):
                raise TimeoutError("no control reply")
            r = pb.ControlReply()
            r.ParseFromString(s.recv())
            return r
        finally:
            s.close()

    def stats(self):
        return self.control(pb.ControlRequest(stats=pb.StatsRequest())).stats

    def status(self):
        return self.control(pb.ControlRequest(status=pb.StatusRequest())).status

    def child(self, **kw):
        return self.control(pb.ControlRequest(child=pb.ChildRequest(**kw)))

    def alerts(self, since=0, level=0, limit=0):
        r = self.control(pb.ControlRequest(alerts=pb.AlertsRequest(
            since_seq=since, level=level, limit=limit)))
        return r.alerts

    def subscribe(self, prefix=b"alert."):
        s = self.ctx.socket(zmq.SUB)
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.SUBSCRIBE, prefix)
        s.connect(self.alerts_ep)
        time.sleep(0.3)  # let the subscription reach the publisher
        return s

    def tool(self, name, *args, input=None, timeout=60):
        env = dict(os.environ, FFC_CONTROL=self.control_ep, FFC_INGEST=self.ingest_ep,
                   FFC_ALERTS=self.alerts_ep, XDG_STATE_HOME=self.dir)
        return subprocess.run([os.path.join(BIN, name)] + list(args), input=input,
                              capture_output=True, text=True, timeout=timeout, env=env)


def receive_alerts(sub, n, timeout=10.0):
    """n (topic, Alert) pairs from a SUB socket, or fail."""
    out = []
    deadline = time.time() + timeout
    while len(out) < n:
        left = deadline - time.time()
        if left <= 0 or not sub.poll(int(left * 1000)):
            raise AssertionError("received %d of %d alerts" % (len(out), n))
        topic, body = sub.recv_multipart()
        a = pb.Alert()
        a.ParseFromString(body)
        out.append((topic.decode(), a))
    return out


def no_more_alerts(sub, wait_ms=500):
    return not sub.poll(wait_ms)


def _tmpdir():
    os.makedirs(TMP, exist_ok=True)
    return TMP


class DaemonTest(unittest.TestCase):
    """A test case with a fresh daemon; checked for a clean stop after."""

    def setUp(self):
        self.d = Daemon().start()

    def tearDown(self):
        rc = self.d.stop()
        try:
            self.assertEqual(rc, 0, "ffcd did not exit 0 on SIGTERM:\n" + self.d.stderr())
            self.d.assert_clean(self)
        finally:
            self.d.close()


def main():
    # Sockets left to the garbage collector are closed with their context.
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
