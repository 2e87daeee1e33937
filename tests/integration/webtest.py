"""Harness for ffc-web's tests: the real ffc-web in front of the real ffcd.

Starts ffcd (ffctest.Daemon) with ffc-web's own operator configured as a
delegate (security.operators, `delegate = true`) beside an admin the test
reads the audit trail as, writes an accounts file with `ffc-web passwd`,
starts ffc-web on a free loopback port, and speaks HTTP to it with
nothing but the standard library: a Client keeps its own cookies, signs
in through the form as a browser does, and sends changes with the
session's CSRF token. Every process a test starts is stopped, even when it
fails, and ffc-web's log is checked for sanitizer reports.
"""

import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.parse

from ffctest import (BIN, CONF, SANITIZER_MARKS, START_TIMEOUT, free_port, scratch_dir,
                     start_daemon)

WEB = os.path.join(BIN, "ffc-web")
PASSWORDS = {"sam.jones": "correct horse battery", "pat.lee": "another long password",
             "vic.viewer": "viewing only please", "ada.admin": "admin password here"}
ROLES = {"sam.jones": "practitioner", "pat.lee": "practitioner", "vic.viewer": "viewer",
         "ada.admin": "admin"}


def delegate_conf(test, web_role="admin", delegate=True):
    """ffcd's shipped configuration with operators: ffc-web (a delegate of
    role web_role) and a.dmin, both the test's own Unix user."""
    with open(CONF) as f:
        text = f.read()
    assert "operators = ();" in text
    ops = ('operators = (\n'
           '    { name = "ffc-web"; role = "%s"; unix_user = %d; delegate = %s; },\n'
           '    { name = "a.dmin"; role = "admin"; unix_user = %d; }\n  );'
           % (web_role, os.getuid(), "true" if delegate else "false", os.getuid()))
    path = os.path.join(scratch_dir(test), "web.conf")
    with open(path, "w") as f:
        f.write(text.replace("operators = ();", ops))
    return path


def passwd(accounts, name, role, password, extra=()):
    return subprocess.run([WEB, "passwd", name, "--role", role, "--accounts", accounts] +
                          list(extra), input=password + "\n", capture_output=True, text=True,
                          timeout=60)


class Web:
    """One ffc-web process in front of daemon d."""

    def __init__(self, test, d, accounts=None, extra=(), transport=("--dev-http",)):
        self.test = test
        self.d = d
        self.dir = scratch_dir(test)
        self.port = free_port()
        self.accounts = accounts or os.path.join(self.dir, "accounts")
        if accounts is None:
            for name, pw in PASSWORDS.items():
                r = passwd(self.accounts, name, ROLES[name], pw)
                test.assertEqual(r.returncode, 0, r.stderr)
        fd, self.log_path = tempfile.mkstemp(prefix="ffc-web-", suffix=".stderr", dir=self.dir)
        os.close(fd)
        self.argv = [WEB, "--listen", "127.0.0.1:%d" % self.port, "--accounts", self.accounts,
                     "--control", d.control_ep, "--alerts", d.alerts_ep,
                     "--lockout-after", "5"] + list(transport) + list(extra)
        self.proc = None
        test.addCleanup(self.close)

    def start(self):
        self.close()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=self.log)
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("ffc-web exited at start (%d):\n%s"
                                     % (self.proc.returncode, self.stderr()))
            try:
                c = self.connection(timeout=2)
                c.request("GET", "/login")
                c.getresponse().read()
                c.close()
                # And hearing ffcd's alerts socket.
                if "ffcd is heard" in self.stderr():
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("ffc-web did not start:\n" + self.stderr())

    def connection(self, timeout=30):
        """An HTTP connection to it (HTTPS, unverified, when it serves TLS)."""
        if "--tls-cert" in self.argv:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx,
                                               timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stderr(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        """SIGTERM; the exit code (0 expected)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "timeout"
        finally:
            self.close()

    def assert_stops_cleanly(self):
        rc = self.stop()
        self.test.assertEqual(rc, 0, "ffc-web did not exit 0:\n" + self.stderr())
        self.assert_clean()

    def assert_clean(self):
        text = self.stderr()
        for mark in SANITIZER_MARKS:
            self.test.assertNotIn(mark, text, "sanitizer report in ffc-web's log:\n" + text)

    def close(self):
        """Kill it if it runs, and close its log."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def cookies(self):
        return [v for k, v in self.raw if k.lower() == "set-cookie"]

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode(errors="replace")


class Client:
    """A browser's HTTP side: its own cookies, the forms it sends."""

    def __init__(self, web):
        self.web = web
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, fields=None, headers=None, body=None, csrf=True):
        c = self.web.connection()
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
            if csrf and self.csrf and path.startswith("/api/"):
                h["X-CSRF-Token"] = self.csrf
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        raw = r.getheaders()
        c.close()
        reply = Reply(r.status, {k.lower(): v for k, v in raw}, data)
        reply.raw = raw
        for v in reply.cookies():
            name, value = v.split(";", 1)[0].split("=", 1)
            if value:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        return self.request("POST", path, fields=fields, **kw)

    def sign_in(self, name, password=None):
        """The sign-in form as a browser fills it: the page's token, then
        the form. The reply to the form."""
        page = self.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = self.post("/login", {"csrf": token, "name": name,
                                 "password": PASSWORDS.get(name, "") if password is None
                                 else password})
        if r.status == 303:
            self.csrf = self.get("/api/session").json()["csrf"]
        return r


def web_setup(test, web_role="admin", **kw):
    """A daemon with ffc-web as a delegate, and ffc-web started."""
    d = start_daemon(test, conf=delegate_conf(test, web_role), operator="a.dmin")
    w = Web(test, d, **kw).start()
    return d, w


def audit(test, d, *args):
    """The audit trail as a.dmin reads it (that read is recorded too)."""
    r = d.tool("ffcctl", "--operator", "a.dmin", "--json", "audit", *args,
               env={"FFC_PURPOSE": "audit review", "FFC_OPERATOR": ""})
    test.assertEqual(r.returncode, 0, r.stderr)
    return json.loads(r.stdout).get("entries", [])
