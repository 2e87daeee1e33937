"""ffc-metrics against the real ffcd: every figure on /metrics is the one
`ffcctl --json status` and `ffcctl --json stats` show for the same daemon
(the exposition read by an independent parser where python3-prometheus-client
is installed), /health says 200 while the daemon answers and 503 with the
reason when it does not or its store has a fault, a viewer operator is
enough and leaves nothing in the audit trail, every bad flag is refused
with a message naming it; and the shipped Prometheus rules load and fire
as their tests say (promtool, where the prometheus package is installed)."""

import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from ffctest import (BIN, CONF, SOURCE, Daemon, DaemonTest, concern, free_port, main,
                     nhs_number, pb, scratch_dir, start_daemon, wait_for)

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # the package python3-prometheus-client (.ci/deps)
    text_string_to_metric_families = None

RULES = os.path.join(SOURCE, "conf", "prometheus", "ffc-alerts.yml")
RULES_TEST = os.path.join(SOURCE, "tests", "prometheus", "ffc-alerts.test.yml")
TOUR = os.path.join(SOURCE, "conf", "samples", "tour.jsonl")

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """{(name, ((label, value), ...)): float} from the text format, with
    the TYPE of each metric; by prometheus_client's parser when installed,
    else by the grammar's regular expressions."""
    samples, types = {}, {}
    if text_string_to_metric_families:
        for fam in text_string_to_metric_families(text):
            types[fam.name] = fam.type
            for s in fam.samples:
                samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return samples, types
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = tuple(sorted((k, v.encode().decode("unicode_escape"))
                              for k, v in LABEL.findall(m.group(3) or "")))
        samples[(m.group(1), labels)] = float(m.group(4))
    return samples, types


def get(url, method="GET", timeout=10):
    """(status, body) of one HTTP request."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


class Metrics:
    """One ffc-metrics process on a free loopback port."""

    def __init__(self, test, control, *args, env=None):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = os.path.join(scratch_dir(test), "ffc-metrics.stderr")
        e = dict(os.environ)
        e.update(env or {})
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [os.path.join(BIN, "ffc-metrics"), "--listen", "127.0.0.1:%d" % self.port,
                 "--control", control] + list(args), stderr=log, env=e)
        test.addCleanup(self.stop)
        up = wait_for(lambda: self._answers(), timeout=30)
        assert up, "ffc-metrics did not serve:\n" + self.stderr()

    def _answers(self):
        if self.proc.poll() is not None:
            raise AssertionError("ffc-metrics exited (%d):\n%s"
                                 % (self.proc.returncode, self.stderr()))
        try:
            return get(self.url + "/", timeout=2)[0] == 200
        except OSError:
            return False

    def stderr(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def scrape(self):
        code, body, headers = get(self.url + "/metrics")
        assert code == 200, (code, body)
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
        return parse(body)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        return self.proc.returncode


def counters(items):
    return {c["name"]: c.get("count", 0) for c in items or []}


class Figures(DaemonTest):
    def ctl_json(self, *args):
        r = self.d.tool("ffcctl", "--json", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_figures_match_ffcctl(self):
        sent = self.d.tool("ffc-send", TOUR)
        self.assertEqual(sent.returncode, 0, sent.stderr)
        bad = self.d.tool("ffc-send", os.path.join(SOURCE, "conf", "samples", "bad.jsonl"))
        self.assertEqual(bad.returncode, 1, bad.stderr)
        # One console and one adapter connected while scraped.
        sub = self.d.subscribe(b"alert.")
        adapter = self.d.dealer()
        self.assertTrue(wait_for(lambda: self.ctl_json("stats").get("consoles") == 1
                                 and self.ctl_json("stats").get("adapters") == 1),
                        self.ctl_json("stats"))
        m = Metrics(self, self.d.control_ep)
        status, stats = self.ctl_json("status"), self.ctl_json("stats")
        got, types = m.scrape()

        def one(name, **labels):
            key = (name, tuple(sorted(labels.items())))
            self.assertIn(key, got, "%s%s not on /metrics" % (name, labels))
            return got[key]

        self.assertEqual(one("ffc_up"), 1)
        self.assertEqual(one("ffc_info", version=status["version"],
                             security_mode=status["security_mode"],
                             store_format=str(status["store_format"])), 1)
        self.assertGreaterEqual(status["store_format"], 2)
        self.assertEqual(one("ffc_start_time_seconds"), status["started_at_ms"] / 1000)
        for name, field in (("ffc_store_used_bytes", "store_bytes"),
                            ("ffc_store_map_bytes", "store_map_bytes"),
                            ("ffc_store_map_max_bytes", "store_map_max_bytes")):
            self.assertEqual(one(name), status[field], name)
        self.assertEqual(one("ffc_store_fault"), 0)
        self.assertEqual(one("ffc_rules"), status["rules"])

        by_agency = counters(stats["concerns_by_agency"])
        self.assertEqual(set(by_agency), {"POLICE", "HEALTH", "EDUCATION"})
        self.assertEqual(sum(by_agency.values()), stats["concerns"])
        for agency, n in by_agency.items():
            self.assertEqual(one("ffc_concerns_stored", agency=agency), n)
        receipts = counters(stats["receipts_by_status"])
        self.assertEqual(receipts["ACCEPTED"], 15)
        self.assertGreater(receipts["REJECTED"], 1)
        for status_name, n in receipts.items():
            self.assertEqual(one("ffc_receipts_total", status=status_name), n)
        rejects = counters(stats["rejects_by_reason"])
        self.assertGreater(len(rejects), 2, rejects)
        for reason, n in rejects.items():
            self.assertEqual(one("ffc_rejects_total", reason=reason), n, reason)
        for level, n in counters(stats["alerts_by_level"]).items():
            self.assertEqual(one("ffc_alerts_raised_total", level=level), n)
        by_rule = counters(stats["alerts_by_rule"])
        self.assertEqual(sum(by_rule.values()), stats["alerts"])
        for rule, n in by_rule.items():
            self.assertEqual(one("ffc_alerts_raised_by_rule_total", rule=rule), n)
        self.assertEqual(one("ffc_alerts_overdue"), stats.get("overdue", 0))
        self.assertEqual(one("ffc_children"), stats["children"])
        self.assertEqual(one("ffc_batches_total"), stats["batches"])
        self.assertEqual(one("ffc_consoles_connected"), 1)
        self.assertEqual(one("ffc_adapters_connected"), 1)
        for reason, field in (("unknown_key", "refused_unknown_key"), ("role", "refused_role"),
                              ("malformed", "refused_malformed")):
            self.assertEqual(one("ffc_zap_refused_total", reason=reason), stats.get(field, 0))
        peers = counters(stats["peers"])
        self.assertEqual(one("ffc_zap_refused_total", reason="banned"), peers["refused_banned"])
        for kind, n in peers.items():
            if kind != "refused_banned":
                self.assertEqual(one("ffc_peer_refused_total", kind=kind), n)

        # The histograms: every bound, cumulative, count and sum.
        self.assertGreaterEqual(stats["batches"], 2)
        for metric, field in (("ffc_batch_size", "batch_sizes"),
                              ("ffc_batch_commit_seconds", "batch_seconds")):
            h = stats[field]
            self.assertEqual(types[metric], "histogram")
            self.assertEqual(h["count"], stats["batches"])
            self.assertEqual(len(h["bounds"]), len(h["at_most"]))
            self.assertEqual(h["at_most"], sorted(h["at_most"]))
            for bound, n in zip(h["bounds"], h["at_most"]):
                self.assertEqual(one(metric + "_bucket", le="%g" % bound), n)
            self.assertEqual(one(metric + "_bucket", le="+Inf"), h["count"])
            self.assertEqual(one(metric + "_count"), h["count"])
            self.assertAlmostEqual(one(metric + "_sum"), h["sum"], places=6)
        # Every concern of the file in one of the batches counted.
        self.assertGreaterEqual(stats["batch_sizes"]["sum"], 15)
        self.assertEqual(one("ffc_last_batch_timestamp_seconds"),
                         stats["last_batch_at_ms"] / 1000)
        age = one("ffc_last_batch_age_seconds")
        self.assertGreaterEqual(age, 0)
        self.assertLess(age, 120)
        sub.close()
        adapter.close()

    def test_health(self):
        m = Metrics(self, self.d.control_ep)
        code, body, headers = get(m.url + "/health")
        self.assertEqual((code, body.startswith("ok: ffcd ")), (200, True), body)
        self.assertEqual(body.count("\n"), 1)
        self.assertEqual(get(m.url + "/health", method="HEAD")[0], 200)
        self.assertEqual(get(m.url + "/metrics", method="POST")[0], 405)
        self.assertEqual(get(m.url + "/nothing")[0], 404)
        self.d.assert_stops_cleanly(self)
        time.sleep(1.1)  # past the one-second cache
        code, body, _ = get(m.url + "/health")
        self.assertEqual(code, 503, body)
        self.assertRegex(body, r"^ffcd: (no such socket:|no answer on) .*control\.sock")
        got, _ = m.scrape()
        self.assertEqual(got[("ffc_up", ())], 0)
        self.assertNotIn(("ffc_children", ()), got)
        self.assertIn("ffc-metrics: ffcd: ", m.stderr())
        # Back: answers again, and says so once in its log.
        self.d.start()
        time.sleep(1.1)
        self.assertEqual(get(m.url + "/health")[0], 200)
        self.assertEqual(m.stderr().count("ffcd answers on"), 2, m.stderr())

    def test_flags_refused(self):
        run = lambda *a: subprocess.run([os.path.join(BIN, "ffc-metrics")] + list(a),
                                        capture_output=True, text=True, timeout=30)
        for args, message in (
                (["--listen", "10.1.2.3:9740"], "--listen: 10.1.2.3 is not a loopback address"),
                (["--listen", "[2001:db8::1]:9740"], "is not a loopback address"),
                (["--listen", "0.0.0.0:9740"], "is not a loopback address"),
                (["--listen", "127.0.0.1:0"], "--listen: port: '0' is not a whole number"),
                (["--listen", "127.0.0.1:http"], "--listen: port: 'http'"),
                (["--listen", "127.0.0.1"], "--listen: '127.0.0.1' is not ADDR:PORT"),
                (["--listen", "example.org:9740"], "is not an IP address or localhost"),
                (["--timeout", "5"], "--timeout: '5' is not a whole number from 100"),
                (["--control", "http://x"], "--control: 'http://x' is not ipc://PATH"),
                (["--key", "/nonexistent.key_secret"], "CURVE needs both --key"),
                (["surplus"], "unexpected argument 'surplus'"),
                (["--bogus"], "unrecognized option")):
            r = run(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(message, r.stderr, args)
        h = run("--help")
        self.assertEqual(h.returncode, 0)
        self.assertTrue(h.stdout.startswith("Usage: ffc-metrics [OPTION]..."), h.stdout)
        for section in ("Options:", "Paths:", "Exit status:", "--listen=ADDR:PORT"):
            self.assertIn(section, h.stdout)
        self.assertTrue(all(len(line) <= 80 for line in h.stdout.splitlines()))
        v = run("--version")
        self.assertEqual((v.returncode, v.stdout.split()[0]), (0, "ffc-metrics"))
        # The address taken: it says so and exits 1.
        m = Metrics(self, self.d.control_ep)
        r = run("--listen", "127.0.0.1:%d" % m.port, "--control", self.d.control_ep)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot serve HTTP on 127.0.0.1:%d" % m.port, r.stderr)


class Viewer(unittest.TestCase):
    """With operators configured, a viewer is enough; scrapes leave no
    audit entry; an operator ffcd does not know gets 503 and ffc_up 0."""

    def setUp(self):
        with open(CONF) as f:
            text = f.read()
        self.assertIn("operators = ();", text)
        conf = os.path.join(scratch_dir(self), "viewer.conf")
        with open(conf, "w") as f:
            f.write(text.replace("operators = ();", """operators = (
    { name = "metrics"; role = "viewer"; unix_user = %d; },
    { name = "a.dmin"; role = "admin"; unix_user = %d; }
  );""" % (os.getuid(), os.getuid())))
        self.d = start_daemon(self, conf=conf, operator="a.dmin")

    def test_viewer_scrapes(self):
        m = Metrics(self, self.d.control_ep, "--operator", "metrics")
        before = self.d.stats().audit_entries
        for _ in range(3):
            got, _ = m.scrape()
            self.assertEqual(got[("ffc_up", ())], 1)
            time.sleep(1.1)
        self.assertEqual(get(m.url + "/health")[0], 200)
        self.assertEqual(self.d.stats().audit_entries, before)
        stranger = Metrics(self, self.d.control_ep, env={"FFC_OPERATOR": "nobody.here"})
        code, body, _ = get(stranger.url + "/health")
        self.assertEqual(code, 503, body)
        self.assertTrue(body.startswith("ffcd refused: "), body)
        self.assertEqual(stranger.scrape()[0][("ffc_up", ())], 0)
        self.d.assert_stops_cleanly(self)


class StoreFault(unittest.TestCase):
    """A full disk: /health 503 naming it, ffc_store_fault 1."""

    def test_disk_full(self):
        mnt = scratch_dir(self)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs (needs root): " + r.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True)
        d = Daemon(data=os.path.join(mnt, "data"))
        self.addCleanup(d.close)
        d.start()
        with open(os.path.join(mnt, "filler"), "wb") as f:
            f.write(b"\0" * (3 << 20))
        m = Metrics(self, d.control_ep)
        n = 0
        while "store: disk full" not in d.send_one(
                concern("full-%d" % n, summary="x" * 4000,
                        children=[dict(nhs_number=nhs_number(n))])).error:
            n += 1
            self.assertLess(n, 2000, "the disk never filled")
        time.sleep(1.1)
        code, body, _ = get(m.url + "/health")
        self.assertEqual(code, 503, body)
        self.assertRegex(body, r"^store: disk full since \d{4}-\d\d-\d\d \d\d:\d\d UTC\n$")
        got, _ = m.scrape()
        self.assertEqual(got[("ffc_store_fault", ())], 1)
        self.assertGreaterEqual(got[("ffc_store_disk_full_total", ())], 1)
        d.assert_stops_cleanly(self)


class AlertRules(unittest.TestCase):
    def test_rules_parse(self):
        import yaml  # python3-yaml
        with open(RULES) as f:
            doc = yaml.safe_load(f)
        rules = doc["groups"][0]["rules"]
        names = {r["alert"] for r in rules}
        self.assertTrue({"FfcStoreNearlyFull", "FfcNoBatch", "FfcAlertsOverdue",
                         "FfcDaemonDown", "FfcStoreFault"} <= names, names)
        for r in rules:
            self.assertTrue(r["expr"] and r["labels"]["severity"] in ("page", "warn"), r)
            # Every metric a rule reads is one ffc-metrics serves (or up).
            for metric in re.findall(r"\b(ffc_[a-z_]+)", r["expr"]):
                base = re.sub(r"_bucket$", "", metric)
                with open(os.path.join(SOURCE, "client", "tools", "ffc_metrics_text.c")) as src:
                    self.assertIn('"%s"' % base, src.read(), metric)

    @unittest.skipUnless(shutil.which("promtool"), "promtool (Debian package prometheus)")
    def test_promtool(self):
        r = subprocess.run(["promtool", "check", "rules", RULES], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run(["promtool", "test", "rules", RULES_TEST], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    main()
