"""ffcd as a service: what it tells systemd through NOTIFY_SOCKET (READY=1
once its sockets answer, RELOADING=1 and READY=1 around a SIGHUP reload,
STOPPING=1, WATCHDOG=1 pings at half WATCHDOG_USEC), its log lines under
journald (JOURNAL_STREAM) and as JSON, and a data directory that already
exists never taken over. The service manager is played by a Unix datagram
socket of this test's own."""

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from ffctest import (BIN, CONF, Daemon, concern, main, pb, scratch_dir, start_daemon,
                     wait_for)


@contextlib.contextmanager
def environment(**values):
    """os.environ with values set (None: removed) for what starts inside."""
    def put(pairs):
        for k, v in pairs.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    saved = {k: os.environ.get(k) for k in values}
    try:
        put(values)
        yield
    finally:
        put(saved)


class Manager:
    """The service manager's end of NOTIFY_SOCKET."""

    def __init__(self, test):
        d = scratch_dir(test)
        self.path = os.path.join(d, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        test.addCleanup(self.sock.close)

    def next(self, timeout=10.0):
        """The next message as a dict of its KEY=VALUE lines, with the time
        it came (time.monotonic()); None if none within timeout."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
        fields["_at"] = time.monotonic()
        return fields

    def expect(self, test, key, timeout=15.0):
        """Skip watchdog pings until a message holding key comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.next(deadline - time.monotonic())
            if m is None:
                break
            if key in m:
                return m
        test.fail("no %s from ffcd within %.0f s" % (key, timeout))


class Notify(unittest.TestCase):
    def start(self, manager, watchdog_usec=None, watchdog_pid=None):
        d = Daemon()
        self.addCleanup(d.close)
        with environment(NOTIFY_SOCKET=manager.path, WATCHDOG_USEC=watchdog_usec,
                         WATCHDOG_PID=watchdog_pid):
            d.start()
        return d

    def test_ready_reload_stopping(self):
        m = Manager(self)
        d = Daemon()
        self.addCleanup(d.close)
        with environment(NOTIFY_SOCKET=m.path, WATCHDOG_USEC=None):
            d.log = open(d.log_path, "ab")
            d.proc = subprocess.Popen(d.argv(), stderr=d.log, stdout=d.log)
            ready = m.expect(self, "READY")
        self.assertEqual(ready["READY"], "1")
        self.assertEqual(ready.get("STATUS"), "serving")
        # Told only once the sockets are bound and the store is open: the
        # control socket answers at once.
        self.assertTrue(d.control(pb.ControlRequest(status=pb.StatusRequest()),
                                  timeout=2000).HasField("status"))
        (r,) = d.send([concern("n-1")])
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertIsNone(m.next(0.3), "nothing more until asked")

        # systemctl reload: RELOADING=1 with the time it began, then READY=1.
        before = time.clock_gettime(time.CLOCK_MONOTONIC)
        d.proc.send_signal(signal.SIGHUP)
        reloading = m.expect(self, "RELOADING")
        self.assertEqual(reloading["RELOADING"], "1")
        began = int(reloading["MONOTONIC_USEC"]) / 1e6
        self.assertLessEqual(before - 0.01, began)
        self.assertLessEqual(began, time.clock_gettime(time.CLOCK_MONOTONIC))
        again = m.expect(self, "READY")
        self.assertEqual(again["READY"], "1")
        self.assertTrue(wait_for(lambda: "reload (SIGHUP)" in d.stderr()
                                 or "SIGHUP" in d.stderr(), 5), d.stderr())

        # systemctl stop: STOPPING=1, then a clean exit.
        d.proc.send_signal(signal.SIGTERM)
        stopping = m.expect(self, "STOPPING")
        self.assertEqual(stopping["STOPPING"], "1")
        self.assertEqual(d.proc.wait(30), 0, d.stderr())
        d.assert_clean(self)

    def test_stopping_on_shutdown_command(self):
        m = Manager(self)
        d = self.start(m)
        m.expect(self, "READY")
        d.control(pb.ControlRequest(shutdown=pb.ShutdownRequest()))
        m.expect(self, "STOPPING")
        self.assertEqual(d.proc.wait(30), 0, d.stderr())

    def test_watchdog_pings(self):
        m = Manager(self)
        # 400 ms allowed: a ping at least every 200 ms, idle or not.
        d = self.start(m, watchdog_usec="400000")
        m.expect(self, "READY")
        pings = []
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            msg = m.next(deadline - time.monotonic())
            if msg and msg.get("WATCHDOG") == "1":
                pings.append(msg["_at"])
        # Every 200 ms over 2 s (the first, sent with READY, read late):
        # about ten, never a flood.
        self.assertGreaterEqual(len(pings), 7, pings)
        self.assertLessEqual(len(pings), 13, pings)
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        # Sanitizer builds are slow, the machine shared: well inside 400 ms.
        self.assertLess(max(gaps), 0.35, gaps)
        self.assertIn("watchdog every 200 ms", d.stderr())
        d.assert_stops_cleanly(self)

    def test_no_watchdog_for_another_process(self):
        m = Manager(self)
        d = self.start(m, watchdog_usec="200000", watchdog_pid="1")
        m.expect(self, "READY")
        msg = m.next(1.0)
        self.assertIsNone(msg, msg)
        d.assert_stops_cleanly(self)

    def test_manager_gone(self):
        """A NOTIFY_SOCKET that names nothing does not stop the daemon."""
        d = Daemon()
        self.addCleanup(d.close)
        with environment(NOTIFY_SOCKET=os.path.join(d.dir, "nobody-listens"),
                         WATCHDOG_USEC="200000"):
            d.start()
        time.sleep(0.5)
        self.assertTrue(d.running())
        d.assert_stops_cleanly(self)


class Logs(unittest.TestCase):
    LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ffcd\[\d+\] (INFO|WARN|ERROR|DEBUG): ")

    def test_journal(self):
        d = Daemon()
        self.addCleanup(d.close)
        # stderr is the log file: JOURNAL_STREAM naming it is journald's.
        st = os.stat(d.log_path)
        with environment(JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino)):
            d.start()
        d.assert_stops_cleanly(self)
        lines = d.stderr().splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[3467]>", line)
            self.assertIsNone(self.LINE.match(line[3:]), line)
        self.assertTrue(any(line.startswith("<4>security: INSECURE") for line in lines), lines)
        self.assertTrue(any(line.startswith("<6>ffcd ") for line in lines), lines)

    def test_journal_stream_of_another_file(self):
        """Inherited from a service whose stderr went elsewhere: plain text."""
        d = Daemon()
        self.addCleanup(d.close)
        st = os.stat(CONF)
        with environment(JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino)):
            d.start()
        d.assert_stops_cleanly(self)
        for line in d.stderr().splitlines():
            self.assertRegex(line, self.LINE, line)

    def check_json(self, d):
        lines = d.stderr().splitlines()
        self.assertTrue(lines)
        levels = set()
        for line in lines:
            obj = json.loads(line)
            self.assertEqual(set(obj), {"ts", "level", "msg", "fields"}, line)
            self.assertRegex(obj["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertEqual(obj["fields"]["program"], "ffcd")
            self.assertEqual(obj["fields"]["pid"], d.pid)
            levels.add(obj["level"])
        self.assertLessEqual(levels, {"error", "warn", "info", "debug"})
        self.assertIn("warn", levels)
        return [json.loads(line) for line in lines]

    def test_json_flag(self):
        d = start_daemon(self, extra=["--log-format", "json", "-v"])
        # A concern id with quotes, a backslash and a newline is still one
        # line of JSON (rejected, logged at debug).
        bad = pb.Concern(concern_id='x"\\\n\x01', agency=pb.POLICE)
        d.send([bad])
        d.assert_stops_cleanly(self)
        objs = self.check_json(d)
        self.assertTrue(any(o["msg"] == "stopped" for o in objs))
        self.assertTrue(any('x"\\\n\x01' in o["msg"] for o in objs), objs)

    def test_json_setting(self):
        tmp = scratch_dir(self)
        conf = os.path.join(tmp, "ffcd.conf")
        with open(conf, "w") as f:
            f.write('daemon: { log_format = "JSON"; };\n')
        d = start_daemon(self, conf=conf)
        d.assert_stops_cleanly(self)
        self.check_json(d)

    def test_bad_format(self):
        r = subprocess.run([os.path.join(BIN, "ffcd"), "--log-format", "xml", "-n"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--log-format: 'xml' is not text or json", r.stderr)
        tmp = scratch_dir(self)
        conf = os.path.join(tmp, "ffcd.conf")
        with open(conf, "w") as f:
            f.write('daemon: {\n  log_format = "syslog";\n};\n')
        r = subprocess.run([os.path.join(BIN, "ffcd"), "-n", "-c", conf],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("%s:2: daemon.log_format: 'syslog' is not a log format (text or json)"
                      % conf, r.stderr)


@unittest.skipUnless(os.geteuid() == 0, "dropping privileges needs root")
class ExistingDataDirectory(unittest.TestCase):
    """Given an existing directory (--data /var by mistake), ffcd started as
    root with daemon.user never chowns it: it refuses to start when the
    user cannot use it, and uses it as it is when the user can."""
    USER = "nobody"

    def setUp(self):
        self.top = tempfile.mkdtemp(prefix="ffc-exist-", dir="/tmp")
        self.addCleanup(shutil.rmtree, self.top, True)
        os.chmod(self.top, 0o711)
        self.conf = os.path.join(self.top, "ffcd.conf")
        with open(self.conf, "w") as f:
            f.write('daemon: { user = "%s"; };\n' % self.USER)
        os.chmod(self.conf, 0o644)
        self.data = os.path.join(self.top, "data")
        os.mkdir(self.data)
        os.chmod(self.data, 0o755)
        # LeakSanitizer cannot follow a process that changed its uid.
        self.saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
        self.addCleanup(self.restore)

    def restore(self):
        if self.saved is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = self.saved

    def run_ffcd(self):
        d = Daemon(data=self.data, conf=self.conf)
        self.addCleanup(d.close)
        d.log = open(d.log_path, "ab")
        d.proc = subprocess.Popen(d.argv(), stderr=d.log, stdout=d.log)
        return d

    def test_root_owned_refused_untouched(self):
        d = self.run_ffcd()
        self.assertEqual(d.proc.wait(30), 1, d.stderr())
        self.assertIn("%s: not usable by %s" % (self.data, self.USER), d.stderr())
        st = os.stat(self.data)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (0, 0, 0o755))

    def test_users_own_used_as_is(self):
        pw = pwd.getpwnam(self.USER)
        os.chown(self.data, pw.pw_uid, 0)
        os.chmod(self.data, 0o750)
        d = self.run_ffcd()
        self.assertTrue(wait_for(lambda: "serving" in d.stderr() or not d.running(), 30),
                        d.stderr())
        self.assertTrue(d.running(), d.stderr())
        d.assert_stops_cleanly(self)
        st = os.stat(self.data)
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)),
                         (pw.pw_uid, 0, 0o750))


if __name__ == "__main__":
    main()
