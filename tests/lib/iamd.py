# SPDX-License-Identifier: MIT
"""Shared helpers of the scw-iamd end-to-end suites (Python 3 stdlib only): TAP output, a real
scw-iamd on a free port with a temporary SQLite database, HTTP and raw-socket clients. Suites
import it with sys.path.insert(0, <repo>/tests/lib)."""
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.environ.get("SCW_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SCW_BUILD") or os.path.join(ROOT, "build")
BUILD_SAN = os.environ.get("SCW_BUILD_SAN") or os.path.join(ROOT, "build-san")


def binary(prefer_san=True):
    san = os.path.join(BUILD_SAN, "scw-iamd")
    if prefer_san and os.access(san, os.X_OK):
        return san
    return os.path.join(BUILD, "scw-iamd")


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines()[:20]:
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def check(self, name, fn):
        try:
            res = fn()
            if isinstance(res, tuple):
                self.ok(res[0], name, res[1])
            else:
                self.ok(bool(res), name)
        except Exception:
            self.ok(False, name, traceback.format_exc())

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


class Resp:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = raw
        try:
            self.js = json.loads(raw) if raw else None
        except ValueError:
            self.js = None

    def __repr__(self):
        return "HTTP %d %r %s" % (self.status, self.headers, self.raw[:600])


class Workspace:
    """A temporary directory removed at exit, and the servers started in it (killed at exit).
    With dir: an existing directory its owner removes (tfharness.Harness); nothing done at exit."""

    def __init__(self, prefix, dir=None):
        self.dir = dir or tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        if dir is None:
            atexit.register(self.cleanup)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("SCW_KEEP_TMP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)

    def bootstrap(self, name="iam.db", bin_path=None):
        db = os.path.join(self.dir, name)
        r = subprocess.run([bin_path or binary(), "bootstrap", "--db", db], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60, check=True)
        return db, json.loads(r.stdout)


class Server:
    def __init__(self, ws, db, *extra, name="srv", bin_path=None):
        self.ws = ws
        self.db = db
        self.bin = bin_path or binary()
        self.log = os.path.join(ws.dir, name + ".log")
        self.extra = list(extra)
        self.proc = None
        self.port = None

    def start(self):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([self.bin, "serve", "--listen", "127.0.0.1:0", "--db", self.db] + self.extra,
                                     stdout=subprocess.DEVNULL, stderr=self.logf, stdin=subprocess.DEVNULL)
        self.ws.procs.append(self.proc)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d: %s" % (self.proc.returncode, open(self.log).read()[-2000:]))
            with open(self.log, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if '"listening"' in line:
                        self.port = int(json.loads(line)["address"].rsplit(":", 1)[1])
                        return self
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.logf.close()
        return rc

    def pause(self):
        """SIGSTOP the server and wait until every thread of it is stopped (kill() returns before)."""
        os.kill(self.proc.pid, signal.SIGSTOP)
        deadline = time.time() + 10
        task = "/proc/%d/task" % self.proc.pid
        while time.time() < deadline:
            states = []
            for t in os.listdir(task):
                try:
                    with open(os.path.join(task, t, "stat")) as f:
                        states.append(f.read().rsplit(")", 1)[1].split()[0])
                except OSError:
                    pass
            if states and all(s in ("T", "t") for s in states):
                return
            time.sleep(0.01)
        raise RuntimeError("the server did not stop")

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def log_text(self):
        with open(self.log, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, token=None, headers=None, source="127.0.0.1", timeout=30, conn=None):
        h = dict(headers or {})
        if token is not None:
            h["X-Auth-Token"] = token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        payload = r.read()
        if conn is None:
            c.close()
        return Resp(r.status, r.getheaders(), payload)

    def connect(self, source="127.0.0.1", timeout=10):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect(("127.0.0.1", self.port))
        return s

    def raw(self, data, source="127.0.0.1", timeout=10, shut=False):
        """Send raw bytes on a new connection; return the parsed answer (or None on close)."""
        s = self.connect(source, timeout)
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
            return read_response(s)
        finally:
            s.close()


def read_response(s):
    """Read one HTTP/1.1 response (Content-Length framed) from socket s; None when closed first."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            chunk = b""
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = [tuple(x.split(": ", 1)) for x in lines[1:] if ": " in x]
    n = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Resp(status, headers, rest[:n])


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
