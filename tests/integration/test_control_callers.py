"""Who calls the ipc control socket, and what it is answered.

Operators over ipc are who the kernel says: the caller's Unix user (peer
credentials) maps to its operators in security.operators, and a request
naming another user's, stronger operator is the caller's own, also when
the handshake carries a forged Peer-Address. ffcctl tells a control socket
it may not open ("permission denied") from one that is not there ("no such
socket"). A control request over the size limit or not a ControlRequest
gets a clear refusal; one over the socket's frame limit (1 MiB) costs the
sender its connection and nobody else anything."""

import os
import shutil
import signal
import subprocess
import unittest

from ffctest import BIN, CONF, main, pb, scratch_dir, start_daemon, wait_for
from test_security import zmtp_null_request

NOBODY = 65534


def conf_with(test, operators):
    with open(CONF) as f:
        text = f.read()
    path = os.path.join(scratch_dir(test), "callers.conf")
    with open(path, "w") as f:
        f.write(text.replace("operators = ();", "operators = (%s);" % operators))
    return path


class Operators(unittest.TestCase):
    def test_a_name_cannot_claim_another_users_operator(self):
        # This Unix user is v.iewer; a.dmin is nobody's.
        conf = conf_with(self, '{ name = "v.iewer"; role = "viewer"; unix_user = %d; },'
                               '{ name = "a.dmin"; role = "admin"; unix_user = "nobody"; }'
                         % os.getuid())
        d = start_daemon(self, conf=conf, operator="v.iewer")
        r = d.control(pb.ControlRequest(operator="a.dmin", reload=pb.ReloadRequest()))
        self.assertEqual(r.error, "reload: needs the admin role; v.iewer is a viewer")
        r = d.tool("ffcctl", "--operator", "a.dmin", "shutdown")
        self.assertEqual(r.returncode, 1)
        self.assertIn("shutdown: needs the admin role; v.iewer is a viewer", r.stderr)
        self.assertTrue(d.running())
        # Its own commands work whatever it claims.
        r = d.control(pb.ControlRequest(operator="a.dmin", status=pb.StatusRequest()))
        self.assertEqual(r.error, "")
        # A Peer-Address put in the handshake by the client changes nothing:
        # libzmq keeps the kernel's.
        req = pb.ControlRequest(operator="a.dmin", audit=pb.AuditRequest(),
                                purpose="p").SerializeToString()
        path = d.control_ep[len("ipc://"):]
        reply = pb.ControlReply.FromString(zmtp_null_request(
            path, [(b"Socket-Type", b"DEALER"),
                   (b"Peer-Address", b"localhost:%d:%d:1" % (NOBODY, NOBODY))], req))
        self.assertEqual(reply.error, "audit: needs the admin role; v.iewer is a viewer")
        # A name listed nowhere is refused, as before.
        r = d.control(pb.ControlRequest(operator="mallory", status=pb.StatusRequest()))
        self.assertEqual(r.error, "status: mallory is not a known operator or key")
        # The audit trail names the operator the caller is, not the one it
        # claimed (read by an admin: this user made admin by a reload).
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace('role = "viewer"; unix_user', 'role = "admin"; unix_user'))
        os.kill(d.proc.pid, signal.SIGHUP)
        # The file is loaded beside the loop: asking before it is in
        # force would be refused, and audited as such.
        self.assertTrue(wait_for(lambda: "reload (SIGHUP)" in d.stderr(), timeout=20))
        audit = pb.ControlRequest(operator="v.iewer", audit=pb.AuditRequest())
        wait_for(lambda: d.control(audit).error == "", timeout=20)
        entries = d.control(audit).audit.entries
        refused = [(e.by, e.command) for e in entries if e.refused]
        self.assertEqual(refused, [("v.iewer", "reload"), ("v.iewer", "shutdown"),
                                   ("v.iewer", "audit"), ("mallory", "status")])
        d.assert_stops_cleanly(self)
        d.assert_clean(self)

    def test_operator_without_unix_user_refused_at_start(self):
        conf = conf_with(self, '{ name = "j.doe"; role = "admin"; }')
        r = subprocess.run([os.path.join(BIN, "ffcd"), "-n", "-c", conf], capture_output=True,
                           text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("security.operators[0]: give name, role and unix_user", r.stderr)


class SocketAccess(unittest.TestCase):
    @unittest.skipUnless(os.getuid() == 0 and shutil.which("setpriv"),
                         "needs root and setpriv to call as another user")
    def test_permission_denied_told_from_missing(self):
        d = start_daemon(self)
        ffcctl = os.path.join(BIN, "ffcctl")
        as_nobody = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                     "--clear-groups", ffcctl, "--control"]
        r = subprocess.run(as_nobody + [d.control_ep, "status"], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ffcctl: permission denied: %s (the control socket is readable only "
                      "by the daemon's user)" % d.control_ep, r.stderr)
        missing = "ipc:///nonexistent-ffc/control.sock"
        r = subprocess.run(as_nobody + [missing, "status"], capture_output=True, text=True,
                           timeout=60)
        self.assertIn("ffcctl: no such socket: %s (is ffcd running?)" % missing, r.stderr)
        d.assert_stops_cleanly(self)
        d.assert_clean(self)


class RequestLimits(unittest.TestCase):
    def test_oversized_and_malformed_requests_refused_clearly(self):
        d = start_daemon(self)
        big = pb.ControlRequest(operator="x" * 5000, status=pb.StatusRequest())
        n = len(big.SerializeToString())
        r = d.control(big.SerializeToString())
        self.assertEqual(r.error, "request: %d bytes, over the limit of 4096 bytes" % n)
        r = d.control(b"\xff\xff\xff\xff garbage")
        self.assertEqual(r.error, "request: not a serialized ffc.v1.ControlRequest")
        r = d.control(b"")
        self.assertEqual(r.error, "request: no command (or one this ffcd does not know)")
        # Over the socket's frame limit: the sender is disconnected, no
        # reply; the daemon answers the next caller at once.
        s = d.dealer(d.control_ep)
        s.send(b"\0" * (1024 * 1024 + 1))
        self.assertFalse(s.poll(1500))
        s.close()
        self.assertEqual(d.control(pb.ControlRequest(status=pb.StatusRequest())).error, "")
        d.assert_stops_cleanly(self)
        d.assert_clean(self)


if __name__ == "__main__":
    main()
