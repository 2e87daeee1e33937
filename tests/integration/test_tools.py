"""The tools against the real daemon: ffcctl's tables and JSON, ffc-send's
summary and exit codes (including a daemon restart mid-file), ffc-watch's
catch-up, and clear failures when no daemon is there."""

import json
import os
import signal
import subprocess
import threading
import time

from ffctest import (BIN, SOURCE, DaemonTest, Daemon, concern, main, nhs_number, pb)

TOUR = os.path.join(SOURCE, "conf", "samples", "tour.jsonl")
BAD = os.path.join(SOURCE, "conf", "samples", "bad.jsonl")


def jsonl(n, prefix="j"):
    lines = []
    for i in range(n):
        lines.append(json.dumps({
            "concern_id": "%s-%d" % (prefix, i), "agency": "health",
            "category": "was-not-brought", "severity": "low",
            "occurred_at": "2026-03-%02dT10:00:00Z" % (1 + i % 28),
            "children": [{"nhs_number": nhs_number(i % 50)}]}))
    return "\n".join(lines) + "\n"


class Tools(DaemonTest):
    def test_tour_and_ffcctl(self):
        r = self.d.tool("ffc-send", TOUR)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("15 accepted", r.stdout)
        r = self.d.tool("ffc-send", TOUR)
        self.assertIn("15 duplicate", r.stdout)

        st = self.d.tool("ffcctl", "status")
        self.assertEqual(st.returncode, 0, st.stderr)
        self.assertIn("concerns   15", st.stdout)
        self.assertIn(self.d.ingest_ep, st.stdout)
        js = json.loads(self.d.tool("ffcctl", "--json", "status").stdout)
        self.assertEqual(js["concerns"], 15)
        self.assertEqual(js["ingest_endpoint"], self.d.ingest_ep)

        stats = json.loads(self.d.tool("ffcctl", "--json", "stats").stdout)
        agencies = {c["name"]: c["count"] for c in stats["concerns_by_agency"]}
        self.assertEqual(agencies, {"POLICE": 6, "HEALTH": 7, "EDUCATION": 2})
        rules = {c["name"] for c in stats["alerts_by_rule"]}
        self.assertEqual(rules, {"immediate-risk", "multi-agency", "toxic-trio",
                                 "cumulative-harm", "repeat-missing"})
        self.assertIn("rejects by reason", self.d.tool("ffcctl", "stats").stdout)

        alerts = self.d.tool("ffcctl", "alerts")
        self.assertEqual(alerts.returncode, 0)
        self.assertIn("multi-agency", alerts.stdout)
        red = [json.loads(l) for l in
               self.d.tool("ffcctl", "--json", "alerts", "--level", "red").stdout.splitlines()]
        self.assertTrue(red and all(a["level"] == "RED" for a in red))
        since = self.d.tool("ffcctl", "--json", "alerts", "--since", "3").stdout.splitlines()
        self.assertEqual(json.loads(since[0])["seq"], 4)

        child = self.d.tool("ffcctl", "child", "--nhs", "485 777 3457")
        self.assertEqual(child.returncode, 0, child.stderr)
        lines = child.stdout.splitlines()
        chron = [l for l in lines if "2026-" in l and ("POLICE" in l or "HEALTH" in l
                                                      or "EDUCATION" in l)]
        dates = [l.split()[0] for l in chron]
        self.assertEqual(dates, sorted(dates))  # oldest first
        self.assertIn("DOMESTIC_ABUSE", child.stdout)
        self.assertIn("Smith", child.stdout)
        cj = json.loads(self.d.tool("ffcctl", "--json", "child", "C00000001").stdout)
        self.assertEqual(cj["child_id"], "C00000001")
        self.assertTrue(all(k in cj["chronology"][0] for k in
                            ("agency", "category", "severity", "summary", "occurred_at_ms")))
        missing = self.d.tool("ffcctl", "child", "C09999999")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no such child", missing.stderr)
        self.assertEqual(self.d.tool("ffcctl", "child").returncode, 2)
        self.assertEqual(self.d.tool("ffcctl", "frobnicate").returncode, 2)

    def test_send_rejections_exit_1(self):
        r = self.d.tool("ffc-send", BAD)
        self.assertEqual(r.returncode, 1)
        self.assertIn("6 rejected", r.stdout)
        self.assertIn("children[0].nhs_number: check digit mismatch", r.stderr)
        self.assertIn("category", r.stderr)
        self.assertEqual(self.d.status().concerns, 0)

    def test_send_from_flags_and_stdin(self):
        r = self.d.tool("ffc-send", "--agency", "police", "--category", "domestic-abuse",
                        "--severity", "high", "--nhs", "943 476 5919", "--name", "Ella Smith",
                        "--dob", "2015-03-02", "--summary", "call-out", "--id", "flag-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 accepted", r.stdout)
        c = self.d.child(nhs_number="9434765919").child
        self.assertEqual(c.chronology[0].concern_id, "flag-1")
        self.assertEqual(self.d.tool("ffc-send", "--agency", "nobody").returncode, 2)
        r = self.d.tool("ffc-send", "-", input=jsonl(300))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("300 accepted", r.stdout)

    def test_send_survives_daemon_restart(self):
        path = os.path.join(self.d.dir, "many.jsonl")
        with open(path, "w") as f:
            f.write(jsonl(3000, "r"))
        def bounce():
            time.sleep(0.3)
            self.d.stop(signal.SIGKILL)
            time.sleep(0.5)
            self.d.start()
        t = threading.Thread(target=bounce)
        t.start()
        r = self.d.tool("ffc-send", "--timeout", "1000", "--window", "64", path, timeout=180)
        t.join()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.d.status().concerns, 3000)

    def test_watch_catches_up(self):
        self.d.tool("ffc-send", TOUR)
        total = self.d.alerts(since=0).last_seq
        r = self.d.tool("ffc-watch", "--since", "0", "--json", "--count", str(total),
                        timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        seqs = [json.loads(l)["seq"] for l in r.stdout.splitlines()]
        self.assertEqual(seqs, list(range(1, total + 1)))
        # The state file remembers; a new alert is all the next run prints.
        state = os.path.join(self.d.dir, "watch.seq")
        r = self.d.tool("ffc-watch", "--state", state, "--since", "0", "--count", str(total))
        self.assertEqual(open(state).read().strip(), str(total))
        self.d.send_one(concern("ir", category=pb.PHYSICAL_ABUSE, severity=pb.IMMEDIATE_RISK,
                                children=[dict(nhs_number=nhs_number(77))]))
        r = self.d.tool("ffc-watch", "--state", state, "--count", "1")
        self.assertIn("[RED]", r.stdout)
        self.assertIn("immediate-risk", r.stdout)
        self.assertIn("seq %d" % (total + 1), r.stdout)


class NoDaemon(DaemonTest):
    def test_clear_failure_when_absent(self):
        self.d.stop()
        t0 = time.time()
        r = self.d.tool("ffcctl", "status")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no ffcd", r.stderr)
        self.assertLess(time.time() - t0, 10)
        r = self.d.tool("ffcctl", "--control", "tcp://127.0.0.1:1", "--timeout", "300",
                        "status")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no answer", r.stderr)
        r = self.d.tool("ffc-send", "--give-up", "1", "--timeout", "200", TOUR)
        self.assertEqual(r.returncode, 1)
        self.assertIn("no receipt", r.stderr)
        self.d.start()  # for tearDown's clean stop


if __name__ == "__main__":
    main()
