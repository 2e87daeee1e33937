"""The tools behave as command-line tools people already know do, against
the real ffcd: every global flag anywhere on the line (`ffcctl child C1
--json`), `--` ending the options; ffc-send takes what protobuf's own JSON
printer writes (json_format.MessageToJson: camelCase, int64 as strings,
pretty-printed or one a line, enums as names or numbers), RFC 3339 times
with fractions and offsets, and says what it did as typed JSON lines;
ffc-watch --json gives one shape a line with a `type`; times shown to people
follow TZ while JSON and the store stay in UTC milliseconds; and the bash
completions offer what each tool takes."""

import json
import os
import re
import signal
import subprocess
import threading
import time

from google.protobuf import json_format

from ffctest import (BIN, DAY, SOURCE, DaemonTest, concern, main, nhs_number, pb, scratch_dir,
                     wait_for)

COMPLETIONS = os.path.join(SOURCE, "conf", "bash-completion")
# 2026-07-01T12:00:00Z: summer time in London and New York.
JULY = 1782907200000


def lines(text):
    return [json.loads(x) for x in text.splitlines() if x.strip()]


class Flags(DaemonTest):
    def run_ok(self, *args, **kw):
        r = self.d.tool(*args, **kw)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def test_ffcctl_globals_after_the_command(self):
        r = self.d.send_one(concern("g-1", children=[dict(nhs_number=nhs_number(1))]))
        child = r.child_ids[0]
        def record(*args):
            js = json.loads(self.run_ok("ffcctl", *args))
            js.pop("viewed_by")  # each read is recorded: the one difference
            return js
        before = record("--json", "child", child)
        self.assertEqual(record("child", child, "--json"), before)
        self.assertEqual(record("child", "--json", child), before)
        # Every global, after the command, in both spellings.
        env = {"FFC_CONTROL": "ipc:///nonexistent/control.sock", "FFC_PURPOSE": ""}
        after = self.d.tool("ffcctl", "child", child, "--purpose", "review", "--json",
                            "--control=" + self.d.control_ep, "--timeout", "9000",
                            "--operator", "someone", endpoints=False, env=env)
        self.assertEqual(after.returncode, 0, after.stderr)
        self.assertEqual(json.loads(after.stdout)["child_id"], child)
        for args in (["status", "--json"], ["stats", "--json"], ["alerts", "--json", "--limit", "5"],
                     ["identities", child, "--json"], ["conflicts", "--json"],
                     ["matches", "--json"], ["audit", "--json", "--limit", "1"],
                     ["notices", "--json"], ["feedback", "--json"],
                     ["accesses", child, "--json"],
                     ["report", "--from", "2026-01-01", "--to", "2026-01-02", "--json"]):
            out = self.d.tool("ffcctl", *args, "--control", self.d.control_ep, "--purpose",
                              "review", endpoints=False, env=env)
            self.assertEqual(out.returncode, 0, (args, out.stderr))
            json.loads(out.stdout.splitlines()[0] if out.stdout.strip() else "{}")
        conf = os.path.join(SOURCE, "conf", "ffcd.conf")
        out = self.run_ok("ffcctl", "rules", "test", conf, "--json")
        self.assertEqual(json.loads(out)["errors"], [])
        # A global's value is still checked after the command.
        r = self.d.tool("ffcctl", "status", "--timeout", "0")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--timeout: '0' is not a whole number", r.stderr)
        # --help and --version anywhere.
        r = self.d.tool("ffcctl", "alerts", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("Options (before or after the command):", r.stdout)
        self.assertTrue(self.run_ok("ffcctl", "stats", "--version").startswith("ffcctl "))
        # `--` ends the options: what follows is an argument.
        r = self.d.tool("ffcctl", "child", child, "--", "--json")
        self.assertEqual(r.returncode, 2)
        self.assertIn("child: unexpected argument '--json'", r.stderr)
        # An option the command does not take is still refused.
        r = self.d.tool("ffcctl", "status", "--dry-run")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unrecognized option '--dry-run'", r.stderr)
        # A value that looks like a global flag is the command's own.
        r = self.d.send_one(concern("g-2", category=pb.PHYSICAL_ABUSE,
                                    severity=pb.IMMEDIATE_RISK,
                                    children=[dict(nhs_number=nhs_number(2))]))
        alert = json.loads(self.run_ok("ffcctl", "--json", "alerts").splitlines()[-1])
        self.run_ok("ffcctl", "ack", alert["alert_id"], "--by", "--json", "--note", "--purpose")
        acked = json.loads(self.run_ok("ffcctl", "--json", "alerts").splitlines()[-1])
        self.assertEqual(acked["acknowledged_by"], "--json")

    def test_ffc_send_and_watch_flags_anywhere(self):
        path = os.path.join(scratch_dir(self), "one.jsonl")
        with open(path, "w") as f:
            f.write(json_format.MessageToJson(concern("w-1", severity=pb.IMMEDIATE_RISK, children=[
                dict(nhs_number=nhs_number(5))]), indent=None) + "\n")
        out = self.d.tool("ffc-send", path, "--quiet", "--ingest", self.d.ingest_ep,
                          endpoints=False)
        self.assertEqual((out.returncode, out.stdout), (0, ""), out.stderr)
        w = self.d.tool("ffc-watch", "--since", "0", "--count", "1", "--json", timeout=30)
        self.assertEqual(w.returncode, 0, w.stderr)
        self.assertIn('"concern_id":"w-1"', w.stdout)


class StandardJson(DaemonTest):
    """What json_format writes, fed to ffc-send, stored as the message."""

    def concerns(self):
        now = int(time.time() * 1000)
        out = []
        for i in range(12):
            c = concern("std-%d" % i, agency=[pb.POLICE, pb.HEALTH, pb.EDUCATION][i % 3],
                        category=[pb.NEGLECT, pb.DOMESTIC_ABUSE, pb.MISSING][i % 3],
                        severity=pb.MODERATE, at=now - (i + 1) * DAY - 123,
                        children=[dict(nhs_number=nhs_number(100 + i % 4),
                                       given_name="Zoë", family_name="O'Brien-Smith",
                                       date_of_birth="2016-02-29", postcode="LS1 4AP")],
                        source_system="Niche \"RMS\"", summary="line one\nline \\two",
                        reporter="PC 123")
            c.reported_at_ms = c.occurred_at_ms + 60000
            out.append(c)
        return out

    def stored(self, c):
        """(ChronologyEntry, child id) of concern c as the daemon keeps it."""
        r = self.d.child(nhs_number=c.children[0].nhs_number)
        self.assertEqual(r.error, "")
        for e in r.child.chronology:
            if e.concern_id == c.concern_id:
                return e
        self.fail("%s not stored" % c.concern_id)

    def test_json_format_output_is_read_as_it_is(self):
        cs = self.concerns()
        path = os.path.join(scratch_dir(self), "concerns.json")
        with open(path, "w") as f:
            for i, c in enumerate(cs):
                # Each way json_format writes: pretty (the default), one a
                # line, proto field names, enums as numbers.
                kind = i % 4
                if kind == 0:
                    f.write(json_format.MessageToJson(c) + "\n")
                elif kind == 1:
                    f.write(json_format.MessageToJson(c, indent=None) + "\n")
                elif kind == 2:
                    f.write(json_format.MessageToJson(c, preserving_proto_field_name=True,
                                                      indent=4) + "\n")
                else:
                    f.write(json_format.MessageToJson(c, use_integers_for_enums=True,
                                                      indent=None) + "\n")
        with open(path) as f:
            text = f.read()
        self.assertIn('"occurredAtMs": "', text)  # int64 as strings: the mapping's way
        r = self.d.tool("ffc-send", "--json", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = lines(r.stdout)
        self.assertEqual({x["type"] for x in out}, {"receipt", "summary"})
        receipts = [x for x in out if x["type"] == "receipt"]
        self.assertEqual(sorted(x["concern_id"] for x in receipts),
                         sorted(c.concern_id for c in cs))
        self.assertEqual({x["status"] for x in receipts}, {"ACCEPTED"})
        # Each receipt names the line its concern began on.
        starts = [n + 1 for n, line in enumerate(text.splitlines()) if line.startswith("{")]
        self.assertEqual(sorted(x["line"] for x in receipts), starts)
        self.assertEqual(out[-1], dict(out[-1], type="summary", sent=12, accepted=12,
                                       rejected=0, unanswered=0))
        for c in cs:
            e = self.stored(c)
            self.assertEqual((e.agency, e.category, e.severity, e.occurred_at_ms,
                              e.reported_at_ms, e.source_system, e.summary, e.reporter),
                             (c.agency, c.category, c.severity, c.occurred_at_ms,
                              c.reported_at_ms, c.source_system, c.summary, c.reporter))
        # Sent again, the same content: every one a duplicate.
        again = lines(self.d.tool("ffc-send", "--json", path).stdout)
        self.assertEqual({x["status"] for x in again if x["type"] == "receipt"}, {"DUPLICATE"})

    def test_rfc3339_times_and_numbers(self):
        base = dict(agency="HEALTH", category="NEGLECT", severity="LOW",
                    children=[{"nhsNumber": nhs_number(200)}])
        rows = [
            dict(base, concernId="t-1", occurredAt="2026-01-01T10:00:00.250+01:00",
                 reportedAt="2026-01-01T09:30:00Z"),
            dict(base, concernId="t-2", occurredAt="2025-12-31T19:00:00.5-05:00"),
            dict(base, concernId="t-3", occurredAtMs=1767225600000, reportedAtMs="1767225600001"),
            dict(base, concernId="t-4", occurred_at="2026-01-01"),
            dict(base, concernId="t-5", occurredAt="2026-01-01T10:00:00+25:00"),
            dict(base, concernId="t-6", occurredAtMs="1.5e12"),
            dict(base, concernId="t-7", occurredAt="2026-01-01", occurredAtMs="1"),
            dict(base, concern_id="t-8", concernId="t-8", occurredAt="2026-01-01"),
        ]
        path = os.path.join(scratch_dir(self), "times.jsonl")
        with open(path, "w") as f:
            f.write("\n".join(json.dumps(r) for r in rows) + "\n")
        r = self.d.tool("ffc-send", "--json", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        out = lines(r.stdout)
        by_line = {x["line"]: x for x in out if "line" in x}
        self.assertEqual([by_line[n]["status"] for n in (1, 2, 3, 4)], ["ACCEPTED"] * 4)
        self.assertEqual(by_line[5]["type"], "invalid")
        self.assertIn("occurredAt: expected a date like", by_line[5]["error"])
        self.assertEqual(by_line[6], {"type": "invalid", "line": 6,
                                      "error": "occurredAtMs: '1.5e12' is not a whole number"})
        self.assertIn("give one of occurredAt and occurredAtMs", by_line[7]["error"])
        self.assertIn("given twice", by_line[8]["error"])
        self.assertEqual(out[-1]["rejected"], 4)
        chron = {e.concern_id: e for e in
                 self.d.child(nhs_number=nhs_number(200)).child.chronology}
        self.assertEqual(chron["t-1"].occurred_at_ms, 1767258000250)  # 09:00:00.250Z
        self.assertEqual(chron["t-1"].reported_at_ms, 1767259800000)
        self.assertEqual(chron["t-2"].occurred_at_ms, 1767225600500)
        self.assertEqual(chron["t-3"].reported_at_ms, 1767225600001)
        self.assertEqual(chron["t-4"].occurred_at_ms, 1767225600000)


class WatchJson(DaemonTest):
    def test_one_shape_a_line(self):
        argv = [os.path.join(BIN, "ffc-watch"), "--alerts", self.d.alerts_ep, "--control",
                self.d.control_ep, "--since", "0", "--json"]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, XDG_STATE_HOME=self.d.dir))
        got = []
        reader = threading.Thread(target=lambda: [got.append(x) for x in proc.stdout],
                                  daemon=True)
        reader.start()
        try:
            time.sleep(1.0)
            sent = self.d.tool("ffc-send", os.path.join(SOURCE, "conf", "samples",
                                                        "tour.jsonl"))
            self.assertEqual(sent.returncode, 0, sent.stderr)
            alerts = self.d.all_alerts()
            red = [a for a in alerts if a.level == pb.RED][0]
            ack = self.d.tool("ffcctl", "ack", red.alert_id, "--by", "Sam Jones")
            self.assertEqual(ack.returncode, 0, ack.stderr)
            # New evidence on the acknowledged alert's child and rule.
            self.d.send_one(concern("ev-1", agency=pb.HEALTH, category=pb.PHYSICAL_ABUSE,
                                    severity=pb.IMMEDIATE_RISK,
                                    children=[dict(nhs_number="4857773457")]))

            def types():
                return {json.loads(x)["type"] for x in list(got)}
            self.assertTrue(wait_for(lambda: {"alert", "change", "heartbeat"} <= types(), 20),
                            types())
            self.d.stop()
            self.assertTrue(wait_for(lambda: "silent" in types(), 20), types())
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            reader.join(timeout=10)
            proc.stdout.close()
            proc.stderr.close()
        rows = [json.loads(x) for x in got]
        for row in rows:
            self.assertIn(row["type"], ("alert", "change", "evidence", "reopen", "overdue",
                                        "heartbeat", "caught_up", "disconnected", "silent",
                                        "restarted"), row)
        seqs = [r["seq"] for r in rows if r["type"] == "alert"]
        self.assertEqual(seqs, [a.seq for a in alerts] + seqs[len(alerts):])
        change = [r for r in rows if r["type"] == "change"][0]
        self.assertEqual((change["alert_id"], change["event"]["by"]), (red.alert_id, "Sam Jones"))
        beat = [r for r in rows if r["type"] == "heartbeat"][0]
        self.assertGreater(beat["started_at_ms"], 0)
        self.assertIn("interval_ms", beat)
        silent = [r for r in rows if r["type"] == "silent"][0]
        self.assertEqual(silent["seconds"], 3)
        self.d.start()  # for tearDown's clean stop


class Time(DaemonTest):
    def test_times_follow_tz(self):
        r = self.d.send_one(concern("tz-1", at=JULY, children=[dict(nhs_number=nhs_number(9))]))
        child = r.child_ids[0]
        shown = {}
        for tz in ("UTC", "Europe/London", "America/New_York"):
            out = self.d.tool("ffcctl", "child", child, env={"TZ": tz})
            self.assertEqual(out.returncode, 0, out.stderr)
            shown[tz] = out.stdout
        self.assertIn("2026-07-01 12:00 UTC  CONCERN   POLICE", shown["UTC"])
        self.assertIn("2026-07-01 13:00 BST  CONCERN   POLICE", shown["Europe/London"])
        self.assertIn("2026-07-01 08:00 EDT  CONCERN   POLICE", shown["America/New_York"])
        # JSON and the store do not move.
        for tz in ("UTC", "America/New_York"):
            js = json.loads(self.d.tool("ffcctl", "--json", "child", child,
                                        env={"TZ": tz}).stdout)
            self.assertEqual(js["chronology"][0]["occurred_at_ms"], JULY)
        st = self.d.tool("ffcctl", "status", env={"TZ": "Asia/Kolkata"}).stdout
        self.assertRegex(st, r"since \d{4}-\d\d-\d\d \d\d:\d\d IST\)")


def complete(tool, *words):
    """What the bash completion offers for `tool words...` (the last word
    is the one being completed)."""
    script = ('source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _%s; printf "%%s\\n" "${COMPREPLY[@]}"'
              % (os.path.join(COMPLETIONS, tool),
                 " ".join("'%s'" % w for w in (tool,) + words), len(words),
                 tool.replace("-", "_")))
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"]))
    assert r.returncode == 0, r.stderr
    return [x for x in r.stdout.splitlines() if x]


class Completion(DaemonTest):
    def flags_in_help(self, tool):
        out = subprocess.run([os.path.join(BIN, tool), "--help"], capture_output=True,
                             text=True, timeout=30).stdout
        # Another tool's options named in the text are not this one's.
        out = re.sub(r"ffcctl [a-z]+ --[a-z-]+", "", out)
        return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", out))

    def test_ffcctl(self):
        self.assertEqual(complete("ffcctl", "st"), ["status", "stats"])
        self.assertEqual(complete("ffcctl", "--json", "ch"), ["child"])
        self.assertEqual(complete("ffcctl", "--control", "x", "al"), ["alerts"])
        self.assertIn("--json", complete("ffcctl", "child", "C00000001", "--j"))
        self.assertEqual(complete("ffcctl", "alerts", "--level", ""), ["amber", "red"])
        self.assertEqual(complete("ffcctl", "alerts", "--st"), ["--state"])
        self.assertEqual(complete("ffcctl", "rules", ""), ["test"])
        self.assertEqual(complete("ffcctl", "matches", "d"), ["dismiss"])
        self.assertIn("no\\ further\\ action", complete("ffcctl", "close", "A1", "--outcome",
                                                        "no"))
        # Every option the help names is offered somewhere.
        offered = set()
        for cmd in ("child", "conflicts", "matches", "link", "alerts", "ack", "close",
                    "assign", "purge", "audit", "keygen", "status", "family", "lookup",
                    "accesses", "notices", "feedback", "contact", "report"):
            offered |= set(complete("ffcctl", cmd, "--"))
        offered |= set(complete("ffcctl", "matches", "dismiss", "--"))
        self.assertEqual(self.flags_in_help("ffcctl") - offered, set())

    def test_the_others(self):
        for tool in ("ffc-send", "ffc-watch", "ffc-metrics", "ffcd"):
            offered = set(complete(tool, "--"))
            self.assertEqual(self.flags_in_help(tool) - offered, set(), tool)
            self.assertTrue(offered, tool)
        self.assertEqual(complete("ffc-send", "--severity", "i"), ["immediate-risk"])
        cats = complete("ffc-send", "--category", "")
        self.assertEqual(len(cats), len(pb.Category.keys()) - 1)
        for name in pb.Category.keys()[1:]:
            self.assertIn(name.lower().replace("_", "-"), cats)
        self.assertEqual(sorted(complete("ffc-send", "--agency", "")),
                         sorted(n.lower().replace("_", "-") for n in pb.Agency.keys()[1:]))
        self.assertEqual(complete("ffc-watch", "--level", "r"), ["red"])


if __name__ == "__main__":
    main()
