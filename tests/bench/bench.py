#!/usr/bin/env python3
"""The figures of `make bench`, in one run on this machine and this disk.

    tests/bench/bench.py BUILD_DIR [--smoke]

BUILD_DIR holds a release build's bin/ffcd, bin/ffcctl, tests/lmdb_ceiling
and tests/load_gen. Every store, the ceiling's included, is made under
$FFC_BENCH_DIR (default BUILD_DIR/bench), so all are on one disk; each is
removed when its part is done. ffcd runs with the shipped conf/ffcd.conf
on free loopback ports, and LMDB's ceiling is measured with the
ingest.batch_max read from it, so the two commit batches of the same size.

  a) LMDB's ceiling: lmdb_ceiling writes ~300-byte records, one put each
     (and, for reference, the three puts a concern needs at least), in
     durable commits of batch_max, into a store already holding 10,000 and
     1,000,000 records; and the time of a synced commit holding one
     concern's three puts alone, the floor under any alert's latency.
  b) ffcd's durable ingest through the wire: load_gen (a DEALER, 2,000 in
     flight) sends concerns naming children ffcd already knows, 10,000
     and 1,000,000 of them (each filed once before, not measured);
     receipts a second and the ratio to (a)'s one put (and to its three
     puts).
  c) what one concern costs ffcd (its CPU time over the concerns, the
     bytes it handed to write(2) and the bytes the disk under the store
     wrote meanwhile), at each population, and the ratio between them,
     beside the same ratio for LMDB's three puts alone.
  d) concern to alert: 2,000 IMMEDIATE_RISK concerns a second offered,
     each raising an alert; a SUB on the alerts socket times each.
  e) backup beside ingest: receipt latency at 2,000 concerns a second with
     and without an `ffcctl backup` of the 1,000,000-children store
     running (written at the shipped store.backup_mb_per_s, commits
     gathered by the shipped store.backup_commit_gap_ms), the longest gap
     between heartbeats, and how much the store grew meanwhile.
  f) back-fill: concerns about a third as many children, happening over
     a year, into a fresh store; the rate, the rate over the last tenth,
     and the time 10 million would take at that last rate.
  g) memory: the daemon's anonymous memory (RssAnon) at the end of each
     run, shown with each.

FFC_BENCH_BIG=1 adds 10,000,000 known children to (b) and (c), backs up
the 1,000,000-children store grown past 1 GB in (e), and makes (f)
10,000,000 concerns: hours,
not minutes. FFC_BENCH_N sets the concerns measured in (b) (default
100,000), FFC_BENCH_BACKFILL those of (f) (default 300,000; 0 leaves it
out), FFC_BENCH_POPULATIONS the populations of (a) to (e), for a quicker
look (e.g. "10000,200000"; the second is the one kept for (d) and (e)). --smoke runs
every part with tiny sizes, to keep the programs working (a ctest entry);
its figures mean nothing.

Prints figures; judges nothing about speed. Exits non-zero only when
something failed (a daemon that does not start, a concern not answered or
rejected, a backup that fails).
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from ports import free_port  # noqa: E402
CONF = os.path.join(ROOT, "conf", "ffcd.conf")


def setting(conf, name):
    """The whole number conf gives the setting `name` (its last part, as
    batch_max for ingest.batch_max)."""
    with open(conf) as f:
        for line in f:
            words = line.split("#")[0].replace("=", " ").replace(";", " ").split()
            if len(words) == 2 and words[0] == name:
                return int(words[1])
    fail("%s: no %s" % (conf, name))


def fail(msg):
    sys.exit("bench: " + msg)


def disk_written(path):
    """Bytes written so far by the block device holding path (its
    /sys/dev/block counters: every writer's, this machine's others
    included), or None where there is none (tmpfs, some filesystems)."""
    dev = os.stat(path).st_dev
    try:
        with open("/sys/dev/block/%d:%d/stat" % (os.major(dev), os.minor(dev))) as f:
            return int(f.read().split()[6]) * 512
    except (OSError, IndexError, ValueError):
        return None


def figures(line):
    """key=value words of a program's last line, numbers where they are."""
    out = {}
    for word in line.split():
        if "=" in word:
            k, v = word.split("=", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def n(x):
    return "{:,.0f}".format(x)


class Bench:
    def __init__(self, build, smoke):
        self.build = os.path.abspath(build)
        self.bin = os.path.join(self.build, "bin")
        self.tests = os.path.join(self.build, "tests")
        self.work = os.path.abspath(os.environ.get("FFC_BENCH_DIR") or
                                    os.path.join(self.build, "bench"))
        self.smoke = smoke
        big = os.environ.get("FFC_BENCH_BIG") == "1" and not smoke
        self.big = big
        self.populations = [100, 1000] if smoke else [10000, 1000000]
        if big:
            self.populations.append(10000000)
        if os.environ.get("FFC_BENCH_POPULATIONS") and not smoke:
            self.populations = [int(p) for p in os.environ["FFC_BENCH_POPULATIONS"].split(",")]
            if len(self.populations) < 2:
                fail("FFC_BENCH_POPULATIONS: give two populations or more")
        self.measured = 300 if smoke else int(os.environ.get("FFC_BENCH_N", "100000"))
        self.backfill = 1000 if smoke else (10000000 if big else
                                            int(os.environ.get("FFC_BENCH_BACKFILL", "300000")))
        self.latency_count = 200 if smoke else 20000
        self.rate = 500 if smoke else 2000
        self.stall_lead = 1.0 if smoke else 3.0  # seconds of load before the backup
        self.results = {}
        self.batch = setting(CONF, "batch_max")  # the ceiling's batch
        self.gap = setting(CONF, "backup_commit_gap_ms")
        for prog in (os.path.join(self.bin, "ffcd"), os.path.join(self.bin, "ffcctl"),
                     os.path.join(self.tests, "lmdb_ceiling"),
                     os.path.join(self.tests, "load_gen")):
            if not os.access(prog, os.X_OK):
                fail("no %s: build it first (make bench does)" % prog)

    def say(self, *words):
        print(*words, flush=True)

    def scratch(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        return path

    # ---- programs ----

    def run(self, argv, what):
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0 or not p.stdout.strip():
            fail("%s failed (exit %d):\n%s%s" % (what, p.returncode, p.stdout, p.stderr))
        f = figures(p.stdout.strip().splitlines()[-1])
        f["stderr"] = p.stderr.strip()
        return f

    def ceiling(self, population, layout, records=None, batch=None):
        d = self.scratch("ceiling")
        batch = batch or self.batch
        f = self.run([os.path.join(self.tests, "lmdb_ceiling"), d, str(population),
                      str(records or self.measured), layout, str(batch)], "lmdb_ceiling")
        shutil.rmtree(d, ignore_errors=True)
        return f

    def load(self, daemon, args, what, check=True):
        f = self.run([os.path.join(self.tests, "load_gen"), "--ingest", daemon.ingest] + args,
                     what)
        if check and f.get("rejected", 0):
            fail("%s: %d concerns rejected (%s)" % (what, f["rejected"], f["stderr"]))
        return f

    # ---- parts ----

    def part_ceiling(self):
        self.say("a) LMDB's ceiling: %s records of 300 bytes, durable commits of %s "
                 "(ffcd's batch_max)" % (n(self.measured), n(self.batch)))
        for p in self.populations[:2]:
            one = self.ceiling(p, "one")
            three = self.ceiling(p, "three")
            self.results[("ceiling", p)] = one["rate"]
            self.results[("ceiling3", p)] = three["rate"]
            self.say("   %12s records before: one put %8s /s, three puts %8s /s (store %s MiB)"
                     % (n(p), n(one["rate"]), n(three["rate"]),
                        n(one["store_bytes"] / 2**20)))
        # The floor under any durable answer: a commit of one record.
        p = self.populations[1]
        floor = self.ceiling(p, "three", records=200 if self.smoke else 2000, batch=1)
        self.results["floor"] = floor
        self.say("   a concern's three puts alone in a synced commit (%s records before): "
                 "p50 %.2f ms, p99 %.2f ms, max %.2f ms"
                 % (n(p), floor["commit_p50_ms"], floor["commit_p99_ms"],
                    floor["commit_max_ms"]))

    def part_ingest(self, population, keep=False):
        d = Daemon(self, "ingest-%d" % population)
        try:
            t0 = time.monotonic()
            self.load(d, ["--prefix", "K", "--count", str(population), "--children",
                          str(population), "--sequential"], "filing the children")
            filed = time.monotonic() - t0
            cpu0, (wchar0, disk0) = d.cpu_seconds(), d.written()
            f = self.load(d, ["--prefix", "M", "--count", str(self.measured), "--children",
                              str(population), "--days", "600"], "measured ingest")
            cpu, (wchar, disk) = d.cpu_seconds() - cpu0, d.written()
            st = d.status()
            mem = d.memory()
            ceiling = self.results.get(("ceiling", population))
            three = self.results.get(("ceiling3", population))
            r = {"rate": f["rate"], "cpu_us": cpu * 1e6 / self.measured,
                 "write_kb": (wchar - wchar0) / 1024 / self.measured,
                 "disk_kb": (disk - disk0) / 1024 / self.measured if disk is not None else None,
                 "wall_us": f["seconds"] * 1e6 / self.measured, "mem": mem,
                 "store": st.get("store_bytes", 0), "alerts": st.get("alerts", 0)}
            self.results[("ingest", population)] = r
            ratio = " ratio %.2f" % (f["rate"] / ceiling) if ceiling else ""
            if three:
                ratio += " (%.2f of three puts)" % (f["rate"] / three)
            disk_kb = "?" if r["disk_kb"] is None else "%.1f" % r["disk_kb"]
            self.say("   %12s children (filed in %.0f s): %8s receipts/s%s; a concern: %5.0f us "
                     "CPU, %5.0f us wall, %.1f KiB to write(), %s KiB to the disk; p99 receipt "
                     "%s ms; store %s MiB, %s alerts; RssAnon %s"
                     % (n(population), filed, n(f["rate"]), ratio, r["cpu_us"], r["wall_us"],
                        r["write_kb"], disk_kb, f["receipt_p99_ms"], n(int(r["store"]) / 2**20),
                        r["alerts"], mem))
            if keep:
                return d
        except BaseException:
            d.stop(keep_log=True)
            raise
        d.stop()
        return None

    def part_latency(self, d, base):
        self.say("d) concern to alert: %s IMMEDIATE_RISK concerns at %d /s offered"
                 % (n(self.latency_count), self.rate))
        f = self.load(d, ["--prefix", "L", "--immediate", "--count", str(self.latency_count),
                          "--rate", str(self.rate), "--children", str(self.latency_count),
                          "--child-base", str(base), "--sequential", "--alerts", d.alerts,
                          "--alert-topic", "alert.red.immediate-risk"], "latency")
        self.say("   %s alerts of %s: p50 %s ms, p99 %s ms, max %s ms (receipts p99 %s ms; "
                 "LMDB's own synced commit of one concern's puts: p99 %.2f ms)"
                 % (n(f["alerts"]), n(f["accepted"]), f["alert_p50_ms"], f["alert_p99_ms"],
                    f["alert_max_ms"], f["receipt_p99_ms"],
                    self.results["floor"]["commit_p99_ms"]))
        if f["alerts"] < f["accepted"]:
            fail("latency: %d concerns raised no alert seen" % (f["accepted"] - f["alerts"]))

    def stall_run(self, d, prefix, backup_to=None, seconds=None):
        """Load at the bench rate; with backup_to, a backup after a lead."""
        argv = [os.path.join(self.tests, "load_gen"), "--ingest", d.ingest, "--alerts",
                d.alerts, "--prefix", prefix, "--count", "0", "--rate", str(self.rate),
                "--children", str(d.population)]
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        took = None
        try:
            time.sleep(self.stall_lead)
            if backup_to:
                t0 = time.monotonic()
                b = subprocess.run([os.path.join(self.bin, "ffcctl"), "--control", d.control,
                                    "--timeout", "3600000", "--json", "backup", backup_to],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                took = time.monotonic() - t0
                if b.returncode != 0:
                    fail("backup failed: %s%s" % (b.stdout, b.stderr))
                time.sleep(self.stall_lead)
            else:
                time.sleep(seconds)
        finally:
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=120)
        if p.returncode != 0:
            fail("load during the backup: %s%s" % (out, err))
        f = figures(out.strip().splitlines()[-1])
        if f.get("rejected", 0):
            fail("load during the backup: %d rejected" % f["rejected"])
        return f, took

    def part_stall(self, d):
        st = d.status()
        grown = 0
        while self.big and int(st.get("store_bytes", 0)) < 2**30:
            self.load(d, ["--prefix", "G%d" % grown, "--count", "200000", "--children",
                          str(d.population)], "growing the store to 1 GiB")
            grown += 1
            st = d.status()
        self.say("e) backup beside ingest at %d concerns/s on a %s MiB store "
                 "(store.backup_commit_gap_ms %d)"
                 % (self.rate, n(int(st.get("store_bytes", 0)) / 2**20), self.gap))
        dest = self.scratch("backup")
        before = int(d.status().get("store_bytes", 0))
        with_b, took = self.stall_run(d, "SB", backup_to=dest)
        grew = int(d.status().get("store_bytes", 0)) - before
        size = sum(os.path.getsize(os.path.join(dest, f)) for f in os.listdir(dest))
        shutil.rmtree(dest, ignore_errors=True)
        before = int(d.status().get("store_bytes", 0))
        without, _ = self.stall_run(d, "SN", seconds=took + self.stall_lead)
        grew_without = int(d.status().get("store_bytes", 0)) - before
        for name, f in (("without a backup", without), ("with a backup", with_b)):
            self.say("   %-17s receipts p50 %6s ms, p99 %6s ms, max %6s ms; heartbeats %d, "
                     "longest gap %s ms"
                     % (name, f["receipt_p50_ms"], f["receipt_p99_ms"], f["receipt_max_ms"],
                        f["heartbeats"], f["heartbeat_max_gap_ms"]))
        self.say("   backup: %s MiB copied in %.1f s; with it the longest receipt waited %.1f ms "
                 "longer, the 99th percentile %.1f ms"
                 % (n(size / 2**20), took, with_b["receipt_max_ms"] - without["receipt_max_ms"],
                    with_b["receipt_p99_ms"] - without["receipt_p99_ms"]))
        # Pages freed while the copy's snapshot is open cannot be reused
        # until it ends: the store grows by what the load rewrote meanwhile.
        self.say("   the store grew by %s MiB with the backup, %s MiB in as long without"
                 % (n(grew / 2**20), n(grew_without / 2**20)))

    def part_backfill(self):
        if not self.backfill:
            return
        children = max(1, self.backfill // 3)
        self.say("f) back-fill: %s concerns about %s children over a year, into a fresh store"
                 % (n(self.backfill), n(children)))
        d = Daemon(self, "backfill")
        try:
            f = self.load(d, ["--prefix", "F", "--count", str(self.backfill), "--children",
                              str(children), "--progress", "0" if self.smoke else "30"],
                          "back-fill")
            st = d.status()
            mem = d.memory()
        except BaseException:
            d.stop(keep_log=True)
            raise
        d.stop()
        tail = f.get("tail_rate") or f["rate"]
        self.say("   %8s concerns/s over all, %8s /s over the last tenth; %s alerts raised; "
                 "store %s MiB; RssAnon %s"
                 % (n(f["rate"]), n(tail), st.get("alerts", 0),
                    n(int(st.get("store_bytes", 0)) / 2**20), mem))
        self.say("   10,000,000 concerns at the last tenth's rate: %.1f minutes"
                 % (10000000 / tail / 60))

    def main(self):
        os.makedirs(self.work, exist_ok=True)
        self.say("ffc bench: %s, work in %s%s" % (self.build, self.work,
                                                 " (smoke: sizes too small to mean anything)"
                                                 if self.smoke else ""))
        self.part_ceiling()
        self.say("b, c) ffcd durable ingest through the wire: %s concerns, 2,000 in flight"
                 % n(self.measured))
        kept = None
        for p in self.populations:
            d = self.part_ingest(p, keep=(p == self.populations[1]))
            if d:
                kept = d
        first, second = self.populations[0], self.populations[1]
        a, b = self.results[("ingest", first)], self.results[("ingest", second)]
        self.say("   CPU a concern at %s children is %.2f x that at %s"
                 % (n(second), b["cpu_us"] / a["cpu_us"], n(first)))
        # The same ratio for LMDB alone: its time a record, three puts.
        t1, t2 = self.results[("ceiling3", first)], self.results[("ceiling3", second)]
        self.say("   LMDB's own three puts take %.2f x as long a record at %s as at %s"
                 % (t1 / t2, n(second), n(first)))
        if len(self.populations) > 2:
            c = self.results[("ingest", self.populations[2])]
            self.say("   CPU a concern at %s children is %.2f x that at %s"
                     % (n(self.populations[2]), c["cpu_us"] / a["cpu_us"], n(first)))
        try:
            self.part_latency(kept, base=0)
            self.part_stall(kept)
            self.say("   RssAnon of the %s-children daemon after all that: %s"
                     % (n(second), kept.memory()))
        except BaseException:
            kept.stop(keep_log=True)
            raise
        kept.stop()
        self.part_backfill()
        shutil.rmtree(self.work, ignore_errors=True)


class Daemon:
    def __init__(self, bench, name):
        self.bench = bench
        self.population = int(name.split("-")[1]) if name.startswith("ingest-") else 1
        self.dir = bench.scratch(name)
        self.ingest = "tcp://127.0.0.1:%d" % free_port()
        self.alerts = "tcp://127.0.0.1:%d" % free_port()
        self.control = "ipc://%s/control.sock" % self.dir
        self.log = open(self.dir + ".log", "w")
        self.proc = subprocess.Popen([os.path.join(bench.bin, "ffcd"), "-c", CONF, "--data",
                                      self.dir, "--ingest", self.ingest, "--alerts",
                                      self.alerts], stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.ctl(["status"]).returncode == 0:
                return
            time.sleep(0.1)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        fail("ffcd did not start; see %s.log" % self.dir)

    def ctl(self, args):
        return subprocess.run([os.path.join(self.bench.bin, "ffcctl"), "--control", self.control,
                               "--timeout", "30000"] + args, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)

    def status(self):
        p = self.ctl(["--json", "status"])
        return json.loads(p.stdout) if p.returncode == 0 else {}

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def written(self):
        """(bytes the daemon has handed to write(2) and its kin, bytes the
        disk under its store has written, or None where that disk has no
        counters). Not /proc/PID/io's write_bytes: that counts each page
        cache folio a write dirties whole, and a file cached in large
        folios makes one 4 KiB page count as up to 2 MiB."""
        wchar = 0
        with open("/proc/%d/io" % self.proc.pid) as f:
            for line in f:
                if line.startswith("wchar:"):
                    wchar = int(line.split()[1])
        return wchar, disk_written(self.dir)

    def memory(self):
        """RssAnon from /proc/PID/status, as "12.3 MiB"."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return "%.1f MiB" % (int(line.split()[1]) / 1024)
        return "?"

    def stop(self, keep_log=False):
        """Stop the daemon and remove its store; with keep_log its log is
        kept beside the work directory, and said where."""
        if self.log.closed:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if self.proc.returncode not in (0, -signal.SIGKILL):
            fail("ffcd exited %d; see %s.log" % (self.proc.returncode, self.dir))
        shutil.rmtree(self.dir, ignore_errors=True)
        if keep_log:
            kept = os.path.join(os.path.dirname(self.bench.work),
                                "bench-%s.log" % os.path.basename(self.dir))
            shutil.move(self.dir + ".log", kept)
            print("bench: the daemon's log is in %s" % kept, file=sys.stderr)
        else:
            os.unlink(self.dir + ".log")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    Bench(sys.argv[1], "--smoke" in sys.argv[2:]).main()
