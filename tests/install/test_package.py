"""The Debian packages, from a build of their own (Debian's build flags,
prefix /usr, as `make deb`): cpack writes ffc, libffc and libffc-dev;
lintian finds no error in them; and dpkg installs them into a scratch root
(dpkg --root with --force-script-chrootless: the maintainer scripts run
here, on that root's files, through DPKG_ROOT; --force-depends, as the
root holds nothing else). Then: the ffc system user and group, /var/lib/ffc
0700 for it, /etc/ffc/ffcd.conf a conffile 0640 root:ffc; the unit passes
systemd-analyze verify and the packaged programs run. Installed again, an
administrator's configuration and store are kept as they are; a data
directory that was there before the package is never touched; a purge
leaves the store and the user.

Needs root (dpkg chowns in the root). Environment (set by ctest):
FFC_BUILD, FFC_SOURCE, CMAKE_COMMAND, CPACK_COMMAND."""

import glob
import os
import re
import shutil
import stat
import subprocess
import unittest

BUILD = os.environ["FFC_BUILD"]
SOURCE = os.environ["FFC_SOURCE"]
CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CPACK = os.environ.get("CPACK_COMMAND", "cpack")
PKG_BUILD = os.path.join(BUILD, "package-test")
PACKAGES = ("ffc", "libffc", "libffc-dev")


def run(argv, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 1200)
    r = subprocess.run(argv, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s exited %d:\n%s%s" % (" ".join(argv), r.returncode,
                                                     r.stdout[-4000:], r.stderr[-4000:]))
    return r


def build_packages():
    """Configure, build and package; the .deb files by package name."""
    flags = {k: run(["dpkg-buildflags", "--get", k]).stdout.strip()
             for k in ("CFLAGS", "CPPFLAGS", "LDFLAGS")}
    env = dict(os.environ, CFLAGS=flags["CFLAGS"] + " " + flags["CPPFLAGS"],
               LDFLAGS=flags["LDFLAGS"])
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "DESTDIR"):
        env.pop(k, None)
    run([CMAKE, "-S", SOURCE, "-B", PKG_BUILD, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
         "-DBUILD_TESTING=OFF", "-DCMAKE_INSTALL_PREFIX=/usr"], env=env)
    # At the lowest priority: the rest of the suite runs beside it, some of
    # it measuring how fast the daemon answers.
    run(["nice", "-n", "19", CMAKE, "--build", PKG_BUILD, "-j", "2"], env=env)
    for old in glob.glob(os.path.join(PKG_BUILD, "*.deb")):
        os.unlink(old)
    run(["nice", "-n", "19", CPACK, "-G", "DEB"], cwd=PKG_BUILD, env=env)
    debs = {}
    for path in glob.glob(os.path.join(PKG_BUILD, "*.deb")):
        name = run(["dpkg-deb", "-f", path, "Package"]).stdout.strip()
        debs[name] = path
    return debs


def new_root(base, name):
    """An empty root dpkg can install into: its database and the /etc files
    the shadow tools edit, holding root alone."""
    root = os.path.join(base, name)
    shutil.rmtree(root, ignore_errors=True)
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"):
        os.makedirs(os.path.join(root, d))
    for f in ("var/lib/dpkg/status", "var/lib/dpkg/available"):
        open(os.path.join(root, f), "w").close()
    files = {"passwd": "root:x:0:0:root:/root:/bin/sh\n", "group": "root:x:0:\n",
             "shadow": "root:*:19000:0:99999:7:::\n", "gshadow": "root:*::\n"}
    for name, text in files.items():
        path = os.path.join(root, "etc", name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o640 if "shadow" in name else 0o644)
    return root


def dpkg(root, *args):
    return run(["dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends"]
               + list(args))


def entry(root, db, name):
    with open(os.path.join(root, "etc", db)) as f:
        for line in f:
            fields = line.rstrip("\n").split(":")
            if fields[0] == name:
                return fields
    return None


def owner_mode(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


@unittest.skipUnless(os.geteuid() == 0, "installing into a scratch root needs root")
class Packages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.debs = build_packages()
        cls.base = os.path.join(PKG_BUILD, "roots")
        os.makedirs(cls.base, exist_ok=True)

    def test_1_built(self):
        self.assertEqual(sorted(self.debs), sorted(PACKAGES))
        f = lambda p, field: run(["dpkg-deb", "-f", self.debs[p], field]).stdout.strip()
        self.assertIn("libffc (= ", f("ffc", "Depends"))
        self.assertIn("libzmq5", f("ffc", "Depends"))
        self.assertIn("libffc (= ", f("libffc-dev", "Depends"))
        self.assertEqual(f("libffc", "Section"), "libs")
        control = run(["dpkg-deb", "-I", self.debs["ffc"], "conffiles"]).stdout
        self.assertEqual(control.split(), ["/etc/ffc/ffcd.conf"])
        shlibs = run(["dpkg-deb", "-I", self.debs["libffc"], "shlibs"]).stdout
        self.assertRegex(shlibs, r"^libffc 0 libffc \(= [0-9.]+\)")
        listing = {p: run(["dpkg-deb", "-c", self.debs[p]]).stdout for p in PACKAGES}
        self.assertRegex(listing["ffc"], r"-rw-r----- root/root .* \./etc/ffc/ffcd\.conf\n")
        self.assertIn("./usr/sbin/ffcd\n", listing["ffc"])
        self.assertIn("./usr/lib/systemd/system/ffcd.service\n", listing["ffc"])
        self.assertIn("./usr/share/man/man8/ffcd.8.gz\n", listing["ffc"])
        self.assertNotIn("./var/", listing["ffc"])
        self.assertRegex(listing["libffc"], r"\./usr/lib/[^/]+/libffc\.so\.0 -> ")
        self.assertNotIn("libffc.so ->", listing["libffc"])
        self.assertRegex(listing["libffc-dev"], r"\./usr/lib/[^/]+/libffc\.so -> libffc\.so\.0\n")
        self.assertRegex(listing["libffc-dev"], r"\./usr/lib/[^/]+/pkgconfig/libffc\.pc\n")
        self.assertIn("./usr/include/ffc/ffc.h\n", listing["libffc-dev"])

    def test_2_lintian(self):
        r = run(["nice", "-n", "19", "lintian", "--no-cfg"] + [self.debs[p] for p in PACKAGES],
                check=False)
        print(r.stdout)
        errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [], r.stdout + r.stderr)
        self.assertNotIn("error", r.stderr.lower().replace("errors", ""), r.stderr)

    def test_3_installed(self):
        root = new_root(self.base, "fresh")
        dpkg(root, "-i", *[self.debs[p] for p in PACKAGES])
        status = run(["dpkg-query", "--admindir=" + os.path.join(root, "var/lib/dpkg"),
                      "-W", "-f", "${Package} ${Status}\n"]).stdout
        for p in PACKAGES:
            self.assertIn("%s install ok installed" % p, status)

        user = entry(root, "passwd", "ffc")
        group = entry(root, "group", "ffc")
        self.assertIsNotNone(user)
        self.assertIsNotNone(group)
        uid, gid = int(user[2]), int(group[2])
        self.assertLess(uid, 1000, "a system user")
        self.assertEqual(int(user[3]), gid)
        self.assertEqual(user[5:], ["/var/lib/ffc", "/usr/sbin/nologin"])
        self.assertIsNotNone(entry(root, "shadow", "ffc"))

        data = os.path.join(root, "var/lib/ffc")
        self.assertEqual(owner_mode(data), (uid, gid, 0o700))
        conf = os.path.join(root, "etc/ffc/ffcd.conf")
        self.assertEqual(owner_mode(conf), (0, gid, 0o640))
        with open(os.path.join(root, "var/lib/dpkg/statoverride")) as f:
            self.assertRegex(f.read(), r"(?m)^root \S+ 640 /etc/ffc/ffcd\.conf$")
        conffiles = run(["dpkg-query", "--admindir=" + os.path.join(root, "var/lib/dpkg"),
                         "-W", "-f", "${Conffiles}\n", "ffc"]).stdout
        self.assertIn("/etc/ffc/ffcd.conf", conffiles)

        # The unit as installed verifies (its paths pointed into the root).
        with open(os.path.join(root, "usr/lib/systemd/system/ffcd.service")) as f:
            unit = f.read()
        self.assertIn("ExecStart=/usr/sbin/ffcd -c /etc/ffc/ffcd.conf\n", unit)
        here = os.path.join(self.base, "ffcd.service")
        with open(here, "w") as f:
            f.write(unit.replace("=/usr/sbin/", "=%s/usr/sbin/" % root)
                    .replace(" /etc/ffc/", " %s/etc/ffc/" % root))
        env = dict(os.environ, MANPATH=os.path.join(root, "usr/share/man") + ":")
        r = run(["systemd-analyze", "verify", here], env=env, check=False)
        self.assertEqual((r.returncode, r.stderr), (0, ""), r.stdout + r.stderr)

        # The packaged programs run: the daemon checks the packaged file,
        # a tool finds the packaged library.
        r = run([os.path.join(root, "usr/sbin/ffcd"), "-n", "-c", conf])
        self.assertIn("OK (6 rules)", r.stdout)
        (libdir,) = glob.glob(os.path.join(root, "usr/lib/*/libffc.so.0"))
        r = run([os.path.join(root, "usr/bin/ffcctl"), "--version"],
                env=dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(libdir)))
        self.assertRegex(r.stdout, r"^ffcctl \d")

        # Installed again over an administrator's changes: the configuration
        # (a conffile) and the store stay as they are.
        with open(conf, "a") as f:
            f.write("# local change\n")
        os.chmod(data, 0o750)
        store = os.path.join(data, "data.mdb")
        with open(store, "wb") as f:
            f.write(b"store")
        os.chown(store, uid, gid)
        os.chmod(store, 0o600)
        before = os.stat(store)
        dpkg(root, "-i", self.debs["ffc"])
        with open(conf) as f:
            self.assertTrue(f.read().endswith("# local change\n"))
        self.assertEqual(owner_mode(conf), (0, gid, 0o640))
        self.assertEqual(owner_mode(data), (uid, gid, 0o750))
        after = os.stat(store)
        self.assertEqual((after.st_mtime_ns, after.st_uid, after.st_size),
                         (before.st_mtime_ns, before.st_uid, before.st_size))
        self.assertEqual(entry(root, "passwd", "ffc"), user)

        # Purged: the configuration and its override go; the store and the
        # user stay.
        dpkg(root, "--purge", "ffc")
        self.assertFalse(os.path.exists(conf))
        with open(os.path.join(root, "var/lib/dpkg/statoverride")) as f:
            self.assertNotIn("/etc/ffc/ffcd.conf", f.read())
        self.assertTrue(os.path.exists(store))
        self.assertEqual(entry(root, "passwd", "ffc"), user)

    def test_4_existing_data_directory_untouched(self):
        """A /var/lib/ffc that was there before the package (an earlier
        install by hand) is the administrator's: never chowned."""
        root = new_root(self.base, "existing")
        data = os.path.join(root, "var/lib/ffc")
        os.makedirs(data)
        os.chmod(data, 0o755)
        dpkg(root, "-i", *[self.debs[p] for p in PACKAGES])
        self.assertIsNotNone(entry(root, "passwd", "ffc"))
        self.assertEqual(owner_mode(data), (0, 0, 0o755))


if __name__ == "__main__":
    unittest.main(verbosity=2)
