# SPDX-License-Identifier: MIT
"""Shared harness of the provider suites that drive the real Terraform CLI against a real scw-iamd.

    from tfharness import Harness
    h = Harness("scw-tf-accept-")        # temp dir, bootstrapped database, scw-iamd on a free port
    h.tap(ok, "name", diag)              # TAP lines; h.finish() prints the plan and exits
    st, body = h.api("GET", "/iam/v1alpha1/api-keys")
    d = h.project("name", 'resource "..." {}')   # a directory with main.tf (terraform block added)
    rc, out = h.tf(d, "apply", "-auto-approve")  # the real CLI, dev_overrides to build/
    h.state(d)                           # {address: values} from `terraform show -json`
    h.requests()                         # (method, path, status) the server logged so far
    rc, out, log = h.tf_trace(d, "name", "apply", "-auto-approve")  # with TF_LOG=trace to a file

Harness(prefix, start_server=False) drives Terraform alone (e.g. against a test double);
h.setenv(K=v) adds variables to every run (e.g. SCW_CONFIG_PATH); overrides adds dev_overrides
({"example/fwtest": directory}) next to scaleway/scaleway. The server is started through
tests/lib/iamd.py (the server suites' launcher), in the harness's own temp dir.

Nothing here is a fake: the server is build-san/scw-iamd when present, else build/scw-iamd.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import iamd  # noqa: E402
from iamd import BUILD, BUILD_SAN, ROOT  # noqa: E402,F401  (the locations, one definition for both)

PROVIDER = os.path.join(BUILD, "terraform-provider-scaleway")
HEAD = 'terraform {\n  required_providers {\n    scaleway = { source = "scaleway/scaleway" }\n  }\n}\n'


def server_binary():
    return iamd.binary()


def without_source(out):
    """Terraform's own echo of the offending config line ("  7:   x = ...") removed from its output."""
    return "\n".join(l for l in out.splitlines() if not re.match(r"^\s*\d+:", l))


class Tap:
    """TAP numbering shared by several Harness objects (a suite run once per build); prefix tags names."""

    def __init__(self):
        self.n = 0
        self.failed = 0
        self.prefix = ""

    def __call__(self, ok, name, diag=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, self.prefix, name))
        if not ok and diag:
            for line in str(diag).strip().splitlines()[-40:]:
                print("# " + line)
        sys.stdout.flush()
        return ok

    def finish(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


class Harness:
    def __init__(self, prefix, start_server=True, build=None, shared_tap=None, overrides=None):
        """build: the directory of the provider (and of scw-iamd) to use, default build/ (scw-iamd from
        build-san/ when present); shared_tap: a Tap counting for several harnesses; overrides: more
        dev_overrides, {source address: directory}."""
        self.counter = shared_tap or Tap()
        self.srv = self.daemon = None  # scw-iamd's process, and its iamd.Server
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.srvlog_path = os.path.join(self.work, "server.log")
        self.provider = os.path.join(build, "terraform-provider-scaleway") if build else PROVIDER
        self.server = os.path.join(build, "scw-iamd") if build else server_binary()
        if not (os.access(self.provider, os.X_OK) and shutil.which("terraform")
                and (not start_server or os.access(self.server, os.X_OK))):
            self.tap(False, "terraform, scw-iamd and the provider are available" if start_server
                     else "terraform and the provider are available")
            self.finish()
        self.cli = os.path.join(self.work, "cli.tfrc")
        lines = ['    "%s" = "%s"\n' % (src, d) for src, d in
                 [("scaleway/scaleway", os.path.dirname(self.provider))] + sorted((overrides or {}).items())]
        with open(self.cli, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n%s  }\n  direct {}\n}\n' % "".join(lines))
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "SCALEWAY_", "TF_"))}
        self.base_env.update({"TF_CLI_CONFIG_FILE": self.cli, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                              "HOME": self.work})
        self.env = dict(self.base_env)
        if start_server:
            self.start()

    def setenv(self, **kv):
        """Variables for every Terraform run, with or without the server's credentials."""
        self.base_env.update(kv)
        self.env.update(kv)

    # ---- TAP ----
    def tap(self, ok, name, diag=""):
        return self.counter(ok, name, diag)

    @property
    def n(self):
        return self.counter.n

    @property
    def failed(self):
        return self.counter.failed

    def finish(self):
        self.cleanup()
        self.counter.finish()

    def cleanup(self):
        if self.daemon:
            self.daemon.stop(timeout=15)
        shutil.rmtree(self.work, ignore_errors=True)

    # ---- the server ----
    def start(self):
        ws = iamd.Workspace(None, dir=self.work)  # cleanup() stops the server and removes the dir
        self.db, boot = ws.bootstrap(bin_path=self.server)
        self.org, self.ak, self.sk, self.owner = (boot["organization_id"], boot["access_key"], boot["secret_key"],
                                                  boot["user_id"])
        self.daemon = iamd.Server(ws, self.db, "--log-level", "info", name="server", bin_path=self.server)
        try:
            self.daemon.start()
        except RuntimeError as e:
            self.tap(False, "scw-iamd starts on a free port", e)
            self.finish()
        self.srv = self.daemon.proc
        self.port = self.daemon.port
        self.url = "http://127.0.0.1:%d" % self.port
        for _ in range(200):
            try:
                if self.api("GET", "/iam/v1alpha1/api-keys")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        self.env = dict(self.base_env, SCW_API_URL=self.url, SCW_ACCESS_KEY=self.ak, SCW_SECRET_KEY=self.sk,
                        SCW_DEFAULT_ORGANIZATION_ID=self.org)

    def api(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"X-Auth-Token": token or self.sk, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                data = r.read()
                return r.status, json.loads(data) if data else None
        except urllib.error.HTTPError as e:
            data = e.read()
            return e.code, json.loads(data) if data else None

    def requests(self):
        """(method, path, status) of every request the server logged so far."""
        time.sleep(0.2)  # scw-iamd's logger thread writes queued request lines every 50 ms
        out = []
        with open(self.srvlog_path) as f:
            for line in f:
                try:
                    o = json.loads(line)
                except ValueError:
                    continue
                if o.get("@message") == "request":
                    out.append((o.get("method"), o.get("path"), o.get("status")))
        return out

    def logtext(self):
        """The server's log so far, once it has caught up: a sentinel request is logged after every
        request answered before it."""
        sentinel = "/iam/v1alpha1/users/%s" % uuid.uuid4()
        self.api("GET", sentinel)
        for _ in range(200):
            with open(self.srvlog_path) as f:
                text = f.read()
            if sentinel in text:
                return text
            time.sleep(0.05)
        return text

    def keys(self):
        """Every API key of the organization (all pages), by access key."""
        out, page = {}, 1
        while True:
            st, body = self.api("GET", "/iam/v1alpha1/api-keys?page_size=100&page=%d" % page)
            if st != 200:
                raise RuntimeError("listing keys: %s %s" % (st, body))
            for k in body["api_keys"]:
                out[k["access_key"]] = k
            if not body["api_keys"] or len(out) >= body["total_count"]:
                return out
            page += 1

    def keys_of(self, bearer):
        """Access keys borne by an application or user (first 100), None when the listing fails."""
        st, body = self.api("GET", "/iam/v1alpha1/api-keys?bearer_id=%s&page_size=100" % bearer)
        return [k["access_key"] for k in body["api_keys"]] if st == 200 else None

    def absent(self, key, bearer):
        """The listing of bearer's keys works and does not hold key."""
        ks = self.keys_of(bearer)
        return ks is not None and key not in ks

    def free_port(self):
        """A loopback port nobody listens on (bound then closed: connecting to it is refused)."""
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        return p

    # ---- Terraform ----
    def project(self, name, text, head=HEAD):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        self.write(d, text, head)
        return d

    def write(self, d, text, head=HEAD):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(head + text)
        return d

    def tf(self, d, *args, e=None, timeout=240):
        try:
            p = subprocess.run(["terraform"] + list(args) + ["-no-color"], cwd=d, env=e or self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=timeout)
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired as ex:
            return 124, "timed out: %s" % (ex.stdout or "")

    def tf_raw(self, d, *args, e=None, timeout=120):
        """terraform with colours, stdout and stderr apart: (rc, stdout, stderr)."""
        p = subprocess.run(["terraform"] + list(args), cwd=d, env=e or self.env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def tf_trace(self, d, name, *args, e=None, level="trace"):
        """tf() with TF_LOG=level written to <work>/<name>.log (fresh): (rc, output, log text)."""
        logf = os.path.join(self.work, name + ".log")
        if os.path.exists(logf):
            os.unlink(logf)
        rc, out = self.tf(d, *args, e=dict(e or self.env, TF_LOG=level, TF_LOG_PATH=logf))
        with open(logf, errors="replace") as f:  # no log at all is an error, not an empty (clean) log
            return rc, out, f.read()

    def state(self, d, e=None):
        p = subprocess.run(["terraform", "show", "-json"], cwd=d, env=e or self.env, capture_output=True,
                           text=True, timeout=120)
        try:
            res = json.loads(p.stdout).get("values", {}).get("root_module", {}).get("resources", [])
        except ValueError:
            return {}
        return {r["address"]: r["values"] for r in res}

    def raw_state(self, d):
        try:
            with open(os.path.join(d, "terraform.tfstate")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
