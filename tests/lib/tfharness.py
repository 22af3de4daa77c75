# SPDX-License-Identifier: MIT
"""One object for the provider suites 63-66: the pieces of tfsession.py (TAP, a real scw-iamd on a
bootstrapped SQLite database, the real Terraform CLI with dev_overrides) put together, plus what
those suites need on top (the server's request log, a closed port, the raw state file).

    from tfharness import Harness
    h = Harness("scw-tf-accept-")        # temp dir, bootstrapped database, scw-iamd on a free port
    h.tap(ok, "name", diag)              # TAP lines; h.finish() stops the server and prints the plan
    st, body = h.api("GET", "/iam/v1alpha1/api-keys")
    d = h.project("name", 'resource "..." {}')   # a directory with main.tf (terraform block added)
    rc, out = h.tf(d, "apply", "-auto-approve")  # the real CLI, dev_overrides to the built provider
    h.state(d)                           # {address: values} from `terraform show -json`
    h.requests()                         # (method, path, status) the server logged so far

Nothing here is a fake: the server is build-san/scw-iamd when present, else build/scw-iamd.
"""
import json
import os
import socket
import time

import iamd
import tfsession

ROOT = tfsession.ROOT
PROVIDER = tfsession.PROVIDER
HEAD = tfsession.HEAD


class Harness:
    def __init__(self, prefix):
        self.tap = tfsession.Tap()
        self.work = tfsession.workdir(prefix)
        self.srv = None
        tfsession.SERVER = iamd.binary(prefer_san=True)
        if not tfsession.available():
            self.tap(False, "terraform, scw-iamd and the provider are available")
            self.finish()
        try:
            self.srv = tfsession.Server(self.work)
        except RuntimeError as e:
            self.tap(False, "scw-iamd starts on a free port", e)
            self.finish()
        self.cli = tfsession.Terraform(self.work, self.srv)
        self.env = self.cli.env
        self.org, self.ak, self.sk, self.owner, self.url = (self.srv.org, self.srv.ak, self.srv.sk, self.srv.user,
                                                            self.srv.url)
        self.api = self.srv.api

    def finish(self):
        self.cleanup()
        self.tap.finish()

    def cleanup(self):
        if self.srv:
            self.srv.stop()
        tfsession.rmtree(self.work)

    def requests(self):
        """(method, path, status) of every request the server logged so far."""
        time.sleep(0.2)  # scw-iamd's logger thread writes queued request lines every 50 ms
        out = []
        with open(self.srv.logpath) as f:
            for line in f:
                try:
                    o = json.loads(line)
                except ValueError:
                    continue
                if o.get("@message") == "request":
                    out.append((o.get("method"), o.get("path"), o.get("status")))
        return out

    @staticmethod
    def free_port():
        """A loopback port nobody listens on (bound then closed: connecting to it is refused)."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        s.close()
        return p

    def project(self, name, text, head=HEAD):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        return self.write(d, text, head)

    @staticmethod
    def write(d, text, head=HEAD):
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(head + text)
        return d

    def tf(self, d, *args, e=None, timeout=240):
        return self.cli.run(d, *args, env=e, timeout=timeout)

    def state(self, d):
        return self.cli.state(d)

    @staticmethod
    def raw_state(d):
        try:
            with open(os.path.join(d, "terraform.tfstate")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}
