"""Rules as configuration, through the real ffcd and ffcctl: a rule of kind
all-of enabled in a file; SIGHUP and `ffcctl reload` with a good file (the
new rule judges later concerns only, no alert about old history), a bad
file (rules in force untouched, every error as file:line: message), a file
with settings that need a restart, no file at all; a reload under
continuous load from pipelining senders (every concern receipted and
stored); `ffcctl rules test` with an identical file (no differences), a
changed one (the expected gains and losses) and a bad one, nothing raised
or stored, and its report checked against a daemon running the candidate
rules on the same random history."""

import json
import os
import random
import signal
import subprocess
import threading
import unittest

import zmq

from ffctest import (BIN, CONF, DAY, PURPOSE, Daemon, T0, collect_receipts, concern, drain_alerts,
                     main, nhs_number, no_more_alerts, pb, receive_alerts, scratch_dir,
                     start_daemon, wait_for)

EXAMPLE = """
rules = (
  {
    name = "immediate-risk";
    kind = "any";
    min_severity = "immediate-risk";
    red = 1;
  },
  {
    name = "not-brought-and-absent";
    kind = "all-of";
    window_days = 60;
    parts = (
      { agencies = ["health"]; categories = ["was-not-brought"]; count = 2; },
      { categories = ["education-absence"]; }
    );
    level = "amber";
  }
);
"""

REASON = ("Was not brought to health appointments (2 concerns from health) and absence "
          "from school (1 concern) within 60 days")


def kid(n):
    return [dict(nhs_number=nhs_number(n))]


def read(path):
    with open(path) as f:
        return f.read()


def shipped():
    return read(CONF)


def with_example(text):
    """The shipped file with the example rule added to its list."""
    head, tail = text.rsplit(")", 1)
    rule = EXAMPLE.split("rules = (", 1)[1].rsplit(")", 1)[0]
    rule = rule.split("},", 1)[1]  # the all-of rule alone
    return head.rstrip() + ",\n" + rule + ")" + tail


def not_brought_history(prefix, child, start=T0):
    """Two WAS_NOT_BROUGHT from health and an EDUCATION_ABSENCE within 60
    days. No default rule is met: health and education are more than 30
    days apart, and three LOW concerns weigh 3 of cumulative-harm's 8."""
    return [
        concern(prefix + "-wnb1", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                severity=pb.LOW, at=start, children=kid(child)),
        concern(prefix + "-wnb2", agency=pb.HEALTH, category=pb.WAS_NOT_BROUGHT,
                severity=pb.LOW, at=start + 20 * DAY, children=kid(child)),
        concern(prefix + "-abs", agency=pb.EDUCATION, category=pb.EDUCATION_ABSENCE,
                severity=pb.LOW, at=start + 55 * DAY, children=kid(child)),
    ]


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.dir = scratch_dir(self)
        self.conf = os.path.join(self.dir, "ffcd.conf")
        self.write(shipped())
        self.d = start_daemon(self, conf=self.conf)

    def tearDown(self):
        if self.d.running():
            self.d.assert_stops_cleanly(self)
        self.d.assert_clean(self)

    def write(self, text, path=None):
        path = path or self.conf
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        return path

    def send_all(self, concerns):
        for r in self.d.send(concerns):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)

    def sighup(self):
        before = self.d.stderr().count("reload (SIGHUP)")
        os.kill(self.d.pid, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.d.stderr().count("reload (SIGHUP)") > before),
                        self.d.stderr())

    def ctl(self, *args, cwd=None):
        return self.d.tool("ffcctl", *args) if cwd is None else self.tool_in(cwd, *args)

    def tool_in(self, cwd, *args):
        return subprocess.run([os.path.join(BIN, "ffcctl"), "--control", self.d.control_ep,
                               "--purpose", PURPOSE] + list(args), capture_output=True, text=True, timeout=120,
                              cwd=cwd)

    def rule_alerts(self, rule):
        return [a for a in self.d.all_alerts() if a.rule == rule]

    # ---- reload ----

    def test_sighup_new_rule_judges_later_concerns_only(self):
        # History that the new rule would meet, sent before it exists.
        self.send_all(not_brought_history("old", 1))
        stored = len(self.d.all_alerts())
        self.assertEqual(self.d.status().rules, 6)
        loaded = self.d.status().rules_loaded_at_ms
        self.assertEqual(self.d.status().config_path, os.path.realpath(self.conf))

        sub = self.d.subscribe()
        self.write(with_example(shipped()))
        self.sighup()
        self.assertIn("7 rules in force (1 added, 0 changed, 0 removed)", self.d.stderr())
        st = self.d.status()
        self.assertEqual(st.rules, 7)
        self.assertGreaterEqual(st.rules_loaded_at_ms, loaded)
        # Nothing raised about the old history, then or with new activity
        # that the rule does not count.
        self.send_all([concern("old-police", agency=pb.POLICE, category=pb.DOMESTIC_ABUSE,
                               severity=pb.LOW, at=T0 + 90 * DAY, children=kid(1))])
        self.assertEqual([t for t, _ in drain_alerts(sub)], [])
        self.assertEqual(len(self.d.all_alerts()), stored)

        # The same pattern for another child, after the swap: raised once.
        self.send_all(not_brought_history("new", 2))
        got = [(t, a) for t, a in drain_alerts(sub) if a.rule == "not-brought-and-absent"]
        self.assertEqual(len(got), 1, got)
        topic, a = got[0]
        self.assertEqual(topic, "alert.amber.not-brought-and-absent")
        self.assertEqual(a.level, pb.AMBER)
        self.assertEqual(a.reason, REASON)
        self.assertEqual(sorted(e.concern_id for e in a.evidence),
                         ["new-abs", "new-wnb1", "new-wnb2"])
        self.assertEqual(len(self.rule_alerts("not-brought-and-absent")), 1)

    def test_reload_puts_local_words_in_force(self):
        # A labels group worded locally: the next reason reads in it, the
        # categories it does not name keep their built-in words.
        sub = self.d.subscribe()
        shipped_words = 'was-not-brought = "was not brought to health appointments";'
        self.assertIn(shipped_words, shipped())
        self.write(with_example(shipped()).replace(
            shipped_words, 'was-not-brought = "missed health appointments";'))
        self.sighup()
        self.assertEqual(self.d.status().rules, 7)
        self.send_all(not_brought_history("local", 3))
        got = [a for _, a in drain_alerts(sub) if a.rule == "not-brought-and-absent"]
        self.assertEqual(len(got), 1, got)
        self.assertEqual(got[0].reason,
                         "Missed health appointments (2 concerns from health) and absence "
                         "from school (1 concern) within 60 days")

    def test_ffcctl_reload_reports_changes(self):
        self.write(with_example(shipped()).replace("amber = 3;", "amber = 2;"))
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("reloaded %s: 7 rules in force" % os.path.realpath(self.conf), r.stdout)
        self.assertIn("added     not-brought-and-absent", r.stdout)
        self.assertIn("changed   repeat-missing", r.stdout)
        self.assertIn("removed   (none)", r.stdout)
        # As JSON, and the same file again changes nothing.
        r = self.d.tool("ffcctl", "--json", "reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["loaded"])
        self.assertEqual((out["added"], out["changed"], out["removed"]), ([], [], []))
        self.assertEqual(out["rules"], 7)
        # The lowered threshold is in force: two missing episodes raise.
        sub = self.d.subscribe()
        self.send_all([concern("m%d" % i, agency=pb.POLICE, category=pb.MISSING,
                               severity=pb.LOW, at=T0 + i * DAY, children=kid(3))
                       for i in range(2)])
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.repeat-missing")

    def test_bad_file_leaves_rules_untouched(self):
        self.write(shipped().replace("red = 1;", "red = 2;").replace("window_days = 30;",
                                                                     "window_days = 0;"))
        lines = read(self.conf).split("\n")
        window_line = next(i for i, t in enumerate(lines) if "window_days = 0;" in t) + 1
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("reload failed; the 6 rules in force are unchanged", r.stderr)
        path = os.path.realpath(self.conf)
        self.assertIn("%s:%d: rules[1].window_days: 0 is out of range" % (path, window_line),
                      r.stderr)
        # The whole-rule check of immediate-risk, at the line its group opens.
        self.assertRegex(r.stderr, r"%s:\d+: rules\[0\] \(immediate-risk\): kind any is met by "
                         r"one concern: its threshold must be 1, not 2" % path)
        out = json.loads(self.d.tool("ffcctl", "--json", "reload").stdout)
        self.assertFalse(out["loaded"])
        self.assertEqual(len(out["errors"]), 2)
        # SIGHUP says the same in the log, and the rules still run.
        self.sighup()
        self.assertIn("has 2 errors; the 6 rules in force are unchanged", self.d.stderr())
        self.assertIn("rules[1].window_days: 0 is out of range", self.d.stderr())
        self.assertEqual(self.d.status().rules, 6)
        sub = self.d.subscribe()
        self.send_all([concern("ir", severity=pb.IMMEDIATE_RISK, children=kid(4))])
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.red.immediate-risk")

        # A file the parser cannot read, and a missing file.
        self.write("rules = ( { name = ; } );\n")
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:1: syntax error" % path, r.stderr)
        os.unlink(self.conf)
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s: cannot read: No such file or directory" % path, r.stderr)
        os.mkdir(self.conf)
        r = self.ctl("reload")
        self.assertIn("%s: cannot read: Is a directory" % path, r.stderr)
        self.assertEqual(self.d.status().rules, 6)

    def test_settings_that_need_a_restart(self):
        text = shipped().replace('endpoint = "tcp://127.0.0.1:7401";',
                                 'endpoint = "tcp://127.0.0.1:1";')
        text = text.replace("batch_max = 1024;", "batch_max = 8;")
        text = text.replace('data_dir = "/var/lib/ffc";', 'data_dir = "elsewhere";')
        self.write(text)
        r = self.ctl("reload")
        self.assertEqual(r.returncode, 0, r.stderr)
        for setting in ("daemon.data_dir", "ingest.endpoint", "ingest.batch_max"):
            self.assertIn("%s: needs a restart, ignored" % setting, r.stdout)
        self.assertIn("removed   (none)", r.stdout)
        # Still serving where it was.
        self.send_all([concern("still-here", children=kid(5))])
        self.assertIn("ingest.endpoint: needs a restart, ignored", self.d.stderr())
        # Who asked is logged, with nothing that could forge a log line.
        reply = self.d.control(pb.ControlRequest(operator="eve\nINFO: forged",
                                                 reload=pb.ReloadRequest()))
        self.assertTrue(reply.reload.loaded)
        self.assertEqual(reply.reload.rules, 6)
        self.assertIn("reload (ffcctl reload by eve?INFO: forged)", self.d.stderr())

    # ---- under load ----

    def test_reload_under_continuous_load_loses_nothing(self):
        senders, per_sender = 3, 3000
        other = self.write(with_example(shipped()), os.path.join(self.dir, "other.conf"))
        texts = [shipped(), read(other)]
        results = [None] * senders
        errors = []

        def send(k):
            try:
                s = self.d.ctx.socket(zmq.DEALER)
                s.setsockopt(zmq.LINGER, 0)
                s.connect(self.d.ingest_ep)
                for i in range(per_sender):
                    s.send(concern("load-%d-%d" % (k, i), agency=pb.HEALTH,
                                   category=pb.WAS_NOT_BROUGHT if i % 2 else pb.NEGLECT,
                                   severity=pb.LOW, at=T0 + (i % 90) * DAY,
                                   children=kid(100 + k * 7 + i % 7)).SerializeToString())
                results[k] = collect_receipts(s, per_sender, timeout=120)
                s.close()
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
        for t in threads:
            t.start()
        reloads = during = 0
        while any(t.is_alive() for t in threads) or reloads < 4:
            during += any(t.is_alive() for t in threads)
            self.write(texts[reloads % 2])
            if reloads % 2:
                self.sighup()
            else:
                r = self.ctl("reload")
                self.assertEqual(r.returncode, 0, r.stderr)
            reloads += 1
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        receipts = [r for rs in results for r in rs]
        self.assertEqual(len(receipts), senders * per_sender)
        self.assertTrue(all(r.status == pb.Receipt.ACCEPTED for r in receipts),
                        [r.error for r in receipts if r.status != pb.Receipt.ACCEPTED][:3])
        self.assertEqual(sorted(r.concern_id for r in receipts),
                         sorted("load-%d-%d" % (k, i) for k in range(senders)
                                for i in range(per_sender)))
        self.assertEqual(len({r.seq for r in receipts}), senders * per_sender)
        self.assertEqual(self.d.status().concerns, senders * per_sender)
        self.assertEqual(self.d.stats().concerns, senders * per_sender)
        # Reloads really happened while concerns were in flight.
        self.assertGreaterEqual(during, 2)

    # ---- what-if ----

    def history(self):
        """Children that meet different rules: 10 multi-agency AMBER, 11
        two missing episodes, 12 immediate risk, 13 the all-of pattern."""
        self.send_all([
            concern("h10a", agency=pb.POLICE, at=T0, children=kid(10)),
            concern("h10b", agency=pb.HEALTH, category=pb.NEGLECT, at=T0 + DAY,
                    children=kid(10)),
            concern("h11a", agency=pb.POLICE, category=pb.MISSING, severity=pb.LOW, at=T0,
                    children=kid(11)),
            concern("h11b", agency=pb.POLICE, category=pb.MISSING, severity=pb.LOW,
                    at=T0 + 5 * DAY, children=kid(11)),
            concern("h12", agency=pb.POLICE, category=pb.NEGLECT, severity=pb.IMMEDIATE_RISK,
                    at=T0, children=kid(12)),
        ] + not_brought_history("h13", 13))

    def test_rules_test_identical_file_shows_no_differences(self):
        self.history()
        alerts = len(self.d.all_alerts())
        candidate = self.write(shipped(), os.path.join(self.dir, "candidate.conf"))
        r = self.ctl("rules", "test", candidate)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no differences", r.stdout)
        self.assertIn("children that would gain an alert (0)", r.stdout)
        out = json.loads(self.d.tool("ffcctl", "--json", "rules", "test", candidate).stdout)
        self.assertEqual(out["gained"], [])
        self.assertEqual(out["lost"], [])
        self.assertEqual(out["children"], 4)
        self.assertEqual(out["concerns"], 8)
        for c in out["counts"]:
            self.assertEqual(c["in_force"], c["candidate"], c)
        counts = {(c["rule"], c["level"]): c["in_force"] for c in out["counts"]}
        self.assertEqual(counts[("multi-agency", "AMBER")], 1)  # child 10
        self.assertEqual(counts[("immediate-risk", "RED")], 1)
        self.assertEqual(counts[("repeat-missing", "AMBER")], 0)
        # Nothing raised or stored.
        self.assertEqual(len(self.d.all_alerts()), alerts)

    def test_rules_test_changed_file_gains_and_losses(self):
        self.history()
        alerts = len(self.d.all_alerts())
        sub = self.d.subscribe()
        # Drop immediate-risk, lower repeat-missing to 2, add the all-of rule.
        text = with_example(shipped()).replace("amber = 3;", "amber = 2;")
        start = text.index("  {\n    name = \"immediate-risk\";")
        end = text.index("},", start) + 2
        text = text[:start] + text[end:]
        # A relative path: ffcctl makes it absolute for the daemon.
        self.write(text, os.path.join(self.dir, "candidate.conf"))
        r = self.ctl("rules", "test", "candidate.conf", cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("rules test %s" % os.path.realpath(os.path.join(self.dir,
                                                                       "candidate.conf")),
                      r.stdout)
        out = json.loads(self.tool_in(self.dir, "--json", "rules", "test",
                                      "candidate.conf").stdout)
        kid11, kid12, kid13 = (self.d.child(nhs_number=nhs_number(n)).child.child_id
                               for n in (11, 12, 13))
        self.assertEqual(sorted((o["child_id"], o["rule"], o["level"]) for o in out["gained"]),
                         sorted([(kid11, "repeat-missing", "AMBER"),
                                 (kid13, "not-brought-and-absent", "AMBER")]))
        self.assertEqual([(o["child_id"], o["rule"], o["level"]) for o in out["lost"]],
                         [(kid12, "immediate-risk", "RED")])
        self.assertEqual((out["gained_total"], out["lost_total"]), (2, 1))
        rows = {(c["rule"], c["level"]): c for c in out["counts"]}
        self.assertFalse(rows[("immediate-risk", "RED")]["candidate_has"])
        self.assertFalse(rows[("not-brought-and-absent", "AMBER")]["in_force_has"])
        self.assertEqual(rows[("repeat-missing", "AMBER")]["candidate"], 1)
        self.assertIn("(removed)", r.stdout)
        self.assertIn("(new)", r.stdout)
        self.assertIn("%s  not-brought-and-absent" % kid13, r.stdout)
        # Nothing raised, published or stored; the rules in force unchanged.
        self.assertTrue(no_more_alerts(sub))
        self.assertEqual(len(self.d.all_alerts()), alerts)
        self.assertEqual(self.d.status().rules, 6)

    def test_rules_test_bad_file(self):
        bad = self.write("rules = ( { name = \"x\"; kind = \"any\"; red = 2; } );\n",
                         os.path.join(self.dir, "bad.conf"))
        r = self.ctl("rules", "test", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("%s:1: rules[0] (x): kind any is met by one concern" % bad, r.stderr)
        self.assertIn("nothing judged", r.stderr)
        r = self.ctl("rules", "test", os.path.join(self.dir, "missing.conf"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.conf: cannot read: No such file or directory", r.stderr)
        r = self.ctl("rules", "test")
        self.assertEqual(r.returncode, 2)
        # A relative path sent by hand is refused by name.
        reply = self.d.control(pb.ControlRequest(rules_test=pb.RulesTestRequest(
            path="candidate.conf")))
        self.assertEqual(reply.error, "rules_test.path: must be absolute (the daemon reads it)")
        self.assertEqual(self.d.status().rules, 6)


class WhatIfPredicts(unittest.TestCase):
    """The what-if report is exact: on the same random history, the rules in
    force (what daemon A raised) plus the candidate's gains minus its losses
    are what daemon B, running the candidate rules from the start, raises.
    A (child, rule, level) is reached when the rule's highest alert for the
    child is at that level or above, counting only levels the rule has."""

    def test_candidate_column_matches_a_daemon_running_it(self):
        rnd = random.Random(20261124)
        agencies = [pb.POLICE, pb.HEALTH, pb.EDUCATION, pb.SOCIAL_CARE]
        categories = [pb.DOMESTIC_ABUSE, pb.SUBSTANCE_MISUSE, pb.MENTAL_HEALTH, pb.MISSING,
                      pb.NEGLECT, pb.WAS_NOT_BROUGHT, pb.EDUCATION_ABSENCE]
        history = []
        for i in range(300):
            sev = rnd.choice([pb.LOW] * 6 + [pb.MODERATE] * 3 + [pb.HIGH] * 2 +
                             [pb.IMMEDIATE_RISK])
            history.append(concern("p%d" % i, agency=rnd.choice(agencies),
                                   category=rnd.choice(categories), severity=sev,
                                   at=T0 + rnd.randrange(200) * DAY // 2,
                                   children=kid(200 + rnd.randrange(40))))
        candidate = with_example(shipped()).replace("amber = 3;", "amber = 2;")
        candidate = candidate.replace("amber = 8;", "amber = 6;")
        candidate = candidate.replace("window_days = 30;", "window_days = 14;")
        cand_path = os.path.join(scratch_dir(self), "candidate.conf")
        with open(cand_path, "w") as f:
            f.write(candidate)
        levels = {"immediate-risk": {"RED"}, "multi-agency": {"AMBER", "RED"},
                  "toxic-trio": {"AMBER", "RED"}, "cumulative-harm": {"AMBER"},
                  "repeat-missing": {"AMBER"}, "not-brought-and-absent": {"AMBER"}}

        def reached(d):
            top = {}
            for a in d.all_alerts():
                key = (a.child_id, a.rule)
                top[key] = max(top.get(key, 0), a.level)
            out = set()
            for (child, rule), level in top.items():
                for name in levels[rule]:
                    if pb.Level.Value(name) <= level:
                        out.add((child, rule, name))
            return out

        a = start_daemon(self)
        for r in a.send(history):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        out = json.loads(a.tool("ffcctl", "--json", "rules", "test", cand_path).stdout)
        gained = {(o["child_id"], o["rule"], o["level"]) for o in out["gained"]}
        lost = {(o["child_id"], o["rule"], o["level"]) for o in out["lost"]}
        self.assertTrue(gained and lost, "the candidate should change something")
        in_force = reached(a)
        for row in out["counts"]:
            self.assertEqual(row["in_force"], sum(1 for c, r, l in in_force
                                                  if (r, l) == (row["rule"], row["level"])),
                             row)
        a.assert_stops_cleanly(self)

        b = start_daemon(self, conf=cand_path)
        for r in b.send(history):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertEqual(reached(b), (in_force - lost) | gained)
        b.assert_stops_cleanly(self)


class ExampleEnabled(unittest.TestCase):
    """A file that enables the example rule from the start."""

    def test_example_rule_end_to_end(self):
        path = os.path.join(scratch_dir(self), "example.conf")
        with open(path, "w") as f:
            f.write(EXAMPLE)
        check = Daemon(conf=path)
        self.addCleanup(check.close)
        r = check.tool("ffcd", "-n", "-c", path, endpoints=False)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK (2 rules)", r.stdout)
        d = start_daemon(self, conf=path)
        sub = d.subscribe()
        history = not_brought_history("ex", 20)
        # Two WAS_NOT_BROUGHT alone: one part of two, nothing raised.
        for r in d.send(history[:2]):
            self.assertEqual(r.status, pb.Receipt.ACCEPTED, r.error)
        self.assertTrue(no_more_alerts(sub))
        self.assertEqual(d.send_one(history[2]).status, pb.Receipt.ACCEPTED)
        (topic, a), = receive_alerts(sub, 1)
        self.assertEqual(topic, "alert.amber.not-brought-and-absent")
        self.assertEqual(a.reason, REASON)
        d.assert_stops_cleanly(self)


class NoFile(unittest.TestCase):
    def test_reload_without_a_file_says_so(self):
        class NoConf(Daemon):
            def argv(self):
                a = Daemon.argv(self)
                i = a.index("-c")
                return a[:i] + a[i + 2:]
        d = NoConf()
        self.addCleanup(d.close)
        d.start()
        r = d.tool("ffcctl", "reload")
        self.assertEqual(r.returncode, 1)
        self.assertIn("ffcd was started without a configuration file", r.stderr)
        self.assertEqual(d.status().config_path, "")
        self.assertEqual(d.status().rules, 6)
        os.kill(d.pid, signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "nothing to reload" in d.stderr()))
        self.assertTrue(d.running())
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
