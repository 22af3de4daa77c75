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

ROOT = os.environ.get("SCW_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("SCW_BUILD", os.path.join(ROOT, "build"))
BUILD_SAN = os.environ.get("SCW_BUILD_SAN", os.path.join(ROOT, "build-san"))
PROVIDER = os.path.join(BUILD, "terraform-provider-scaleway")
HEAD = 'terraform {\n  required_providers {\n    scaleway = { source = "scaleway/scaleway" }\n  }\n}\n'


def server_binary():
    san = os.path.join(BUILD_SAN, "scw-iamd")
    return san if os.access(san, os.X_OK) else os.path.join(BUILD, "scw-iamd")


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
    def __init__(self, prefix, start_server=True, build=None, shared_tap=None):
        """build: the directory of the provider (and of scw-iamd) to use, default build/ (scw-iamd from
        build-san/ when present); shared_tap: a Tap counting for several harnesses."""
        self.counter = shared_tap or Tap()
        self.srv = None
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.srvlog_path = os.path.join(self.work, "server.log")
        self.provider = os.path.join(build, "terraform-provider-scaleway") if build else PROVIDER
        self.server = os.path.join(build, "scw-iamd") if build else server_binary()
        if not (os.access(self.provider, os.X_OK) and os.access(self.server, os.X_OK) and shutil.which("terraform")):
            self.tap(False, "terraform, scw-iamd and the provider are available")
            self.finish()
        self.cli = os.path.join(self.work, "cli.tfrc")
        with open(self.cli, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "scaleway/scaleway" = "%s"\n  }\n'
                    '  direct {}\n}\n' % os.path.dirname(self.provider))
        self.base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "SCALEWAY_", "TF_"))}
        self.base_env.update({"TF_CLI_CONFIG_FILE": self.cli, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                              "HOME": self.work})
        self.env = dict(self.base_env)
        if start_server:
            self.start()

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
        if self.srv and self.srv.poll() is None:
            self.srv.terminate()
            try:
                self.srv.wait(15)
            except subprocess.TimeoutExpired:
                self.srv.kill()
                self.srv.wait(5)
        shutil.rmtree(self.work, ignore_errors=True)

    # ---- the server ----
    def start(self):
        db = os.path.join(self.work, "iam.db")
        boot = json.loads(subprocess.run([self.server, "bootstrap", "--db", db], check=True, capture_output=True,
                                         text=True, timeout=60).stdout)
        self.org, self.ak, self.sk, self.owner = (boot["organization_id"], boot["access_key"], boot["secret_key"],
                                                  boot["user_id"])
        srvlog = open(self.srvlog_path, "w")
        self.srv = subprocess.Popen([self.server, "serve", "--listen", "127.0.0.1:0", "--db", db,
                                     "--log-level", "info"], stdout=srvlog, stderr=subprocess.STDOUT)
        port = None
        for _ in range(400):
            with open(self.srvlog_path) as f:
                m = re.search(r"127\.0\.0\.1:(\d+)", f.read())
            if m and m.group(1) != "0":
                port = m.group(1)
                break
            time.sleep(0.05)
        if not port:
            with open(self.srvlog_path) as f:
                self.tap(False, "scw-iamd starts on a free port", f.read())
            self.finish()
        self.port = int(port)
        self.url = "http://127.0.0.1:%s" % port
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
