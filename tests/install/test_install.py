"""What `cmake --install` puts where, for any prefix: the configuration
(0640; /etc for prefix /usr, PREFIX/etc otherwise, an existing one kept),
libffc with its soname, the headers and a libffc.pc naming the prefix
installed to (a C file compiles with its flags), the unit with that
prefix's paths (`systemd-analyze verify` passes, and fails on a broken
copy), and the man pages: rendered by `man --warnings` without a warning,
and naming every option the tools' --help shows, every ffcctl command and
every configuration setting the daemon knows.

Environment (set by ctest): FFC_BUILD (the build tree), FFC_SOURCE,
FFC_TEST_TMP, CMAKE_COMMAND."""

import glob
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

BUILD = os.environ["FFC_BUILD"]
SOURCE = os.environ["FFC_SOURCE"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
TMP = os.environ.get("FFC_TEST_TMP", tempfile.gettempdir())
BIN = os.path.join(BUILD, "bin")
MAN = os.path.join(SOURCE, "conf", "man")


def run(argv, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run(argv, **kw)


def scratch(test):
    os.makedirs(TMP, exist_ok=True)
    path = tempfile.mkdtemp(prefix="ffc-install-", dir=TMP)
    test.addCleanup(shutil.rmtree, path, True)
    return path


def install(test, prefix, destdir=None):
    env = dict(os.environ)
    env.pop("DESTDIR", None)
    if destdir:
        env["DESTDIR"] = destdir
    r = run([CMAKE, "--install", BUILD, "--prefix", prefix], env=env)
    test.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    return r


def pc_variables(path):
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^(\w+)=(.*)$", line.strip())
            if m:
                out[m.group(1)] = m.group(2)
    return out


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class Prefix(unittest.TestCase):
    """An install under a prefix of its own, as `make install PREFIX=...`."""

    def test_files_in_place(self):
        p = os.path.join(scratch(self), "opt", "ffc")
        install(self, p)
        for rel in ("sbin/ffcd", "bin/ffcctl", "bin/ffc-send", "bin/ffc-watch", "bin/ffc-metrics",
                    "bin/ffc-web"):
            self.assertTrue(os.access(os.path.join(p, rel), os.X_OK), rel)
        conf = os.path.join(p, "etc", "ffc", "ffcd.conf")
        self.assertEqual(mode(conf), 0o640)
        with open(conf) as f, open(os.path.join(SOURCE, "conf", "ffcd.conf")) as g:
            self.assertEqual(f.read(), g.read())
        # The library by its soname, the link for the linker beside it.
        (lib,) = glob.glob(os.path.join(p, "lib*", "libffc.so.0.*")) or [None]
        self.assertIsNotNone(lib)
        libdir = os.path.dirname(lib)
        self.assertEqual(os.readlink(os.path.join(libdir, "libffc.so.0")), os.path.basename(lib))
        self.assertEqual(os.readlink(os.path.join(libdir, "libffc.so")), "libffc.so.0")
        r = run(["readelf", "-d", lib])
        self.assertIn("Library soname: [libffc.so.0]", r.stdout)
        for h in ("ffc.h", "cert.h", "ffc.pb-c.h", "ffc_version.h"):
            self.assertTrue(os.path.exists(os.path.join(p, "include", "ffc", h)), h)
        self.assertTrue(os.path.exists(os.path.join(p, "share", "ffc", "ffc.proto")))
        for page in ("man8/ffcd.8.gz", "man5/ffcd.conf.5.gz", "man1/ffcctl.1.gz",
                     "man1/ffc-send.1.gz", "man1/ffc-watch.1.gz", "man1/ffc-metrics.1.gz",
                     "man1/ffc-web.1.gz"):
            self.assertTrue(os.path.exists(os.path.join(p, "share", "man", page)), page)

        # libffc.pc names this prefix, and a C file builds with its flags.
        pc = os.path.join(libdir, "pkgconfig", "libffc.pc")
        v = pc_variables(pc)
        self.assertEqual(v["prefix"], p)
        self.assertEqual(v["libdir"], "${prefix}/" + os.path.relpath(libdir, p))
        self.assertEqual(v["includedir"], "${prefix}/include")
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc))
        cflags = run(["pkg-config", "--cflags", "libffc"], env=env)
        libs = run(["pkg-config", "--libs", "libffc"], env=env)
        self.assertEqual(cflags.returncode, 0, cflags.stderr)
        self.assertIn("-I%s/include" % p, cflags.stdout)
        self.assertIn("-L%s -lffc" % libdir, libs.stdout)
        src = os.path.join(p, "adapter.c")
        with open(src, "w") as f:
            f.write('#include <ffc/ffc.h>\n#include "ffc.pb-c.h"\n'
                    "int main(void) { Ffc__V1__Concern c = FFC__V1__CONCERN__INIT;\n"
                    "  (void)c; return ffc_strerror(0) == 0; }\n")
        r = run(["cc", "-c", "-o", os.path.join(p, "adapter.o"), src] + cflags.stdout.split())
        self.assertEqual(r.returncode, 0, r.stderr)

        # The unit runs this prefix's ffcd on this prefix's file.
        unit = os.path.join(p, "lib", "systemd", "system", "ffcd.service")
        with open(unit) as f:
            text = f.read()
        self.assertIn("ExecStart=%s/sbin/ffcd -c %s/etc/ffc/ffcd.conf\n" % (p, p), text)
        self.assertIn("Type=notify\n", text)
        self.assertIn("StateDirectory=ffc\n", text)
        self.assertIn("User=ffc\n", text)
        with open(os.path.join(p, "lib", "sysusers.d", "ffc.conf")) as f:
            self.assertIn('u ffc - "ffc daemon" /var/lib/ffc /usr/sbin/nologin', f.read())

        # systemd-analyze verify: the unit, with its commands and man pages.
        env = dict(os.environ, MANPATH=os.path.join(p, "share", "man") + ":")
        r = run(["systemd-analyze", "verify", unit], env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr, "")
        # ffc-web's unit likewise, running this prefix's ffc-web.
        web = os.path.join(p, "lib", "systemd", "system", "ffc-web.service")
        with open(web) as f:
            self.assertIn("ExecStart=%s/bin/ffc-web " % p, f.read())
        r = run(["systemd-analyze", "verify", web], env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # ... which fails when something is wrong: a setting misspelt, a
        # command that is not there.
        broken = os.path.join(p, "broken.service")
        with open(broken, "w") as f:
            f.write(text.replace("/sbin/ffcd", "/sbin/ffcd-missing")
                    .replace("ProtectHome=", "ProtectHomes="))
        r = run(["systemd-analyze", "verify", broken], env=env)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ffcd-missing", r.stderr)
        self.assertIn("ProtectHomes", r.stderr)

    def test_existing_configuration_kept(self):
        p = os.path.join(scratch(self), "pfx")
        install(self, p)
        conf = os.path.join(p, "etc", "ffc", "ffcd.conf")
        with open(conf, "a") as f:
            f.write("# changed by the administrator\n")
        r = install(self, p)
        self.assertIn("Keeping %s" % conf, r.stdout)
        with open(conf) as f:
            self.assertIn("# changed by the administrator", f.read())
        new = conf + ".new"
        self.assertEqual(mode(new), 0o640)
        with open(new) as f:
            self.assertNotIn("# changed by the administrator", f.read())


class PrefixUsr(unittest.TestCase):
    """`cmake --install --prefix /usr` (into DESTDIR, as a package does)."""

    def test_configuration_in_etc(self):
        root = scratch(self)
        install(self, "/usr", destdir=root)
        conf = os.path.join(root, "etc", "ffc", "ffcd.conf")
        self.assertEqual(mode(conf), 0o640)
        self.assertFalse(os.path.exists(os.path.join(root, "usr", "etc")))
        (pc,) = glob.glob(os.path.join(root, "usr", "lib*", "**", "libffc.pc"), recursive=True)
        v = pc_variables(pc)
        self.assertEqual(v["prefix"], "/usr")
        self.assertTrue(v["libdir"].startswith("${prefix}/lib"), v)
        with open(pc) as f:
            self.assertNotIn("local", f.read())
        with open(os.path.join(root, "usr", "lib", "systemd", "system", "ffcd.service")) as f:
            self.assertIn("ExecStart=/usr/sbin/ffcd -c /etc/ffc/ffcd.conf\n", f.read())


class ManPages(unittest.TestCase):
    PAGES = {"ffcd.8": "ffcd", "ffcd.conf.5": None, "ffcctl.1": "ffcctl",
             "ffc-send.1": "ffc-send", "ffc-watch.1": "ffc-watch",
             "ffc-metrics.1": "ffc-metrics", "ffc-web.1": "ffc-web"}

    def render(self, page):
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANROFFSEQ="")
        return run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", page], env=env)

    def test_render_without_warnings(self):
        for page in self.PAGES:
            roff = os.path.join(BUILD, "man", page)
            r = self.render(roff)
            self.assertEqual(r.returncode, 0, page + r.stderr)
            self.assertEqual(r.stderr, "", page)
            self.assertIn("NAME", re.sub(".\b", "", r.stdout))
        # A page groff warns about is noticed.
        bad = os.path.join(scratch(self), "bad.1")
        with open(bad, "w") as f:
            f.write('.TH BAD 1\n.SH NAME\nbad \\- a page\n.SH X\n.BOGUS\n\\f[Q]x\n')
        r = self.render(bad)
        self.assertNotEqual(r.stderr, "")

    def source(self, page):
        with open(os.path.join(MAN, page + ".scd")) as f:
            return f.read()

    def test_every_option_described(self):
        """Every long option a program's getopt tables accept (its main file
        and its parts, client/tools/<tool>_*.c)."""
        for page, tool in self.PAGES.items():
            if not tool:
                continue
            if tool == "ffcd":
                files = [os.path.join(SOURCE, "daemon", "main.c")]
            elif tool == "ffc-web":
                files = glob.glob(os.path.join(SOURCE, "client", "web", "*.c"))
            else:
                stem = os.path.join(SOURCE, "client", "tools", tool.replace("-", "_"))
                files = [stem + ".c"] + glob.glob(stem + "_*.c")
            options = set()
            for path in files:
                with open(path) as f:
                    options |= {"--" + o for o in re.findall(
                        r'\{"([a-z][a-z-]*)",\s*(?:no|required|optional)_argument', f.read())}
            self.assertIn("--help", options)
            text = self.source(page)
            missing = sorted(o for o in options if "*%s*" % o not in text)
            self.assertEqual(missing, [], "%s(%s) lacks %s" % (tool, page[-1], missing))

    def test_every_ffcctl_command_described(self):
        with open(os.path.join(SOURCE, "client", "tools", "ffcctl.c")) as f:
            src = f.read()
        table = src[src.index("commands[] = {"):]
        table = table[:table.index("{NULL, NULL}")]
        commands = re.findall(r'\{"([a-z-]+)",\s*\w+\}', table)
        self.assertGreater(len(commands), 10)
        text = self.source("ffcctl.1")
        section = text[text.index("# COMMANDS"):text.index("# ENVIRONMENT")]
        entries = re.findall(r"^\*([a-z-]+)", section, re.M)
        missing = sorted(set(commands) - set(entries))
        self.assertEqual(missing, [], "ffcctl(1) lacks the commands %s" % missing)

    def test_every_setting_described(self):
        names = set()
        for path in glob.glob(os.path.join(SOURCE, "daemon", "config*.c")):
            with open(path) as f:
                src = f.read()
            for m in re.finditer(r'conf_unknown\(\s*[^,]+,\s*[^,]+,\s*((?:"[^"]*"\s*)+)\)', src):
                known = "".join(re.findall(r'"([^"]*)"', m.group(1)))
                names |= {n.strip() for n in re.split(r",| or ", known) if n.strip()}
        self.assertIn("log_format", names)
        self.assertIn("public_key_file", names)
        text = self.source("ffcd.conf.5")
        missing = sorted(n for n in names if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(n), text))
        self.assertEqual(missing, [], "ffcd.conf(5) lacks the settings %s" % missing)


if __name__ == "__main__":
    unittest.main(verbosity=2)
