"""ffc-web over plain HTTP against the real ffcd: what every response
carries (a strict Content-Security-Policy, no framing, cookies HttpOnly and
SameSite=Strict that expire), signing in and the lockout after repeated
wrong passwords, the CSRF token every change needs, a viewer refused by
ffcd in its own words, reads and changes in ffcd's audit trail under the
person's name via ffc-web, the delegate's role as a ceiling, the live
stream caught up by seq and resumed from its Last-Event-ID, TLS with a
certificate (cookies Secure, __Host- prefixed), and the start-up errors."""

import http.client
import json
import os
import re
import ssl
import subprocess
import time
import unittest

from ffctest import concern, main, nhs_number, pb, scratch_dir
from webtest import (PASSWORDS, WEB, Client, Web, audit, delegate_conf, passwd, web_setup)
from ffctest import start_daemon

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def risk(cid, n):
    return concern(cid, category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                   children=[dict(nhs_number=nhs_number(n), given_name="Ella",
                                  family_name="Smith", date_of_birth="2016-04-12")])


class Events:
    """A Server-Sent Events stream read by hand."""

    def __init__(self, client, path, last_event_id=None):
        self.c = http.client.HTTPConnection("127.0.0.1", client.web.port, timeout=20)
        h = {"Cookie": "; ".join("%s=%s" % kv for kv in client.cookies.items()),
             "Accept": "text/event-stream"}
        if last_event_id:
            h["Last-Event-ID"] = last_event_id
        self.c.request("GET", path, headers=h)
        self.r = self.c.getresponse()
        self.buf = b""

    def next(self, kind=None, timeout=15):
        """The next event (of kind, skipping others): (id, kind, data)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                fields = {}
                for line in block.decode().split("\n"):
                    if line.startswith(":") or ":" not in line:
                        continue
                    k, v = line.split(":", 1)
                    fields[k] = v[1:] if v.startswith(" ") else v
                if "event" in fields and (kind is None or fields["event"] == kind):
                    return fields.get("id"), fields["event"], json.loads(fields["data"])
            chunk = self.r.fp.read1(65536)
            if not chunk:
                raise AssertionError("the stream ended")
            self.buf += chunk
        raise AssertionError("no %s event within %d s" % (kind or "", timeout))

    def close(self):
        self.c.close()


class WebHttp(unittest.TestCase):
    def setUp(self):
        self.d, self.w = web_setup(self)
        self.child = self.d.send_one(risk("r-1", 1)).child_ids[0]

    def tearDown(self):
        self.w.assert_stops_cleanly()
        if self.d.running():
            self.d.assert_stops_cleanly(self)

    def test_headers_and_cookies(self):
        c = Client(self.w)
        page = c.get("/login")
        self.assertEqual(page.status, 200)
        for r in (page, c.get("/static/common.js"), c.get("/api/session")):
            self.assertEqual(r.header("Content-Security-Policy"), CSP)
            self.assertEqual(r.header("X-Frame-Options"), "DENY")
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        # No inline script anywhere: every script is a file of its own.
        for name in ("/alerts", "/family", "/child", "/notices", "/admin", "/figures",
                     "/login"):
            self.assertNotRegex(c.get(name).text, r"<script(?![^>]*\bsrc=)")
        [login_cookie] = page.cookies()
        self.assertRegex(login_cookie, r"^ffc_login=[A-Za-z0-9_-]{43}; Path=/; Max-Age=3600; "
                                       r"HttpOnly; SameSite=Strict$")
        r = c.sign_in("sam.jones")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), "/alerts")
        session = [v for v in r.cookies() if v.startswith("ffc_session=")][0]
        # --dev-http: not Secure (plain HTTP on loopback), and said in the log.
        self.assertRegex(session, r"^ffc_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=36000; "
                                  r"HttpOnly; SameSite=Strict$")
        self.assertIn("cookies not Secure", self.w.stderr())
        s = c.get("/api/session").json()
        self.assertEqual((s["name"], s["role"]), ("sam.jones", "practitioner"))
        self.assertNotEqual(s["csrf"], c.cookies["ffc_session"])
        # Pages are never cached; nothing answers without a session.
        self.assertEqual(c.get("/alerts").header("Cache-Control"), "no-store")
        anon = Client(self.w)
        self.assertEqual(anon.get("/alerts").status, 303)
        self.assertEqual(anon.get("/alerts").header("Location"), "/login")
        r = anon.get("/api/alerts")
        self.assertEqual(r.status, 401)
        self.assertIn("not signed in", r.json()["error"])
        # Sign out ends the session (a change: with its token).
        self.assertEqual(c.post("/logout", {}).status, 403)
        r = c.post("/logout", {"csrf": c.csrf})
        self.assertEqual(r.status, 303)
        self.assertEqual(c.get("/api/session").status, 401)

    def test_wrong_password_locked_out(self):
        c = Client(self.w)
        for i in range(4):
            r = c.sign_in("sam.jones", "not the password")
            self.assertEqual(r.status, 401)
            self.assertIn("Wrong name or password.", r.text)
        r = c.sign_in("sam.jones", "not the password")
        self.assertEqual(r.status, 429)
        self.assertIn("Too many failed sign-ins: this account is locked. Try again in 15 "
                      "minutes.", r.text)
        # The right password too, while locked; another account is not.
        r = c.sign_in("sam.jones")
        self.assertEqual(r.status, 429)
        self.assertEqual(c.get("/api/session").status, 401)
        self.assertEqual(Client(self.w).sign_in("pat.lee").status, 303)
        # A name with no account is answered alike, and locked alike.
        for i in range(5):
            r = c.sign_in("no.such.person", "whatever it is")
        self.assertEqual(r.status, 429)
        self.assertIn("sign-in refused for sam.jones: wrong password; locked", self.w.stderr())
        # The sign-in form without its token is refused.
        r = c.post("/login", {"name": "pat.lee", "password": PASSWORDS["pat.lee"]})
        self.assertEqual(r.status, 403)
        self.assertIn("The sign-in form had expired", r.text)

    def test_change_without_csrf_token_refused(self):
        c = Client(self.w)
        c.sign_in("sam.jones")
        for headers in ({}, {"X-CSRF-Token": "x" * 43}, {"X-CSRF-Token": c.csrf[:-1] + "A"
                                                        if c.csrf[-1] != "A" else c.csrf[:-1] + "B"}):
            r = c.post("/api/ack", {"alert_id": "A00000001"}, headers=headers, csrf=False)
            self.assertEqual(r.status, 403)
            self.assertIn("csrf: the request did not carry this session's token", r.json()["error"])
        # Nothing changed, nothing recorded.
        self.assertEqual(self.d.alerts().alerts[0].state, pb.OPEN)
        self.assertEqual([e for e in audit(self, self.d) if e["command"] == "ack"], [])
        # Another session's token is not this one's.
        other = Client(self.w)
        other.sign_in("pat.lee")
        r = c.post("/api/ack", {"alert_id": "A00000001"}, headers={"X-CSRF-Token": other.csrf},
                   csrf=False)
        self.assertEqual(r.status, 403)
        # With it: done, by the person.
        r = c.post("/api/ack", {"alert_id": "A00000001", "note": "on it"})
        self.assertEqual(r.status, 200, r.text)
        a = r.json()["alert"]
        self.assertEqual((a["state"], a["acknowledged_by"]), ("ACKNOWLEDGED", "sam.jones"))
        # Refused by ffcd on its merits: its words, 422.
        r = c.post("/api/ack", {"alert_id": "A00000001"})
        self.assertEqual(r.status, 422)
        self.assertIn("ack", r.json()["error"])
        r = c.post("/api/close", {"alert_id": "A00000001", "outcome": "sorted"})
        self.assertEqual(r.status, 422)
        self.assertIn("close.outcome: 'sorted' is not one of", r.json()["error"])
        # Bodies that are not forms, or too big, are refused before anything.
        r = c.request("POST", "/api/note", body=b'{"alert_id": "A00000001"}',
                      headers={"Content-Type": "application/json", "X-CSRF-Token": c.csrf})
        self.assertEqual(r.status, 415)
        r = c.post("/api/note", {"alert_id": "A00000001", "text": "x" * 20000})
        self.assertEqual(r.status, 413)
        r = c.post("/api/note", {"alert_id": "A00000001", "text": "a", "a": "1"},
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200)
        self.assertEqual(c.request("DELETE", "/api/note").status, 405)

    def test_viewer_refused_by_ffcd_in_its_words(self):
        v = Client(self.w)
        v.sign_in("vic.viewer")
        r = v.post("/api/child", {"child_id": self.child, "purpose": "curious"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"],
                         "child: needs the practitioner role; vic.viewer is a viewer")
        r = v.get("/api/alerts")
        self.assertEqual(r.status, 403)
        self.assertIn("alerts: needs the practitioner role; vic.viewer is a viewer",
                      r.json()["error"])
        # What a viewer may: status and stats.
        self.assertEqual(v.get("/api/status").status, 200)
        self.assertIn("strategy discussion", v.get("/api/status").json()["outcomes"])
        # The live stream says so in words, and ends.
        e = Events(v, "/api/events")
        _, kind, data = e.next("refused")
        self.assertIn("needs the practitioner role", data["error"])
        e.close()
        # Recorded as refused, under the viewer's name, via ffc-web.
        refused = [e for e in audit(self, self.d) if e.get("refused")]
        self.assertTrue(refused)
        for e in refused:
            self.assertEqual((e["by"], e["via"], e["role"]), ("vic.viewer", "ffc-web", "viewer"))

    def test_reads_and_changes_audited_under_the_person(self):
        c = Client(self.w)
        c.sign_in("sam.jones")
        r = c.post("/api/child", {"child_id": self.child})
        self.assertEqual(r.status, 400)
        self.assertIn("purpose", r.json()["error"])
        r = c.post("/api/child", {"child_id": self.child, "purpose": "strategy meeting"})
        self.assertEqual(r.status, 200, r.text)
        rec = r.json()
        self.assertEqual(rec["child_id"], self.child)
        self.assertEqual(rec["chronology"][0]["concern_id"], "r-1")
        r = c.post("/api/alert", {"alert_id": "A00000001", "purpose": "reading the notes"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["alert_id"], "A00000001")
        c.post("/api/assign", {"child_id": self.child, "practitioner": "Pat Lee"})
        entries = audit(self, self.d)
        mine = [e for e in entries if e["by"] == "sam.jones"]
        self.assertEqual([e["command"] for e in mine], ["child", "alerts", "assign"])
        for e in mine:
            self.assertEqual((e["via"], e["role"], e["child_id"]),
                             ("ffc-web", "practitioner", self.child))
        self.assertEqual(mine[0]["purpose"], "strategy meeting")
        # The record says who looked, through what.
        r = c.post("/api/child", {"child_id": self.child, "purpose": "again"})
        seen = r.json()["viewed_by"]
        self.assertEqual((seen[0]["by"], seen[0]["via"]), ("sam.jones", "ffc-web"))

    def test_family_notices_feedback_and_report(self):
        # Ella (C00000001, her RED alert in setUp) and her brother Noah,
        # named together in a police domestic incident today: one
        # household, and a notice to the front door for each (no school
        # known).
        now = int(time.time() * 1000)
        self.d.send_one(concern("h-1", at=now, summary="Domestic incident at home",
                                children=[dict(nhs_number=nhs_number(1), given_name="Ella",
                                               family_name="Smith"),
                                          dict(nhs_number=nhs_number(2), given_name="Noah",
                                               family_name="Smith")]))
        c = Client(self.w)
        c.sign_in("sam.jones")
        # The family by its household: both children, one timeline, the
        # concern about both once.
        r = c.post("/api/family", {"household_id": "H00000001", "purpose": "strategy meeting"})
        self.assertEqual(r.status, 200, r.text)
        f = r.json()
        self.assertEqual(f["family"]["household_id"], "H00000001")
        self.assertEqual(sorted(m["child_id"] for m in f["family"]["members"]),
                         ["C00000001", "C00000002"])
        concerns = [e["concern"] for e in f["family"]["timeline"] if "concern" in e]
        self.assertEqual([x["concern_id"] for x in concerns], ["r-1", "h-1"])
        self.assertEqual(sorted(concerns[1]["child_ids"]), ["C00000001", "C00000002"])
        self.assertEqual(sorted(x["child_id"] for x in f["children"]),
                         ["C00000001", "C00000002"])
        for x in f["children"]:
            self.assertTrue(x["identity_records"])
            self.assertNotIn("timeline", x)
        self.assertLessEqual(f["asked_at_ms"], int(time.time() * 1000))
        # By a child's id, or NHS number: the same family.
        for fields in ({"child_id": "C00000002"}, {"nhs_number": nhs_number(2)}):
            fields["purpose"] = "strategy meeting"
            r = c.post("/api/family", fields)
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(r.json()["family"]["household_id"], "H00000001")
        # Read as sam, for the purpose, each child, via ffc-web.
        reads = [(e["command"], e["child_id"]) for e in audit(self, self.d)
                 if e["by"] == "sam.jones" and e["purpose"] == "strategy meeting"]
        self.assertIn(("family", "C00000001"), reads)
        self.assertIn(("family", "C00000002"), reads)
        self.assertIn(("child", "C00000002"), reads)
        # Bad input: a clear error each, nothing asked of ffcd.
        for fields, status, words in (
                ({"child_id": "X1"}, 400, "child_id: 'X1' is not a child id (C00000001)"),
                ({"child_id": "C"}, 400, "child_id: 'C' is not a child id"),
                ({"household_id": "H0000x"}, 400,
                 "household_id: 'H0000x' is not a household id (H00000001)"),
                ({"child_id": "C00000001", "household_id": "H00000001"}, 400,
                 "family: give one of"),
                ({}, 400, "family: give one of"),
                ({"child_id": "C00000001", "since": "2026-02-30"}, 400,
                 "since: '2026-02-30' is not a date (2026-03-02)"),
                ({"child_id": "C00000099"}, 422, "family.child_id: no such child"),
                ({"household_id": "H00000042"}, 422, "family.household_id: no such household")):
            fields["purpose"] = "checking"
            r = c.post("/api/family", fields)
            self.assertEqual(r.status, status, (fields, r.text))
            self.assertIn(words, r.json()["error"])
        r = c.post("/api/family", {"child_id": "C00000001"})
        self.assertEqual(r.status, 400)
        self.assertIn("purpose: say why you need this record", r.json()["error"])
        r = c.post("/api/family", {"child_id": "C00000001", "purpose": "x"}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertIn("csrf", r.json()["error"])
        self.assertEqual(c.get("/api/family").status, 405)
        # Since a day: only what happened from then.
        r = c.post("/api/family", {"child_id": "C00000001", "purpose": "recent",
                                   "since": time.strftime("%Y-%m-%d", time.gmtime())})
        ids = [e["concern"]["concern_id"] for e in r.json()["family"]["timeline"]
               if "concern" in e]
        self.assertEqual(ids, ["h-1"])

        # The notices: one to the front door for each child.
        r = c.get("/api/notices")
        self.assertEqual(r.status, 200, r.text)
        n = r.json()["notices"]
        self.assertEqual(sorted((x["child_id"], x["front_door"], x["police_reference"])
                                for x in n),
                         [("C00000001", "NO_KNOWN_SCHOOL", "h-1"),
                          ("C00000002", "NO_KNOWN_SCHOOL", "h-1")])
        for q in ("unacknowledged=2", "urn=abc", "urn="):
            r = c.get("/api/notices?" + q)
            self.assertEqual(r.status, 400, q)
        # A front-door notice acknowledged by the person.
        r = c.post("/api/notice_ack", {"notice_id": n[0]["notice_id"]})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["notice"]["acknowledged_by"], "sam.jones")
        self.assertEqual(c.post("/api/notice_ack", {"notice_id": "nope"}).status, 400)
        r = c.get("/api/notices?unacknowledged=1").json()
        self.assertEqual([x["notice_id"] for x in r["notices"]], [n[1]["notice_id"]])
        # Feedback: the police told how the RED alert ended.
        self.assertEqual(c.get("/api/feedback").json().get("feedback", []), [])
        r = c.post("/api/close", {"alert_id": "A00000001", "outcome": "strategy discussion"})
        self.assertEqual(r.status, 200, r.text)
        fb = c.get("/api/feedback?agency=police").json()["feedback"]
        self.assertEqual([(x["agency"], x["alert_id"], x["outcome"], x["concern_ids"])
                          for x in fb],
                         [("POLICE", "A00000001", "strategy discussion", ["r-1"])])
        self.assertEqual(c.get("/api/feedback?agency=health").json().get("feedback", []), [])
        r = c.get("/api/feedback?agency=fire")
        self.assertEqual(r.status, 400)
        self.assertIn("agency: one of police", r.json()["error"])
        # A viewer: refused each in ffcd's words.
        v = Client(self.w)
        v.sign_in("vic.viewer")
        for path, fields in (("/api/family", {"child_id": "C00000001", "purpose": "x"}),
                             ("/api/notices", None), ("/api/feedback", None)):
            r = v.post(path, fields) if fields else v.get(path)
            self.assertEqual(r.status, 403, path)
            self.assertRegex(r.json()["error"], r"^\w+: needs the practitioner role; "
                                                r"vic.viewer is a viewer$")

        # The report: an admin's, for a purpose; a practitioner is refused.
        today = time.strftime("%Y-%m-%d", time.gmtime())
        period = {"from": "2025-12-01", "to": today, "purpose": "partnership board"}
        r = c.post("/api/report", period)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"],
                         "report: needs the admin role; sam.jones is a practitioner")
        a = Client(self.w)
        a.sign_in("ada.admin")
        r = a.post("/api/report", period)
        self.assertEqual(r.status, 200, r.text)
        f = r.json()
        self.assertEqual((f["alerts"], f["by_level"], f["concerns"]), (1, {"RED": 1}, 2))
        self.assertEqual(f["months"][:2], ["2025-12", "2026-01"])
        # Raised (today) when ffcd received it, whenever it happened.
        self.assertEqual([(x["rule"], x["counts"][-1], sum(x["counts"]), x["total"])
                          for x in f["by_rule"]], [("immediate-risk", 1, 1, 1)])
        self.assertEqual([(x["outcome"], x["count"]) for x in f["outcomes"]],
                         [("strategy discussion", 1)])
        red = f["response"][0]
        self.assertEqual((red["level"], red["alerts"], red["responded"]), ("RED", 1, 1))
        self.assertEqual(f["notices"]["to_front_door"], 2)
        entries = [e for e in audit(self, self.d) if e["command"] == "report"]
        self.assertEqual([(e["by"], e["via"], e["purpose"]) for e in entries],
                         [("sam.jones", "ffc-web", "partnership board"),
                          ("ada.admin", "ffc-web", "partnership board")])
        for fields, words in (
                ({"from": "2026-1-01"}, "from: '2026-1-01' is not a date (2026-03-02)"),
                ({"to": "tomorrow"}, "to: 'tomorrow' is not a date"),
                ({"from": "2026-03-01", "to": "2026-02-01"}, "to: 2026-02-01 is before from"),
                ({"from": "2010-01-01", "to": "2026-01-01"}, "from, to: at most 122 months"),
                ({"purpose": ""}, "purpose: say why")):
            r = a.post("/api/report", dict(period, **fields))
            self.assertEqual(r.status, 400, fields)
            self.assertIn(words, r.json()["error"])
        self.assertEqual(a.post("/api/report", period, csrf=False).status, 403)

    def test_stream_live_and_caught_up_by_seq(self):
        c = Client(self.w)
        c.sign_in("sam.jones")
        listing = c.get("/api/alerts").json()
        self.assertEqual([a["alert_id"] for a in listing["alerts"]], ["A00000001"])
        e = Events(c, "/api/events?from=" + listing["position"])
        _, kind, status = e.next("status")
        self.assertTrue(status["live"])
        self.d.send_one(risk("r-2", 2))
        last_id, kind, a = e.next("alert")
        self.assertEqual((a["alert_id"], a["level"], a["rule"]),
                         ("A00000002", "RED", "immediate-risk"))
        # A change reaches it as it happens.
        other = Client(self.w)
        other.sign_in("pat.lee")
        other.post("/api/ack", {"alert_id": "A00000002"})
        last_id, kind, ch = e.next("change")
        self.assertEqual((ch["alert_id"], ch["state"], ch["event"]["by"]),
                         ("A00000002", "ACKNOWLEDGED", "pat.lee"))
        e.close()
        # Away: two more raised. Back with the last event's id: both, in order.
        self.d.send_one(risk("r-3", 3))
        self.d.send_one(risk("r-4", 4))
        e = Events(c, "/api/events", last_event_id=last_id)
        got = [e.next("alert")[2]["alert_id"] for _ in range(2)]
        self.assertEqual(got, ["A00000003", "A00000004"])
        e.close()
        # From a position of another ffc-web process (a restart): the
        # alerts after its seq through ffcd, then "resync".
        boot, ident, seq = last_id.split(".")
        stale = "%s.%s.%s" % ("0" * 16 if boot != "0" * 16 else "1" * 16, ident, seq)
        e = Events(c, "/api/events", last_event_id=stale)
        got = [e.next("alert")[2]["alert_id"] for _ in range(2)]
        self.assertEqual(got, ["A00000003", "A00000004"])
        e.next("resync")
        e.close()

    def test_account_removed_ends_its_session(self):
        c = Client(self.w)
        c.sign_in("pat.lee")
        self.assertEqual(c.get("/api/session").status, 200)
        r = subprocess.run([WEB, "passwd", "pat.lee", "--remove", "--accounts",
                            self.w.accounts], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get("/api/session").status, 401)
        self.assertEqual(c.sign_in("pat.lee").status, 401)
        # A role changed in the file is the role from the next request on.
        s = Client(self.w)
        s.sign_in("sam.jones")
        r = passwd(self.w.accounts, "sam.jones", "viewer", "a new long password")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(s.get("/api/session").json()["role"], "viewer")
        self.assertEqual(s.post("/api/child", {"child_id": self.child, "purpose": "x"}).status,
                         403)


class Ceiling(unittest.TestCase):
    """ffc-web's own role bounds what anyone signed in to it may do."""

    def test_practitioner_delegate_caps_an_admin(self):
        d, w = web_setup(self, web_role="practitioner")
        d.send_one(risk("r-1", 1))
        a = Client(w)
        a.sign_in("ada.admin")
        r = a.post("/api/link", {"child_a": "C00000001", "child_b": "C00000002",
                                 "reason": "same child"})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"],
                         "link: needs the admin role; ada.admin is a practitioner")
        self.assertEqual(a.post("/api/child", {"child_id": "C00000001", "purpose": "x"}).status,
                         200)
        w.assert_stops_cleanly()
        d.assert_stops_cleanly(self)

    def test_not_a_delegate_refused(self):
        d = start_daemon(self, conf=delegate_conf(self, delegate=False), operator="a.dmin")
        w = Web(self, d).start()
        c = Client(w)
        c.sign_in("sam.jones")
        r = c.get("/api/alerts")
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"],
                         "alerts: on_behalf_of: ffc-web may not speak for anyone (not a delegate)")
        w.assert_stops_cleanly()
        d.assert_stops_cleanly(self)


class StartUp(unittest.TestCase):
    """What ffc-web refuses at start, and TLS."""

    def run_web(self, *args, input=None):
        return subprocess.run([WEB] + list(args), capture_output=True, text=True, timeout=60,
                              input=input)

    def test_refused_at_start(self):
        tmp = scratch_dir(self)
        acc = os.path.join(tmp, "accounts")
        self.assertEqual(passwd(acc, "sam", "admin", "a long password").returncode, 0)
        r = self.run_web("--accounts", acc)
        self.assertEqual(r.returncode, 2)
        self.assertIn("say how browsers reach ffc-web", r.stderr)
        r = self.run_web("--accounts", acc, "--dev-http", "--listen", "0.0.0.0:7999")
        self.assertEqual(r.returncode, 1)
        self.assertIn("plain HTTP only on loopback", r.stderr)
        r = self.run_web("--accounts", acc, "--dev-http", "--listen", "127.0.0.1:99999")
        self.assertIn("is not a port", r.stderr)
        r = self.run_web("--accounts", acc, "--tls-cert", "/nonexistent.pem")
        self.assertEqual(r.returncode, 2)
        self.assertIn("give --tls-cert and --tls-key together", r.stderr)
        os.chmod(acc, 0o644)
        r = self.run_web("--accounts", acc, "--dev-http", "--listen", "127.0.0.1:1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("mode 644 lets others read the password hashes", r.stderr)
        os.chmod(acc, 0o600)
        with open(acc, "a") as f:
            f.write("pat:boss:x\n")
        r = self.run_web("--accounts", acc, "--dev-http", "--listen", "127.0.0.1:1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("accounts:4: 'boss' is not a role", r.stderr)
        r = self.run_web("--accounts", os.path.join(tmp, "none"), "--dev-http")
        self.assertEqual(r.returncode, 1)
        self.assertIn("No such file", r.stderr)
        # passwd: what it refuses.
        self.assertIn("shorter than 10 characters", passwd(acc + "2", "sam", "admin", "short").stderr)
        r = passwd(acc + "2", "sam", "boss", "a long password")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--role boss: give viewer, practitioner or admin", r.stderr)
        r = passwd(acc + "2", "sam jones", "admin", "a long password")
        self.assertIn("1 to 63 of letters", r.stderr)
        self.assertFalse(os.path.exists(acc + "2"))

    def test_tls(self):
        tmp = scratch_dir(self)
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, capture_output=True, timeout=60)
        d = start_daemon(self, conf=delegate_conf(self), operator="a.dmin")
        w = Web(self, d, transport=("--tls-cert", cert, "--tls-key", key))
        w.start()
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        c = http.client.HTTPSConnection("127.0.0.1", w.port, context=ctx, timeout=20)
        c.request("GET", "/login")
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Strict-Transport-Security"), "max-age=31536000")
        cookie = r.getheader("Set-Cookie")
        self.assertRegex(cookie, r"^__Host-ffc_login=[A-Za-z0-9_-]{43}; Path=/; Max-Age=3600; "
                                 r"HttpOnly; Secure; SameSite=Strict$")
        c.close()
        # Plain HTTP to the TLS port gets no page.
        p = http.client.HTTPConnection("127.0.0.1", w.port, timeout=5)
        with self.assertRaises((http.client.HTTPException, OSError)):
            p.request("GET", "/login")
            resp = p.getresponse()
            if resp.status == 200:
                raise AssertionError("a page over plain HTTP")
            raise http.client.HTTPException("refused")
        w.assert_stops_cleanly()
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
