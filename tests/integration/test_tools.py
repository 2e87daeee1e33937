"""The tools against the real daemon: ffcctl's human output and JSON (proto
field names), ffc-send's summary and exit codes (including a daemon restart
mid-file), ffc-watch's catch-up and live alerts without duplicates, clear
failures when no daemon is there, and `ffcd -n` on good and bad
configuration files."""

import json
import os
import re
import subprocess
import threading
import time
import unittest

from ffctest import (BIN, CONF, SOURCE, Daemon, DaemonTest, concern, drain_alerts, free_port,
                     main, nhs_number, pb, scratch_dir)

TOUR = os.path.join(SOURCE, "conf", "samples", "tour.jsonl")


def jsonl(n, prefix="j"):
    lines = []
    for i in range(n):
        lines.append(json.dumps({
            "concern_id": "%s-%d" % (prefix, i), "agency": "HEALTH",
            "category": "WAS_NOT_BROUGHT", "severity": "LOW",
            "occurred_at_ms": 1772359200000 + (i % 28) * 86400000,
            "children": [{"nhs_number": nhs_number(i % 50)}]}))
    return "\n".join(lines) + "\n"


def tour_file(test):
    """The shipped tour, or a stand-in with the same shape if it is absent."""
    if os.path.exists(TOUR):
        return TOUR
    path = os.path.join(scratch_dir(test), "tour.jsonl")
    with open(path, "w") as f:
        f.write(jsonl(15, "tour"))
    return path


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class Tools(DaemonTest):
    def ok(self, r):
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r

    def test_tour_and_ffcctl(self):
        tour = tour_file(self)
        r = self.ok(self.d.tool("ffc-send", tour))
        self.assertRegex(r.stdout, r"\b15 accepted")
        self.assertGreater(self.d.status().alerts, 0, "the tour raised no alerts")
        r = self.ok(self.d.tool("ffc-send", tour))
        self.assertRegex(r.stdout, r"\b15 duplicate")

        st = self.ok(self.d.tool("ffcctl", "status"))
        self.assertRegex(st.stdout, r"concerns\s+15\b")
        self.assertIn(self.d.ingest_ep, st.stdout)
        self.assertIn(self.d.alerts_ep, st.stdout)
        js = json.loads(self.ok(self.d.tool("ffcctl", "--json", "status")).stdout)
        self.assertEqual(int(js["concerns"]), 15)
        self.assertEqual(js["ingest_endpoint"], self.d.ingest_ep)
        self.assertEqual(js["control_endpoint"], self.d.control_ep)
        self.assertEqual(int(js["pid"]), self.d.pid)
        self.assertEqual(int(js["alerts"]), self.d.status().alerts)

        stats = json.loads(self.ok(self.d.tool("ffcctl", "--json", "stats")).stdout)
        agencies = {c["name"]: int(c["count"]) for c in stats["concerns_by_agency"]}
        self.assertEqual(agencies, {"POLICE": 6, "HEALTH": 7, "EDUCATION": 2})
        rules = {c["name"] for c in stats["alerts_by_rule"]}
        self.assertEqual(rules, {"immediate-risk", "multi-agency", "toxic-trio",
                                 "cumulative-harm", "repeat-missing"})
        self.assertIn("receipts_by_status", stats)
        text = self.ok(self.d.tool("ffcctl", "stats")).stdout
        for word in ("POLICE", "multi-agency", "RED"):
            self.assertIn(word, text)

        alerts = self.ok(self.d.tool("ffcctl", "alerts")).stdout
        for rule in rules:
            self.assertIn(rule, alerts)
        all_json = json_lines(self.ok(self.d.tool("ffcctl", "--json", "alerts")).stdout)
        self.assertEqual([a["seq"] for a in all_json],
                         list(range(1, self.d.status().alerts + 1)))
        for a in all_json:
            for field in ("seq", "alert_id", "child_id", "level", "rule", "reason", "evidence",
                          "raised_at_ms"):
                self.assertIn(field, a)
            self.assertTrue(all("concern_id" in e and "agency" in e for e in a["evidence"]))
        supersedes = {a["alert_id"]: a.get("supersedes", "") for a in all_json}
        self.assertTrue(any(v in supersedes for v in supersedes.values() if v),
                        "no escalation in the tour")
        red = json_lines(self.ok(self.d.tool("ffcctl", "--json", "alerts", "--level", "red"))
                         .stdout)
        self.assertTrue(red and all(a["level"] == "RED" for a in red))
        since = json_lines(self.ok(self.d.tool("ffcctl", "--json", "alerts", "--since", "3"))
                           .stdout)
        self.assertEqual(since[0]["seq"], 4)

    def test_ffcctl_child(self):
        self.ok(self.d.tool("ffc-send", tour_file(self)))
        child = self.ok(self.d.tool("ffcctl", "child", "--nhs", "485 777 3457"))
        # The UPN, in any case, finds the same child as the NHS number.
        by_nhs = json.loads(self.ok(self.d.tool("ffcctl", "--json", "child", "--nhs",
                                                "4857773457")).stdout)["child_id"]
        by_upn = self.ok(self.d.tool("ffcctl", "--json", "child", "--upn", "z330200112004"))
        self.assertEqual(json.loads(by_upn.stdout)["child_id"], by_nhs)
        bad_upn = self.d.tool("ffcctl", "child", "--upn", "A801200005001")
        self.assertEqual(bad_upn.returncode, 1)
        self.assertIn("child.upn: not a valid UPN", bad_upn.stderr)
        lines = child.stdout.splitlines()
        dated = [l for l in lines if re.match(r"\s*2026-\d\d-\d\d", l)
                 and re.search(r"POLICE|HEALTH|EDUCATION", l)]
        self.assertGreater(len(dated), 1)
        dates = [l.split()[0] for l in dated]
        self.assertEqual(dates, sorted(dates))  # oldest first
        self.assertIn("DOMESTIC_ABUSE", child.stdout)
        self.assertIn("Smith", child.stdout)
        cj = json.loads(self.ok(self.d.tool("ffcctl", "--json", "child", "--nhs", "4857773457"))
                        .stdout)
        cid = cj["child_id"]
        self.assertEqual(self.d.child(nhs_number="4857773457").child.child_id, cid)
        for entry in cj["chronology"]:
            for field in ("seq", "agency", "concern_id", "category", "severity", "summary",
                          "occurred_at_ms"):
                self.assertIn(field, entry)
        self.assertTrue(any("upn" in i for i in cj["identities"]))
        by_id = json.loads(self.ok(self.d.tool("ffcctl", "--json", "child", cid)).stdout)
        # The same record, now also showing the first read.
        self.assertGreater(len(by_id.pop("viewed_by")), len(cj.pop("viewed_by", [])))
        self.assertEqual(by_id, cj)
        by_upn = json.loads(self.ok(self.d.tool("ffcctl", "--json", "child", "--upn",
                                                "Z330200112004")).stdout)
        self.assertEqual(by_upn["child_id"], cid)
        missing = self.d.tool("ffcctl", "child", "C09999999")
        self.assertNotEqual(missing.returncode, 0)
        self.assertNotEqual(missing.stderr.strip(), "")
        self.assertNotEqual(self.d.tool("ffcctl", "child").returncode, 0)
        self.assertNotEqual(self.d.tool("ffcctl", "frobnicate").returncode, 0)

    def test_send_rejections_exit_non_zero(self):
        path = os.path.join(scratch_dir(self), "mixed.jsonl")
        good = json.loads(jsonl(1, "good").strip())
        bad = dict(good, concern_id="bad-1", children=[{"nhs_number": "943 476 5918"}])
        with open(path, "w") as f:
            f.write(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
        r = self.d.tool("ffc-send", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"\b1 accepted")
        self.assertRegex(r.stdout, r"\b1 rejected")
        self.assertIn("children[0].nhs_number", r.stdout + r.stderr)
        self.assertIn("bad-1", r.stdout + r.stderr)
        self.assertEqual(self.d.status().concerns, 1)
        shipped_bad = os.path.join(SOURCE, "conf", "samples", "bad.jsonl")
        if os.path.exists(shipped_bad):
            r = self.d.tool("ffc-send", shipped_bad)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("check digit", r.stdout + r.stderr)
            self.assertEqual(self.d.status().concerns, 1)

    def test_send_from_flags_and_stdin(self):
        r = self.ok(self.d.tool("ffc-send", "--agency", "police", "--category", "domestic-abuse",
                                "--severity", "high", "--nhs", "943 476 5919", "--name",
                                "Ella Smith", "--dob", "2015-03-02", "--summary", "call-out",
                                "--id", "flag-1"))
        self.assertRegex(r.stdout, r"\b1 accepted")
        c = self.d.child(nhs_number="9434765919").child
        self.assertEqual(c.chronology[0].concern_id, "flag-1")
        self.assertEqual(c.chronology[0].severity, pb.HIGH)
        self.assertNotEqual(self.d.tool("ffc-send", "--agency", "nobody").returncode, 0)
        r = self.ok(self.d.tool("ffc-send", "-", input=jsonl(300)))
        self.assertRegex(r.stdout, r"\b300 accepted")
        self.assertEqual(self.d.status().concerns, 301)

    def test_send_survives_daemon_restart(self):
        path = os.path.join(scratch_dir(self), "many.jsonl")
        with open(path, "w") as f:
            f.write(jsonl(3000, "r"))

        def bounce():
            time.sleep(0.3)
            self.d.kill()
            time.sleep(0.5)
            self.d.start()
        t = threading.Thread(target=bounce)
        t.start()
        r = self.d.tool("ffc-send", "--timeout", "1000", "--window", "64", path, timeout=180)
        t.join()
        self.ok(r)
        self.assertEqual(self.d.status().concerns, 3000)

    def test_watch_catches_up_and_follows(self):
        self.ok(self.d.tool("ffc-send", tour_file(self)))
        total = self.d.alerts(since=0).last_seq
        self.assertGreater(total, 0)
        r = self.ok(self.d.tool("ffc-watch", "--since", "0", "--json", "--count", str(total),
                                timeout=60))
        seqs = [a["seq"] for a in json_lines(r.stdout) if a["type"] == "alert"]
        self.assertEqual(seqs, list(range(1, total + 1)))
        # Catch up, then follow live: two more, no duplicates, no gaps.
        argv = [os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep, "--control",
                self.d.control_ep, "--since", "0", "--json", "--count", str(total + 2)]
        watch = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, env=dict(os.environ, XDG_STATE_HOME=self.d.dir))
        try:
            time.sleep(1.5)
            for i in range(2):
                self.d.send_one(concern("live-%d" % i, category=pb.PHYSICAL_ABUSE,
                                        severity=pb.IMMEDIATE_RISK,
                                        children=[dict(nhs_number=nhs_number(70 + i))]))
            out, err = watch.communicate(timeout=30)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.communicate()
        self.assertEqual(watch.returncode, 0, err)
        seqs = [a["seq"] for a in json_lines(out) if a["type"] == "alert"]
        self.assertEqual(seqs, list(range(1, total + 3)))
        # The state file remembers; a new alert is all the next run prints.
        state = os.path.join(self.d.dir, "watch.seq")
        self.ok(self.d.tool("ffc-watch", "--state", state, "--since", "0", "--count",
                            str(total + 2)))
        self.d.send_one(concern("ir", category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                                children=[dict(nhs_number=nhs_number(77))]))
        r = self.ok(self.d.tool("ffc-watch", "--state", state, "--json", "--count", "1"))
        (a,) = [x for x in json_lines(r.stdout) if x["type"] == "alert"]
        self.assertEqual((a["seq"], a["rule"], a["level"]), (total + 3, "immediate-risk", "RED"))

    def test_ffcctl_shutdown(self):
        self.ok(self.d.tool("ffcctl", "shutdown"))
        self.assertEqual(self.d.proc.wait(timeout=30), 0, self.d.stderr())
        self.d.start()  # for tearDown's clean stop


class NoDaemon(DaemonTest):
    def test_clear_failure_when_absent(self):
        self.d.assert_stops_cleanly(self)
        t0 = time.time()
        r = self.d.tool("ffcctl", "status")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(self.d.control_ep, r.stderr)
        self.assertLess(time.time() - t0, 10)
        r = self.d.tool("ffcctl", "--control", "tcp://127.0.0.1:1", "--timeout", "300",
                        "status", endpoints=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("tcp://127.0.0.1:1", r.stderr)
        r = self.d.tool("ffc-send", "--give-up", "1", "--timeout", "200", tour_file(self))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no receipt", r.stdout + r.stderr)
        self.d.start()  # for tearDown's clean stop

    def test_daemon_killed_leaves_a_socket_file(self):
        self.d.kill()
        t0 = time.time()
        r = self.d.tool("ffcctl", "--timeout", "1000", "status")
        self.assertNotEqual(r.returncode, 0)
        self.assertNotEqual(r.stderr.strip(), "")
        self.assertLess(time.time() - t0, 10)
        self.d.start()


class Check(unittest.TestCase):
    """ffcd -n: check a configuration file and exit."""

    def ffcd(self, *args):
        return subprocess.run([os.path.join(BIN, "ffcd")] + list(args), capture_output=True,
                              text=True, timeout=60)

    def test_shipped_config(self):
        r = self.ffcd("-n", "-c", CONF)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("error", r.stderr.lower())

    def test_bad_config_reports_every_error(self):
        path = os.path.join(scratch_dir(self), "bad.conf")
        with open(path, "w") as f:
            f.write('ingest: { max_message_kb = 0; };\n'
                    'rules = ( { name = "x"; kind = "count"; window_days = 10; },\n'
                    '          { name = "y"; kind = "wrong"; } );\n'
                    'typo = 1;\n')
        r = self.ffcd("-n", "-c", path)
        self.assertNotEqual(r.returncode, 0)
        lines = r.stderr.strip().splitlines()
        for n, word in ((1, "max_message_kb"), (3, "wrong"), (4, "typo")):
            self.assertTrue(any(l.startswith("%s:%d:" % (path, n)) and word in l for l in lines),
                            "no %s:%d: error naming %s in:\n%s" % (path, n, word, r.stderr))
        self.assertTrue(any(l.startswith("%s:2:" % path) for l in lines), r.stderr)

    def test_syntax_error(self):
        path = os.path.join(scratch_dir(self), "syntax.conf")
        with open(path, "w") as f:
            f.write('daemon: {\n  log_level = "info"\n  data_dir = ;\n};\n')
        r = self.ffcd("-n", "-c", path)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, re.escape(path) + r":\d+: ")

    def test_flags_are_checked_too(self):
        self.assertNotEqual(self.ffcd("--bogus").returncode, 0)
        r = self.ffcd("-n", "-c", CONF, "--ingest", "http://x")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ingest", r.stderr)
        self.assertNotEqual(self.ffcd("-n", "-c", "/nonexistent.conf").returncode, 0)
        self.assertIn("usage", self.ffcd("-h").stdout.lower())
        self.assertIn("ffcd", self.ffcd("--version").stdout)


class ConfigFile(unittest.TestCase):
    """Settings in the file apply; flags override them."""

    def test_file_settings_and_flag_overrides(self):
        control = "tcp://127.0.0.1:%d" % free_port()
        path = os.path.join(scratch_dir(self), "ffcd.conf")
        with open(path, "w") as f:
            f.write('daemon: { data_dir = "%s"; log_level = "debug"; };\n'
                    'ingest: { endpoint = "tcp://127.0.0.1:%d"; max_message_kb = 1; };\n'
                    'control: { endpoint = "%s"; };\n'
                    'rules = ( { name = "any-missing"; kind = "any"; '
                    'categories = ["missing"]; level = "amber"; } );\n'
                    % (os.path.join(scratch_dir(self), "unused"), free_port(), control))
        d = Daemon(conf=path)
        self.addCleanup(d.close)
        d.control_ep = control
        d.start()
        st = d.status()
        self.assertEqual(st.ingest_endpoint, d.ingest_ep)    # --ingest beats the file
        self.assertEqual(st.store_path, d.dir)                # --data beats the file
        self.assertEqual(st.control_endpoint, control)        # from the file
        self.assertEqual(d.send_one(concern("small", summary="s" * 100)).status,
                         pb.Receipt.ACCEPTED)
        self.assertEqual(d.send_one(concern("big", summary="s" * 2000)).status,
                         pb.Receipt.REJECTED)                 # max_message_kb = 1
        # Only the file's rule: an immediate risk raises nothing, a MISSING
        # concern an AMBER any-missing alert.
        sub = d.subscribe()
        d.send_one(concern("ir", severity=pb.IMMEDIATE_RISK))
        d.send_one(concern("m", category=pb.MISSING, severity=pb.LOW))
        got = drain_alerts(sub)
        self.assertEqual([t for t, _ in got], ["alert.amber.any-missing"])
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
