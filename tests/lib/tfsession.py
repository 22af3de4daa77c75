# SPDX-License-Identifier: MIT
"""Shared harness of the provider suites written in Python (tests/suites/51-*, 52-*; to be merged into tfharness.py): TAP output,
a real scw-iamd on a bootstrapped SQLite database (free loopback port), its HTTP API, and the real
Terraform CLI with dev_overrides pointing at the built provider. Not a suite itself."""
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

ROOT = os.environ.get("SCW_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("SCW_BUILD", os.path.join(ROOT, "build"))
PROVIDER = os.path.join(BUILD, "terraform-provider-scaleway")
SERVER = os.path.join(BUILD, "scw-iamd")
HEAD = 'terraform {\n  required_providers {\n    scaleway = { source = "scaleway/scaleway" }\n  }\n}\n'


class Tap:
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
            for line in str(diag).strip().splitlines()[-30:]:
                print("# " + line)
        sys.stdout.flush()
        return ok

    def finish(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


class Server:
    """scw-iamd on a fresh database in work; .api(method, path, body) talks to it as the admin."""

    def __init__(self, work):
        self.work = work
        db = os.path.join(work, "iam.db")
        boot = json.loads(subprocess.run([SERVER, "bootstrap", "--db", db], check=True, capture_output=True,
                                         text=True).stdout)
        self.org, self.ak, self.sk, self.user = (boot["organization_id"], boot["access_key"], boot["secret_key"],
                                                 boot["user_id"])
        self.project = boot.get("project_id")
        self.logpath = os.path.join(work, "server.log")
        self.log = open(self.logpath, "w")
        self.proc = subprocess.Popen([SERVER, "serve", "--listen", "127.0.0.1:0", "--db", db, "--log-level", "info"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        port = None
        for _ in range(200):
            with open(self.logpath) as f:
                m = re.search(r"127\.0\.0\.1:(\d+)", f.read())
            if m and m.group(1) != "0":
                port = m.group(1)
                break
            time.sleep(0.05)
        if not port:
            raise RuntimeError("scw-iamd did not start: " + open(self.logpath).read())
        self.url = "http://127.0.0.1:%s" % port
        for _ in range(100):
            try:
                if self.api("GET", "/iam/v1alpha1/api-keys")[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)

    def api(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"X-Auth-Token": token or self.sk, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                data = r.read()
                return r.status, json.loads(data) if data else None
        except urllib.error.HTTPError as e:
            data = e.read()
            return e.code, json.loads(data) if data else None

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

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Terraform:
    """The terraform CLI with dev_overrides for the built provider, credentials of srv."""

    def __init__(self, work, srv):
        self.work = work
        cli = os.path.join(work, "cli.tfrc")
        with open(cli, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "scaleway/scaleway" = "%s"\n  }\n'
                    '  direct {}\n}\n' % os.path.dirname(PROVIDER))
        base = {k: v for k, v in os.environ.items() if not k.startswith(("SCW_", "SCALEWAY_", "TF_"))}
        base.update({"TF_CLI_CONFIG_FILE": cli, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
                     "HOME": work, "SCW_CONFIG_PATH": os.path.join(work, "scw.yaml")})
        self.env = dict(base, SCW_API_URL=srv.url, SCW_ACCESS_KEY=srv.ak, SCW_SECRET_KEY=srv.sk,
                        SCW_DEFAULT_ORGANIZATION_ID=srv.org)

    def write(self, name, text):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(HEAD + text)
        return d

    def run(self, d, *args, env=None, timeout=180):
        try:
            p = subprocess.run(["terraform"] + list(args) + ["-no-color"], cwd=d, env=env or self.env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=timeout)
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired as ex:
            return 124, "timed out: %s" % (ex.stdout or "")

    def state(self, d):
        p = subprocess.run(["terraform", "show", "-json"], cwd=d, env=self.env, capture_output=True, text=True)
        try:
            res = json.loads(p.stdout).get("values", {}).get("root_module", {}).get("resources", [])
            return {r["address"]: r["values"] for r in res}
        except ValueError:
            return {}


def workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def available():
    return os.access(PROVIDER, os.X_OK) and os.access(SERVER, os.X_OK) and shutil.which("terraform")
