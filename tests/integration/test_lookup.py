"""Point-of-contact lookups through the real ffcd in curve mode, with keys
made here by pyzmq: a key of role "lookup" (an emergency department) asks
on the control socket by NHS number or UPN with its setting and a purpose,
and gets exactly what a LookupReply holds (known; the statuses in force
with their dates; open alerts by level; the lead practitioner with role and
contact; the responsible local authority) and nothing else of the child;
each lookup of a known child is audited, shown in the child's record, in
`ffcctl accesses` (the last 25) and published at once on "event.access" to
every console; an unknown child is "not known" and nothing about it is
stored; a lookup key is refused every other command and every concern;
and the README's Python example for integrators runs as written."""

import os
import re
import subprocess
import time
import unittest

import zmq

from ffctest import (BIN, PURPOSE, SOURCE, T0, Daemon, DaemonTest, concern, free_port, main,
                     nhs_number, now_ms, pb, scratch_dir, upn, wait_for)
from test_security import Keys, cert_text, security_conf, write

DAY = 86400 * 1000
SETTING = "City Hospital ED"
WHY = "attended with a head injury at 02:14"
ELLA = dict(nhs_number=nhs_number(1), upn=upn(1), given_name="Ella", family_name="Brown",
            date_of_birth="2018-05-01")
NOAH = dict(nhs_number=nhs_number(2), given_name="Noah", family_name="Brown",
            date_of_birth="2020-02-02")
SUMMARY = "mother reports the child was left alone overnight"

ENTRIES = [
    ("social-care", "adapter", {"agency": '"social-care"'}),
    ("health", "adapter", {"agency": '"health"'}),
    ("police", "adapter", {"agency": '"police"'}),
    ("city-ed", "lookup", {}),
    ("amber-console", "console", {"levels": '["amber"]'}),
    ("ops", "admin", {}),
]


def plan(sid, child, start="2025-11-03", end="", **kw):
    """A neglect plan for child, kw setting any other field of the status."""
    fields = dict(status_id=sid, kind=pb.CHILD_PROTECTION_PLAN, category=pb.PLAN_NEGLECT,
                  start_date=start, end_date=end, local_authority="Leeds City Council",
                  social_worker="Sam Patel", social_worker_role="Social worker",
                  social_worker_contact="0113 000 0000", recorded_at_ms=T0)
    fields.update(kw)
    s = pb.ChildStatus(**fields)
    s.child.CopyFrom(pb.ChildIdentity(**child))
    return pb.Concern(child_status=s)


class Lookups(unittest.TestCase):
    def setUp(self):
        self.dir = scratch_dir(self)
        self.keys = Keys()
        self.conf = security_conf(self.dir, self.keys, ENTRIES)
        self.server_pub = write(os.path.join(self.dir, "ffcd.key"),
                                cert_text("ffcd", self.keys["ffcd"][0]), 0o644)
        self.d = Daemon(conf=self.conf)
        self.addCleanup(self.d.close)
        self.control = "tcp://127.0.0.1:%d" % free_port()
        self.d.extra = ["--control", self.control]
        self.d.log = open(self.d.log_path, "ab")
        self.d.proc = subprocess.Popen(self.d.argv(), stderr=self.d.log, stdout=self.d.log)
        self.assertTrue(wait_for(self.answers, timeout=30), self.d.stderr())

    def tearDown(self):
        if self.d.running():
            self.assertEqual(self.d.stop(), 0, self.d.stderr())
        self.d.assert_clean(self)

    def answers(self):
        try:
            return self.ask("ops", pb.ControlRequest(status=pb.StatusRequest()), 500).HasField(
                "status")
        except TimeoutError:
            return False

    # ---- the sockets, as each key ----

    def curve(self, kind, name, ep):
        s = self.d.socket(kind)
        s.curve_publickey, s.curve_secretkey = self.keys[name]
        s.curve_serverkey = self.keys["ffcd"][0]
        s.connect(ep)
        return s

    def ask(self, name, req, timeout=10000):
        s = self.curve(zmq.DEALER, name, self.control)
        try:
            s.send(req.SerializeToString())
            if not s.poll(timeout):
                raise TimeoutError("no control reply")
            return pb.ControlReply.FromString(s.recv())
        finally:
            s.close()

    def lookup(self, name="city-ed", purpose=WHY, **kw):
        kw.setdefault("setting", SETTING)
        return self.ask(name, pb.ControlRequest(purpose=purpose,
                                                lookup=pb.LookupRequest(**kw)))

    def admin(self, **kw):
        r = self.ask("ops", pb.ControlRequest(purpose="review", **kw))
        self.assertEqual(r.error, "")
        return r

    def send(self, name, msg):
        s = self.curve(zmq.DEALER, name, self.d.ingest_ep)
        try:
            s.send(msg.SerializeToString())
            self.assertTrue(s.poll(10000), "no receipt")
            r = pb.Receipt.FromString(s.recv())
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
            return r
        finally:
            s.close()

    def console(self):
        sub = self.curve(zmq.SUB, "amber-console", self.d.alerts_ep)
        sub.setsockopt(zmq.SUBSCRIBE, b"event.")
        time.sleep(0.5)
        return sub

    def ffcctl(self, name, *args):
        key = write(os.path.join(self.dir, name + ".key_secret"),
                    cert_text(name, *self.keys[name]))
        return subprocess.run([os.path.join(BIN, "ffcctl"), "--control", self.control, "--key",
                               key, "--server-key", self.server_pub, "--purpose", "review"] +
                              list(args), capture_output=True, text=True, timeout=60)

    def ella_known(self):
        """Ella on a neglect plan, seen by health (an open AMBER), with a
        brother named in a police concern; an ended care episode."""
        self.send("social-care", plan("LCS-CP-1", ELLA))
        self.send("social-care", plan("LCS-LA-1", ELLA, kind=pb.LOOKED_AFTER, category=0,
                                      legal_status=pb.ACCOMMODATED, start="2024-01-01",
                                      end="2024-06-01"))
        r = self.send("health", concern("H-1", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                                        severity=pb.LOW, at=T0, children=[ELLA],
                                        summary=SUMMARY))
        self.send("police", concern("P-1", agency=pb.POLICE, category=pb.DOMESTIC_ABUSE,
                                    at=T0 - 200 * DAY, children=[ELLA, NOAH]))
        return r.child_ids[0]

    # ---- the answer ----

    def test_lookup_answers_exactly_the_fields_and_is_seen(self):
        ella = self.ella_known()
        self.admin(assign=pb.AssignRequest(child=pb.ChildRequest(child_id=ella),
                                           practitioner="Pat Lee", by="duty"))
        sub = self.console()
        before = now_ms()
        r = self.lookup(nhs_number=nhs_number(1), asked_by="Dr A. Khan, ED registrar")
        self.assertEqual(r.error, "")
        want = pb.LookupReply(known=True, open_amber=1, open_red=0,
                              lead_practitioner="Sam Patel",
                              lead_practitioner_role="Social worker",
                              lead_practitioner_contact="0113 000 0000",
                              local_authority="Leeds City Council")
        want.statuses.add(kind=pb.CHILD_PROTECTION_PLAN, category=pb.PLAN_NEGLECT,
                          start_date="2025-11-03", local_authority="Leeds City Council")
        self.assertEqual(r.lookup, want)
        # Nothing else of the child, in any field: no identifier, name,
        # summary, concern, alert or household member.
        raw = r.SerializeToString()
        for never in (ella, nhs_number(1), upn(1), "Ella", "Brown", "2018-05-01", SUMMARY,
                      "H-1", "P-1", "A0000", "C0000", nhs_number(2), "Noah", "Pat Lee"):
            self.assertNotIn(never.encode(), raw, never)
        # By UPN, the same answer.
        self.assertEqual(self.lookup(upn=upn(1).lower()).lookup, want)

        # Published at once to a console (an AMBER-only one: every console
        # hears it), with the child, the setting, the time and who asked.
        got = []
        while sub.poll(1500):
            topic, body = sub.recv_multipart()
            if topic == b"event.access":
                got.append(pb.AccessNotice.FromString(body))
        self.assertEqual(len(got), 2)
        n = got[0]
        self.assertEqual((n.child_id, n.setting, n.by), (ella, SETTING, "city-ed"))
        self.assertTrue(before <= n.at_ms <= now_ms())
        self.assertEqual(set(f.name for f, _ in n.ListFields()),
                         {"child_id", "setting", "at_ms", "by"})

        # Audited, with the setting and the purpose.
        trail = self.admin(audit=pb.AuditRequest(child_id=ella)).audit.entries
        mine = [e for e in trail if e.command == "lookup"]
        self.assertEqual(len(mine), 2)
        e = mine[0]
        self.assertEqual((e.by, e.role, e.child_id, e.purpose, e.setting, e.detail),
                         ("city-ed", "lookup", ella, WHY, SETTING,
                          "known; asked by Dr A. Khan, ED registrar"))
        # In the chronology and in ffcctl accesses.
        record = self.admin(child=pb.ChildRequest(child_id=ella)).child
        self.assertEqual([(a.by, a.setting, a.purpose) for a in record.lookups],
                         [("city-ed", SETTING, WHY)] * 2)
        self.assertEqual(record.lookups[0].asked_by, "Dr A. Khan, ED registrar")
        text = self.ffcctl("ops", "child", ella)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertRegex(text.stdout, r"looked up \(2\)\n  \d{4}-\d\d-\d\d \d\d:\d\d  looked up "
                         r"by city-ed at City Hospital ED, purpose: %s \(asked by Dr A\. Khan, "
                         r"ED registrar\)" % re.escape(WHY))
        out = self.ffcctl("ops", "accesses", "--nhs", nhs_number(1))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("lookups of %s (2 of 2, newest first)" % ella, out.stdout)
        self.assertEqual(out.stdout.count("looked up by city-ed at City Hospital ED"), 2)

    def test_the_lead_practitioner_without_a_status_in_force(self):
        # No status in force (an ended one only): ffc's own lead
        # practitioner, with no contact; no local authority.
        self.send("social-care", plan("LCS-CIN-3", dict(nhs_number=nhs_number(3)),
                                      kind=pb.CHILD_IN_NEED, category=0, start="2024-01-01",
                                      end="2024-03-01"))
        child = self.lookup(nhs_number=nhs_number(3))
        self.assertEqual(child.lookup, pb.LookupReply(known=True))
        kid = self.admin(child=pb.ChildRequest(nhs_number=nhs_number(3))).child.child_id
        self.admin(assign=pb.AssignRequest(child=pb.ChildRequest(child_id=kid),
                                           practitioner="Pat Lee", by="duty"))
        self.assertEqual(self.lookup(nhs_number=nhs_number(3)).lookup,
                         pb.LookupReply(known=True, lead_practitioner="Pat Lee"))
        # Two in force: the one that started last first, and its worker.
        self.send("social-care", plan("LCS-LA-3", dict(nhs_number=nhs_number(3)),
                                      kind=pb.LOOKED_AFTER, category=0,
                                      legal_status=pb.CARE_ORDER, start="2025-06-01",
                                      social_worker="Jo Hall"))
        self.send("social-care", plan("LCS-CP-3", dict(nhs_number=nhs_number(3)),
                                      category=pb.PLAN_MULTIPLE, start="2025-09-01"))
        r = self.lookup(nhs_number=nhs_number(3)).lookup
        self.assertEqual([(s.kind, s.start_date) for s in r.statuses],
                         [(pb.CHILD_PROTECTION_PLAN, "2025-09-01"),
                          (pb.LOOKED_AFTER, "2025-06-01")])
        self.assertEqual(r.statuses[1].legal_status, pb.CARE_ORDER)
        self.assertEqual(r.lead_practitioner, "Sam Patel")

    def test_unknown_child_is_not_known_and_nothing_is_stored(self):
        self.ella_known()
        stranger = nhs_number(999)
        purpose = "unique purpose 7c1e: bruising, mother says fell"
        sub = self.console()
        stats = self.admin(stats=pb.StatsRequest()).stats
        trail = list(self.admin(audit=pb.AuditRequest()).audit.entries)
        r = self.lookup(nhs_number=stranger, purpose=purpose, asked_by="Dr B")
        self.assertEqual(r.error, "")
        self.assertEqual(r.lookup.SerializeToString(), b"")  # known = false, nothing else
        self.assertTrue(r.HasField("lookup"))
        self.assertFalse(sub.poll(1500), "a lookup of an unknown child was published")
        after = self.admin(stats=pb.StatsRequest()).stats
        self.assertEqual((after.children, after.concerns), (stats.children, stats.concerns))
        self.assertEqual(after.lookups, stats.lookups + 1)
        # One audit entry: who asked, from where, not known; no child, no
        # identifier, no purpose.
        new = [e for e in self.admin(audit=pb.AuditRequest()).audit.entries
               if e.seq not in {x.seq for x in trail} and e.command == "lookup"]
        self.assertEqual(len(new), 1)
        e = new[0]
        self.assertEqual((e.by, e.role, e.child_id, e.purpose, e.setting, e.detail),
                         ("city-ed", "lookup", "", "", SETTING, "not known"))
        r = self.ask("ops", pb.ControlRequest(purpose="p", child=pb.ChildRequest(
            nhs_number=stranger)))
        self.assertEqual(r.error, "child: no such child")
        # Not a byte of the child in the store.
        self.assertEqual(self.d.stop(), 0)
        with open(os.path.join(self.d.dir, "data.mdb"), "rb") as f:
            data = f.read()
        for never in (stranger, purpose, "Dr B"):
            self.assertNotIn(never.encode(), data, never)
        self.assertIn(SETTING.encode(), data)  # the audit entry is there

    # ---- what a lookup key may not do ----

    def test_lookup_key_refused_every_other_command_and_every_concern(self):
        ella = self.ella_known()
        stats = self.admin(stats=pb.StatsRequest()).stats
        commands = pb.ControlRequest.DESCRIPTOR.oneofs_by_name["command"].fields
        asked = 0
        for f in commands:
            if f.name == "lookup":
                continue
            req = pb.ControlRequest(purpose="p")
            getattr(req, f.name).SetInParent()
            if f.name == "child":
                req.child.child_id = ella
            r = self.ask("city-ed", req)
            self.assertTrue(r.error.endswith(": a lookup key may only look a child up; city-ed "
                                             "is a lookup key"), (f.name, r.error))
            self.assertIsNone(r.WhichOneof("result"), f.name)
            asked += 1
        self.assertGreater(asked, 20)
        # Each refusal is in the audit trail (past a caller's first few in
        # a second, counted in one entry written a moment later).

        def refused():
            trail = self.admin(audit=pb.AuditRequest(by="city-ed")).audit.entries
            return sum(max(e.count, 1) for e in trail if e.refused)
        self.assertTrue(wait_for(lambda: refused() == asked, timeout=15), refused())
        # Every concern: the ingest socket refuses the key at the
        # handshake, so nothing it sends is read, and it is counted.
        s = self.curve(zmq.DEALER, "city-ed", self.d.ingest_ep)
        s.send(concern("ED-1", agency=pb.HEALTH, category=pb.INJURY,
                       children=[ELLA]).SerializeToString())
        s.send(plan("ED-2", ELLA).SerializeToString())
        self.assertFalse(s.poll(1500), "a lookup key got a receipt")
        self.assertTrue(wait_for(lambda: self.admin(stats=pb.StatsRequest()).stats.refused_role >
                                 stats.refused_role))
        after = self.admin(stats=pb.StatsRequest()).stats
        self.assertEqual((after.concerns, after.child_statuses),
                         (stats.concerns, stats.child_statuses))
        # Nor does it hear the alerts socket.
        sub = self.curve(zmq.SUB, "city-ed", self.d.alerts_ep)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.assertFalse(sub.poll(2500), "a lookup key heard the alerts socket")

    def test_the_request_is_checked(self):
        self.ella_known()
        cases = [
            (dict(nhs_number=nhs_number(1), setting=""),
             "lookup.setting: required (where the child is, e.g. \"City Hospital ED\")"),
            (dict(nhs_number="9434765918"), "lookup.nhs_number: check digit mismatch"),
            (dict(), "lookup: give the child's nhs_number or upn"),
            (dict(nhs_number=nhs_number(1), upn=upn(1)),
             "lookup: give nhs_number or upn, not both"),
            (dict(nhs_number=nhs_number(1), setting="ED\r\nforged"),
             "lookup.setting: contains a control character"),
        ]
        for kw, error in cases:
            r = self.lookup(**kw)
            self.assertEqual(r.error, error)
        r = self.lookup(purpose="", nhs_number=nhs_number(1))
        self.assertEqual(r.error, "lookup: purpose: required to read a child's record (ffcctl "
                         "--purpose TEXT or $FFC_PURPOSE)")
        ella = self.admin(child=pb.ChildRequest(nhs_number=nhs_number(1))).child.child_id
        self.assertEqual(self.admin(accesses=pb.AccessesRequest(
            child=pb.ChildRequest(child_id=ella))).accesses.total, 0)

    def test_accesses_lists_the_last_25(self):
        ella = self.ella_known()
        for i in range(27):
            r = self.lookup(nhs_number=nhs_number(1), setting="Urgent care %d" % i)
            self.assertTrue(r.lookup.known)
        a = self.admin(accesses=pb.AccessesRequest(child=pb.ChildRequest(child_id=ella)))
        a = a.accesses
        self.assertEqual((a.child_id, a.total, len(a.accesses)), (ella, 27, 25))
        self.assertEqual([x.setting for x in a.accesses],
                         ["Urgent care %d" % i for i in range(26, 1, -1)])
        a = self.admin(accesses=pb.AccessesRequest(child=pb.ChildRequest(upn=upn(1)),
                                                   limit=500)).accesses
        self.assertEqual(len(a.accesses), 27)
        r = self.ask("ops", pb.ControlRequest(purpose="p", accesses=pb.AccessesRequest(
            child=pb.ChildRequest(child_id=ella), limit=501)))
        self.assertEqual(r.error, "accesses.limit: at most 500")
        r = self.ask("ops", pb.ControlRequest(accesses=pb.AccessesRequest(
            child=pb.ChildRequest(child_id=ella))))
        self.assertIn("accesses: purpose: required", r.error)
        out = self.ffcctl("ops", "accesses", ella, "--limit", "3")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("lookups of %s (3 of 27, newest first)" % ella, out.stdout)
        self.assertIn("at Urgent care 26, purpose: %s" % WHY, out.stdout)
        out = self.ffcctl("city-ed", "lookup", "--nhs", nhs_number(1), "--setting", SETTING)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("CHILD_PROTECTION_PLAN (PLAN_NEGLECT) since 2025-11-03, Leeds City "
                      "Council", out.stdout)
        self.assertIn("open alerts: 1 amber, 0 red", out.stdout)
        self.assertIn("lead practitioner: Sam Patel, Social worker (0113 000 0000)", out.stdout)
        out = self.ffcctl("city-ed", "accesses", ella)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("accesses: a lookup key may only look a child up", out.stderr)

    # ---- the README's example ----

    def test_readme_python_example_runs(self):
        """The example in the README's section for unscheduled-care
        integrators, run as written with this setting's key files."""
        with open(os.path.join(SOURCE, "README.md")) as f:
            readme = f.read()
        code = re.search(r"```python\n(# lookup\.py.*?)```", readme, re.S)
        self.assertIsNotNone(code, "no lookup.py example in README.md")
        script = write(os.path.join(self.dir, "lookup.py"), code.group(1), 0o644)
        ed = write(os.path.join(self.dir, "city-ed.key_secret"),
                   cert_text("city-ed", *self.keys["city-ed"]))
        env = dict(os.environ, FFC_CONTROL=self.control, FFC_KEY=ed,
                   FFC_SERVER_KEY=self.server_pub,
                   PYTHONPATH=os.environ.get("FFC_PB2", ""))
        run = lambda nhs: subprocess.run(["/usr/bin/python3", script, nhs], env=env,  # noqa
                                         capture_output=True, text=True, timeout=60)
        r = run("943 476 5919")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "not known to ffc\n")
        s = plan("LCS-CP-9", dict(nhs_number="9434765919"))
        self.send("social-care", s)
        r = run("943 476 5919")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "known to ffc\n"
                         "CHILD_PROTECTION_PLAN since 2025-11-03, Leeds City Council\n"
                         "open alerts: 0 red, 0 amber\n"
                         "lead practitioner: Sam Patel, Social worker, 0113 000 0000\n")
        r = run("943 476 5918")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("lookup.nhs_number: check digit mismatch", r.stderr)


class Watch(DaemonTest):
    def test_ffc_watch_prints_a_lookup(self):
        """ffc-watch prints each lookup of a known child as it happens
        (ACCESS), a lookup asked here by an operator with ffcctl."""
        r = self.d.send_one(plan("LCS-CP-1", ELLA))
        self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        out_path = os.path.join(self.d.dir, "watch.out")
        with open(out_path, "w") as out:
            w = subprocess.Popen([os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep,
                                  "--control", self.d.control_ep, "--since", "0"],
                                 stdout=out, stderr=subprocess.DEVNULL,
                                 env=dict(os.environ, XDG_STATE_HOME=self.d.dir))
        try:
            time.sleep(0.8)  # subscribed before the lookup
            look = self.d.tool("ffcctl", "lookup", "--nhs", nhs_number(1), "--setting", SETTING,
                               "--asked-by", "Dr A. Khan")
            self.assertEqual(look.returncode, 0, look.stderr)
            self.assertIn("lead practitioner: Sam Patel, Social worker (0113 000 0000)",
                          look.stdout)
            want = "ACCESS %s  looked up by " % r.child_ids[0]
            self.assertTrue(wait_for(lambda: want in open(out_path).read(), timeout=15),
                            open(out_path).read())
            text = open(out_path).read()
            self.assertIn("at %s, " % SETTING, text)
            self.assertNotIn(PURPOSE, text)
        finally:
            w.terminate()
            self.assertEqual(w.wait(timeout=30), 0)


if __name__ == "__main__":
    main()
