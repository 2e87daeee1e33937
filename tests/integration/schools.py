"""What the schools and partnership tests share: a daemon in curve mode on
loopback with keys made by pyzmq (independently of the C code) for
adapters, a MACPT console, two schools' DSLs and an admin, its control
socket on tcp:// so every key reaches it, and a schools calendar."""

import os
import subprocess
import time
import unittest

import zmq

from ffctest import (BIN, START_TIMEOUT, Daemon, free_port, pb, receive_alerts, scratch_dir,
                     wait_for)
from test_security import cert_text, write

# Keys and their roles (security.keys).
KEYS = [
    ("police", "adapter", {"agency": '"police"'}),
    ("health", "adapter", {"agency": '"health"'}),
    ("education", "adapter", {"agency": '"education"'}),
    ("macpt", "console", {"levels": '["red", "amber"]'}),
    ("hillside-dsl", "school", {"urn": '"100001"'}),
    ("becklane-dsl", "school", {"urn": '"100002"'}),
    ("ops", "admin", {}),
    ("worker", "practitioner", {}),
]

SCHOOLS = """  list = (
    { urn = "100001"; name = "Hillside Primary"; },
    { urn = "100002"; name = "Beck Lane Academy"; }
  );"""

# 2025-26 as a local authority publishes it: half term 27-31 October, an
# INSET day on Monday 17 November.
CALENDAR = """  timezone = "Europe/London";
  day_starts = "08:30";
  remind_at = "09:30";
  terms = ( ["2025-09-03", "2025-10-24"], ["2025-11-03", "2025-12-19"],
            ["2026-01-05", "2026-02-13"] );
  closed = [ "2025-11-17" ];
  notice_max_age_days = 0;"""


class CurveDaemon(Daemon):
    """ffcd in curve mode with every socket on tcp://: a request names the
    key it is made with."""

    def __init__(self, test, calendar=CALENDAR, feedback_contact="MACPT duty desk, 0113 496 0000"):
        self.keydir = scratch_dir(test)
        self.pairs = {name: zmq.curve_keypair() for name, _, _ in KEYS + [("ffcd", "", {})]}
        pub, sec = self.pairs["ffcd"]
        secret = write(os.path.join(self.keydir, "ffcd.key_secret"), cert_text("ffcd", pub, sec))
        self.server_key = write(os.path.join(self.keydir, "ffcd.key"), cert_text("ffcd", pub),
                                0o644)
        rows = []
        for name, role, extra in KEYS:
            rest = " ".join("%s = %s;" % kv for kv in extra.items())
            rows.append('    { name = "%s"; role = "%s"; public_key = "%s"; %s }'
                        % (name, role, self.pairs[name][0].decode(), rest))
            write(os.path.join(self.keydir, name + ".key_secret"),
                  cert_text(name, *self.pairs[name]))
        text = ("security:\n{\n  mode = \"curve\";\n  secret_key_file = \"%s\";\n"
                "  keys = (\n%s\n  );\n};\n" % (secret, ",\n".join(rows)))
        text += "schools:\n{\n%s\n%s\n};\n" % (calendar, SCHOOLS)
        text += "feedback:\n{\n  contact = \"%s\";\n};\n" % feedback_contact
        conf = write(os.path.join(self.keydir, "ffcd.conf"), text, 0o644)
        super().__init__(conf=conf)
        self.control_ep = "tcp://127.0.0.1:%d" % free_port()
        self.control_key = "ops"  # the key control requests are made with
        self.extra = ["--control", self.control_ep]
        test.addCleanup(self.close)

    def curve(self, kind, name, ep):
        s = self.socket(kind)
        pub, sec = self.pairs[name]
        s.curve_publickey = pub
        s.curve_secretkey = sec
        s.curve_serverkey = self.pairs["ffcd"][0]
        s.connect(ep)
        return s

    def dealer(self, ep=None, key=None):
        ep = ep or self.ingest_ep
        if key is None:
            key = self.control_key if ep == self.control_ep else "police"
        return self.curve(zmq.DEALER, key, ep)

    def start(self):
        self._close_log()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stderr=self.log, stdout=self.log)
        up = wait_for(lambda: not self.running() or self._answers(), timeout=START_TIMEOUT)
        if not up or not self.running():
            self.kill()
            raise AssertionError("ffcd did not start:\n" + self.stderr())
        return self

    def _answers(self):
        try:
            return self.control(pb.ControlRequest(status=pb.StatusRequest()),
                                timeout=500).HasField("status")
        except TimeoutError:
            return False

    def request(self, key, req, timeout=10000):
        """One ControlRequest made with key's pair, sent as it is."""
        self.control_key = key
        try:
            return self.control(req.SerializeToString(), timeout=timeout)
        finally:
            self.control_key = "ops"

    def send_as(self, key, concerns):
        s = self.dealer(self.ingest_ep, key)
        try:
            for c in concerns:
                s.send(c.SerializeToString())
            out = []
            for _ in concerns:
                if not s.poll(10000):
                    raise AssertionError("no receipt")
                r = pb.Receipt()
                r.ParseFromString(s.recv())
                out.append(r)
            return out
        finally:
            s.close()

    def subscriber(self, key, *prefixes):
        s = self.curve(zmq.SUB, key, self.alerts_ep)
        for p in prefixes:
            s.setsockopt(zmq.SUBSCRIBE, p)
        return s

    def ffcctl(self, key, *args):
        """ffcctl over the tcp:// control socket with key's pair."""
        return subprocess.run(
            [os.path.join(BIN, "ffcctl"), "--control", self.control_ep,
             "--key", os.path.join(self.keydir, key + ".key_secret"),
             "--server-key", self.server_key] + list(args),
            capture_output=True, text=True, timeout=60,
            env=dict(os.environ, FFC_PURPOSE="integration test"))


    def watch(self, key, *args):
        """ffc-watch with key's pair, started (the caller waits for it)."""
        return subprocess.Popen(
            [os.path.join(BIN, "ffc-watch"), "--alerts", self.alerts_ep, "--control",
             self.control_ep, "--key", os.path.join(self.keydir, key + ".key_secret"),
             "--server-key", self.server_key, "--state",
             os.path.join(self.keydir, key + ".watch.seq")] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def receive(sub, n, message, timeout=10.0):
    """n (topic, message) pairs, each body parsed as the given type."""
    return receive_alerts(sub, n, timeout, message)


class CurveTest(unittest.TestCase):
    """A test case with a fresh CurveDaemon, checked for a clean stop."""

    def setUp(self):
        self.d = CurveDaemon(self).start()

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def accepted(self, key, concerns):
        for r in self.d.send_as(key, concerns):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)


def quiet(sub, wait_ms=800):
    """Every topic but heartbeats that arrives until the socket is quiet."""
    topics = []
    while sub.poll(wait_ms):
        topic = sub.recv_multipart()[0].decode()
        if topic != "heartbeat":
            topics.append(topic)
    return topics
