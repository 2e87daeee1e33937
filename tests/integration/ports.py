"""Loopback TCP ports for test daemons, free of two races.

A port the kernel hands out for bind(0) comes from the ephemeral range,
the same range it takes source ports from for outgoing connections: in
the gap between probing a port and ffcd binding it, any client in any
test run in parallel may connect from it, and ffcd's bind then fails
with "Address already in use". So ports come from below that range,
where no connection is given one. Each is held by an flock on a file in
a directory all of the user's test processes share, until the process
that took it exits, so two tests running side by side never pick the
same one.
"""

import fcntl
import os
import random
import socket
import tempfile

LOCK_DIR = os.path.join(tempfile.gettempdir(), "ffc-test-ports-%d" % os.getuid())
_held = []  # lock files kept open: the lock lasts as long as the process


def _candidates():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    if low > 12000:
        return range(10000, low)
    return range(high + 1, 65536)


def free_port():
    """A loopback port nobody listens on, outside the ephemeral range,
    reserved for this process against other test processes."""
    os.makedirs(LOCK_DIR, mode=0o700, exist_ok=True)
    ports = _candidates()
    start = random.randrange(len(ports))
    for i in range(len(ports)):
        port = ports[(start + i) % len(ports)]
        try:
            fd = os.open(os.path.join(LOCK_DIR, str(port)), os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                os.close(fd)
                continue
        _held.append(fd)
        return port
    raise RuntimeError("no free loopback port in %d..%d" % (ports[0], ports[-1]))
