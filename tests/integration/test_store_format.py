"""The store across versions, whatever this build's format number: the
store records its format (`ffcctl status` shows it); a store written by a
newer ffcd (its format key one past this build's, written with LMDB's own
Python binding, independently of ffcd) is refused at start with a message
naming both formats, and left as it was; a format that is not a number is
refused too; and a migration runs in one transaction: a format-1 store
with one entry that cannot be migrated is refused whole, every other entry
still in format 1 and the format recorded unchanged, and once the entry is mended it
migrates."""

import hashlib
import json
import os
import shutil
import subprocess
import unittest

from ffctest import BIN, CONF, SOURCE, Daemon, main, scratch_dir

try:
    import lmdb  # the Debian package python3-lmdb (.ci/deps)
except ImportError:
    lmdb = None

FIXTURE = os.path.join(SOURCE, "tests", "fixtures", "store-format-1")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def meta(data, key, value=None):
    """Read (value None) or write a key of the store's meta table."""
    env = lmdb.open(data, max_dbs=64, readonly=value is None, lock=True)
    try:
        db = env.open_db(b"meta", create=False)
        with env.begin(db=db, write=value is not None) as txn:
            if value is None:
                return txn.get(key)
            txn.put(key, value)
            return value
    finally:
        env.close()


@unittest.skipUnless(lmdb, "python3-lmdb is not installed")
class Format(unittest.TestCase):
    def ffcd(self, data):
        """Run ffcd on data until it answers or exits: (exit code or None,
        stderr)."""
        d = Daemon(data=data)
        self.addCleanup(d.close)
        try:
            d.start()
        except AssertionError:
            return d.proc.returncode, d.stderr()
        status = d.status()
        self.assertEqual(status.store_format, self.format)
        js = json.loads(d.tool("ffcctl", "--json", "status").stdout)
        self.assertEqual(js["store_format"], self.format)
        d.assert_stops_cleanly(self)
        return None, d.stderr()

    def setUp(self):
        self.data = os.path.join(scratch_dir(self), "data")
        # A new store, made by this build, records this build's format.
        d = Daemon(data=self.data)
        self.addCleanup(d.close)
        d.start()
        self.format = d.status().store_format
        d.assert_stops_cleanly(self)
        self.assertEqual(meta(self.data, b"format"), str(self.format).encode())
        self.assertGreaterEqual(self.format, 2)

    def test_newer_store_refused(self):
        newer = self.format + 1
        meta(self.data, b"format", str(newer).encode())
        before = digest(os.path.join(self.data, "data.mdb"))
        rc, err = self.ffcd(self.data)
        self.assertEqual(rc, 1, err)
        self.assertIn("store format %d is newer than this ffcd (%d); upgrade ffcd"
                      % (newer, self.format), err)
        self.assertEqual(digest(os.path.join(self.data, "data.mdb")), before,
                         "a refused store was changed")
        self.assertEqual(meta(self.data, b"format"), str(newer).encode())
        # ffcd -n checks the configuration only: it does not open the store.
        n = subprocess.run([os.path.join(BIN, "ffcd"), "-n", "-c", CONF], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(n.returncode, 0, n.stderr)
        # Put back as this build wrote it, the store opens again.
        meta(self.data, b"format", str(self.format).encode())
        self.assertEqual(self.ffcd(self.data)[0], None)

    def test_malformed_format_refused(self):
        for bad in (b"two", b"", b"-1", b"2x", b"99999999999999999999"):
            meta(self.data, b"format", bad)
            rc, err = self.ffcd(self.data)
            self.assertEqual(rc, 1, (bad, err))
            self.assertRegex(err, r"store format .* (is not one this ffcd reads \(%d\)|"
                                  r"is newer than this ffcd \(%d\))" % (self.format, self.format))


@unittest.skipUnless(lmdb, "python3-lmdb is not installed")
class OneTransaction(unittest.TestCase):
    def test_migration_is_whole_or_nothing(self):
        data = os.path.join(scratch_dir(self), "data")
        os.makedirs(data, mode=0o700)
        shutil.copyfile(os.path.join(FIXTURE, "data.mdb"), os.path.join(data, "data.mdb"))
        # One timeline entry no migration can read: the last one, so every
        # other entry would be migrated before it is met.
        env = lmdb.open(data, max_dbs=64)
        tl = env.open_db(b"timeline", create=False)
        with env.begin(db=tl, write=True) as txn:
            entries = dict(txn.cursor())
            self.assertGreater(len(entries), 3)
            self.assertTrue(all(len(v) in (3, 4) for v in entries.values()), "not format 1")
            last = max(entries)
            txn.put(last, b"\x01\x02\x03\x04\x05\x06\x07")
        meta_db = env.open_db(b"meta", create=False)
        with env.begin(db=meta_db) as txn:
            old_format = txn.get(b"format")
        self.assertIn(old_format, (None, b"1"))
        env.close()

        d = Daemon(data=data)
        self.addCleanup(d.close)
        with self.assertRaises(AssertionError):
            d.start()
        self.assertEqual(d.proc.returncode, 1)
        self.assertIn("malformed format-1 entry", d.stderr())
        self.assertIn("cannot initialise the store", d.stderr())
        # Nothing of the migration stands.
        env = lmdb.open(data, max_dbs=64, readonly=True)
        tl, meta_db = env.open_db(b"timeline", create=False), env.open_db(b"meta", create=False)
        with env.begin() as txn:
            after = dict(txn.cursor(db=tl))
            self.assertEqual(txn.get(b"format", db=meta_db), old_format)
        env.close()
        self.assertEqual(set(after), set(entries))
        for k, v in after.items():
            self.assertEqual(v, entries[k] if k != last else b"\x01\x02\x03\x04\x05\x06\x07")

        # Mended, it migrates, once.
        env = lmdb.open(data, max_dbs=64)
        tl = env.open_db(b"timeline", create=False)
        with env.begin(db=tl, write=True) as txn:
            txn.put(last, entries[last])
        env.close()
        d.start()
        self.assertIn("timeline entries migrated", d.stderr())
        self.assertGreaterEqual(d.status().store_format, 2)
        d.assert_stops_cleanly(self)


if __name__ == "__main__":
    main()
