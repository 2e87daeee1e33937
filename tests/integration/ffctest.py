"""Harness for ffc's integration tests.

Starts the real ffcd on free loopback ports in a scratch data directory and
talks to it over ZeroMQ with messages built by protoc's Python code from
proto/ffc.proto, independently of the C code: identifiers are computed by
the Python check algorithms below, and bytes protobuf's Python API refuses
to produce (invalid UTF-8, unknown fields) are written by hand. Every wait
is bounded; every daemon a test starts is stopped, even when the test fails.

Environment (set by ctest): FFC_BIN (ffcd and the tools), FFC_PB2 (the
directory holding ffc_pb2.py), FFC_SOURCE (the repository), FFC_TEST_TMP.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

sys.path.insert(0, os.environ.get("FFC_PB2", ""))
import ffc_pb2 as pb  # noqa: E402
import zmq  # noqa: E402
from ports import free_port  # noqa: E402,F401  (used by the tests that import it from here)

BIN = os.environ.get("FFC_BIN", "")
SOURCE = os.environ.get("FFC_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
TMP = os.environ.get("FFC_TEST_TMP", tempfile.gettempdir())
CONF = os.path.join(SOURCE, "conf", "ffcd.conf")
# Reads of a child's record on the control socket need a purpose.
PURPOSE = "integration test"
HOUR = 3600000
DAY = 24 * HOUR
# 2026-01-01T00:00:00Z: event times in the past, so none is "in the future".
T0 = 1767225600000
# Sanitizer builds start slowly.
START_TIMEOUT = 30.0

# ---- identifiers, computed independently of the daemon's C code ----

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check(nine):
    """The modulus 11 check digit of nine digits: 0..9, or 10 (invalid)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    return 0 if check == 11 else check


def nhs_valid(s):
    digits = s.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    c = nhs_check(digits[:9])
    return c != 10 and c == int(digits[9])


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


def upn_check_letter(rest):
    """The check letter for characters 2 to 13 of a UPN (11 digits, then a
    digit or, for a temporary UPN, a letter valued by its place in the
    table)."""
    last = rest[11]
    total = sum(int(ch) * (i + 2) for i, ch in enumerate(rest[:11]))
    total += (int(last) if last.isdigit() else UPN_LETTERS.index(last.upper())) * 13
    return UPN_LETTERS[total % 23]


def upn_valid(s):
    s = s.upper()
    if len(s) != 13 or not s[0].isalpha() or not s[1:12].isdigit():
        return False
    if not (s[12].isdigit() or s[12] in UPN_LETTERS):
        return False
    return s[0] == upn_check_letter(s[1:])


def upn(n, temporary=False):
    """The n-th valid UPN; a temporary one ends in a letter."""
    if temporary:
        rest = "8012%07d" % n + UPN_LETTERS[n % 23]
    else:
        rest = "8012%08d" % n
    return upn_check_letter(rest) + rest


def now_ms():
    return int(time.time() * 1000)


def concern(cid, agency=pb.POLICE, category=pb.DOMESTIC_ABUSE, severity=pb.MODERATE,
            at=T0, children=None, **kw):
    c = pb.Concern(concern_id=cid, agency=agency, category=category, severity=severity,
                   occurred_at_ms=at, reported_at_ms=at, **kw)
    for kid in children if children is not None else [dict(nhs_number=nhs_number(0))]:
        c.children.add(**kid)
    return c


# ---- protobuf wire format by hand, for bytes the Python API will not make ----

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def len_field(number, payload):
    """A length-delimited field (wire type 2): string, bytes or message."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def _tmpdir():
    os.makedirs(TMP, exist_ok=True)
    return TMP


def scratch_dir(test):
    """A temporary directory removed when the test ends."""
    path = tempfile.mkdtemp(prefix="ffc-it-", dir=_tmpdir())
    test.addCleanup(shutil.rmtree, path, True)
    return path


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)


class Daemon:
    """One ffcd process on free ports with its own data directory."""

    def __init__(self, data=None, conf=CONF, extra=(), operator=""):
        self.dir = data or tempfile.mkdtemp(prefix="ffc-it-", dir=_tmpdir())
        self.own_dir = data is None
        self.ingest_ep = "tcp://127.0.0.1:%d" % free_port()
        self.alerts_ep = "tcp://127.0.0.1:%d" % free_port()
        self.control_ep = "ipc://%s/control.sock" % self.dir
        self.conf = conf
        # The operator control requests are sent as when they name none
        # (security.operators; "" for the shipped config, where any is admin).
        self.operator = operator
        self.extra = list(extra)
        self.ctx = zmq.Context()
        self.proc = None
        self.log = None
        self.sockets = []
        # Outside the data directory, which ffcd may have to create.
        fd, self.log_path = tempfile.mkstemp(prefix="ffcd-", suffix=".stderr", dir=_tmpdir())
        os.close(fd)

    def argv(self):
        return [os.path.join(BIN, "ffcd"), "-c", self.conf, "--data", self.dir,
                "--ingest", self.ingest_ep, "--alerts", self.alerts_ep] + self.extra

    def start(self):
        """Start ffcd and wait until its control socket answers a
        StatusRequest. On failure the process is killed before raising."""
        self._close_log()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stderr=self.log, stdout=self.log)
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("ffcd exited at start (%d):\n%s"
                                     % (self.proc.returncode, self.stderr()))
            try:
                if self.control(pb.ControlRequest(status=pb.StatusRequest()),
                                timeout=500).HasField("status"):
                    return self
            except TimeoutError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError("ffcd did not answer within %d s:\n%s"
                             % (START_TIMEOUT, self.stderr()))

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def _close_log(self):
        if self.log:
            self.log.close()
            self.log = None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Signal the daemon and wait for it; returns its exit code (None
        if it was never started). A daemon that does not stop in time is
        killed and the result is "timeout"."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close_log()
                return "timeout"
        self._close_log()
        return self.proc.returncode

    def kill(self):
        """kill -9."""
        return self.stop(signal.SIGKILL)

    def close(self):
        """Kill whatever is left and remove the scratch directory."""
        if self.running():
            self.kill()
        self._close_log()
        for s in self.sockets:
            s.close(linger=0)
        self.sockets = []
        self.ctx.destroy(linger=0)
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        try:
            os.unlink(self.log_path)
        except OSError:
            pass

    def assert_clean(self, test):
        text = self.stderr()
        for mark in SANITIZER_MARKS:
            test.assertNotIn(mark, text, "sanitizer report in ffcd's stderr:\n" + text)

    def assert_stops_cleanly(self, test, sig=signal.SIGTERM):
        rc = self.stop(sig)
        test.assertEqual(rc, 0, "ffcd did not exit 0 on signal %d:\n%s" % (sig, self.stderr()))
        self.assert_clean(test)

    # ---- sockets ----

    def socket(self, kind):
        """A socket closed with the daemon, if the test does not close it."""
        s = self.ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        self.sockets.append(s)
        return s

    def dealer(self, ep=None):
        s = self.socket(zmq.DEALER)
        s.setsockopt(zmq.LINGER, 0)
        s.connect(ep or self.ingest_ep)
        return s

    def send(self, concerns, timeout=30.0):
        """Send concerns pipelined over one DEALER; the receipts in the order
        they came back (match them by concern_id)."""
        s = self.dealer()
        try:
            for c in concerns:
                s.send(c if isinstance(c, bytes) else c.SerializeToString())
            return collect_receipts(s, len(concerns), timeout)
        finally:
            s.close()

    def send_one(self, c):
        return self.send([c])[0]

    def send_raw(self, data, timeout=10.0):
        """The bytes of the one reply frame to one request frame."""
        s = self.dealer()
        try:
            s.send(data)
            if not s.poll(int(timeout * 1000)):
                raise AssertionError("no receipt within %.0f s" % timeout)
            return s.recv()
        finally:
            s.close()

    def control(self, req, timeout=10000, purpose=PURPOSE):
        """One ControlRequest over a fresh DEALER; TimeoutError if no reply.
        A request giving no purpose is sent with `purpose` (None: none)."""
        if not isinstance(req, bytes):
            req = pb.ControlRequest.FromString(req.SerializeToString())
            if purpose and not req.purpose:
                req.purpose = purpose
            if self.operator and not req.operator:
                req.operator = self.operator
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

    def all_alerts(self, since=0):
        """Every stored alert after since, following `more`."""
        out = []
        while True:
            page = self.alerts(since=since)
            out.extend(page.alerts)
            if not page.more or not page.alerts:
                return out
            since = page.alerts[-1].seq

    def subscribe(self, prefix=b"alert."):
        """A SUB socket that is surely subscribed: ZeroMQ gives no signal
        when a subscription reaches the publisher, so wait a moment."""
        s = self.socket(zmq.SUB)
        s.setsockopt(zmq.SUBSCRIBE, prefix)
        s.connect(self.alerts_ep)
        time.sleep(0.3)
        return s

    def tool(self, name, *args, input=None, timeout=60, env=None, endpoints=True):
        """Run one of the tools, with this daemon's endpoints as flags
        unless endpoints is False."""
        flags = {} if not endpoints else {"ffcctl": ["--control", self.control_ep],
                 "ffc-send": ["--ingest", self.ingest_ep],
                 "ffc-watch": ["--alerts", self.alerts_ep, "--control", self.control_ep]}
        # Times are shown in $TZ: UTC unless a test says otherwise.
        e = dict(os.environ, XDG_STATE_HOME=self.dir, FFC_PURPOSE=PURPOSE, TZ="UTC")
        e.update(env or {})
        return subprocess.run([os.path.join(BIN, name)] + flags.get(name, []) + list(args),
                              input=input, capture_output=True, text=True, timeout=timeout,
                              env=e)


def collect_receipts(sock, n, timeout=30.0):
    receipts = []
    deadline = time.time() + timeout
    while len(receipts) < n:
        left = deadline - time.time()
        if left <= 0 or not sock.poll(int(left * 1000)):
            raise AssertionError("only %d of %d receipts within %.0f s" % (len(receipts), n,
                                                                        timeout))
        r = pb.Receipt()
        r.ParseFromString(sock.recv())
        receipts.append(r)
    return receipts


def receive_alerts(sub, n, timeout=10.0, message=None):
    """n (topic, Alert) pairs from a SUB socket, or fail; another message
    type's bodies with message (pb.SchoolNotice, ...)."""
    out = []
    deadline = time.time() + timeout
    while len(out) < n:
        left = deadline - time.time()
        if left <= 0 or not sub.poll(int(left * 1000)):
            raise AssertionError("received %d of %d alerts: %s"
                                 % (len(out), n, [t for t, _ in out]))
        topic, body = sub.recv_multipart()
        a = (message or pb.Alert)()
        a.ParseFromString(body)
        out.append((topic.decode(), a))
    return out


# What working an alert changes after it is raised (ffc.v1.Alert 12-20
# but the due time): compare alerts as raised without them.
WORKED_FIELDS = ("state", "acknowledged_by", "acknowledged_at_ms", "closed_by", "closed_at_ms",
                 "outcome", "history", "overdue_at_ms", "reopened_at_ms")


def as_raised(a):
    """A copy of alert a as it was raised, without what working it changed."""
    b = pb.Alert()
    b.CopyFrom(a)
    for f in WORKED_FIELDS:
        b.ClearField(f)
    return b


def assert_stored_as_published(test, stored, published, msg):
    """The stored alert is the one published when it was raised, but for
    what working it changed and the evidence added since (concerns that
    arrived later, each published on event.evidence): its evidence begins
    with the published evidence."""
    s, p = as_raised(stored), as_raised(published)
    test.assertEqual(list(s.evidence)[:len(p.evidence)], list(p.evidence), msg)
    s.ClearField("evidence")
    p.ClearField("evidence")
    test.assertEqual(s, p, msg)


def drain_alerts(sub, quiet_ms=700):
    """Every (topic, Alert) that arrives until the socket is quiet."""
    out = []
    while sub.poll(quiet_ms):
        topic, body = sub.recv_multipart()
        a = pb.Alert()
        a.ParseFromString(body)
        out.append((topic.decode(), a))
    return out


def no_more_alerts(sub, wait_ms=500):
    return not sub.poll(wait_ms)


def start_daemon(test, **kw):
    """A started daemon that is killed and removed when the test ends,
    whatever happens."""
    d = Daemon(**kw)
    test.addCleanup(d.close)
    return d.start()


class DaemonTest(unittest.TestCase):
    """A test case with a fresh daemon; checked for a clean SIGTERM stop
    (exit 0, no sanitizer report) after each test."""

    def setUp(self):
        self.d = start_daemon(self)

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)


def main():
    # Sockets left to the garbage collector are closed with their context.
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
