#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""FAULT-INJECTING TEST DOUBLE of the Scaleway IAM API -- a fake, used ONLY by the client fault
suites (tests/suites/45-client-faults, 48-provider-api-key-faults) to produce failures a real scw-iamd cannot: 429 with
Retry-After, 500/503/501, connection resets, answers lost after the request was processed, and
slow answers. It keeps a tiny in-memory store of API keys and applications so that creates,
gets, lists (with pages) and deletes behave plausibly. It is not a reference for the API.

Control endpoints (no auth):
  POST /_fault/arm    {"faults":[{"match":"POST /iam/v1alpha1/api-keys","action":...}, ...]}
       each fault is used once, in order, by the first request whose "METHOD path" starts with
       match. actions: status (status, retry_after, body), reset (close with RST, nothing done),
       process_then_reset (do the request, then RST: the answer is lost),
       process_then_status (do the request, then answer status), slow (sleep seconds, then do it)
  GET  /_fault/log    the requests seen: [{"method","path","ua","token","port","t"}]
  POST /_fault/reset  forget faults, log and objects
  POST /_fault/clear  forget the faults not used yet (objects and log are kept)
Prints "PORT <n>" on stdout once listening on 127.0.0.1 (port 0 = any free port).
"""
import json
import socket
import struct
import sys
import threading
import time
import uuid
import random
import string
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

TOKEN = sys.argv[1] if len(sys.argv) > 1 else "11111111-1111-4111-8111-111111111111"
ORG = "4c3e1b2a-0000-4000-8000-000000000001"
LOCK = threading.Lock()
STATE = {"faults": [], "log": [], "keys": {}, "apps": {}}
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def send_json(self, status, obj, extra=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", str(uuid.uuid4()))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def rst(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return json.loads(raw) if raw else {}

    def handle_any(self):
        url = urlsplit(self.path)
        data = self.body()
        if url.path.startswith("/_fault/"):
            return self.control(url.path, data)
        with LOCK:
            STATE["log"].append({"method": self.command, "path": self.path,
                                 "ua": self.headers.get("User-Agent"),
                                 "token": self.headers.get("X-Auth-Token"),
                                 "port": self.client_address[1], "t": time.time()})
            fault = None
            for i, f in enumerate(STATE["faults"]):
                if ("%s %s" % (self.command, self.path)).startswith(f["match"]):
                    fault = STATE["faults"].pop(i)
                    break
        if fault:
            act = fault["action"]
            if act == "status":
                extra = {}
                if "retry_after" in fault:
                    extra["Retry-After"] = fault["retry_after"]
                if "text" in fault:
                    body = fault["text"].encode()
                    self.send_response(fault["status"])
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                    return
                return self.send_json(fault["status"], fault.get("body", {"message": "fault", "type": "fault"}), extra)
            if act == "reset":
                return self.rst()
            if act == "slow":
                time.sleep(fault["seconds"])
        if self.headers.get("X-Auth-Token") != TOKEN:
            return self.send_json(401, {"message": "authentication is denied", "method": "api_key",
                                        "reason": "not_found", "type": "denied_authentication"})
        status, obj = self.api(url, data)
        if fault and fault["action"] == "process_then_reset":
            return self.rst()
        if fault and fault["action"] == "process_then_status":
            return self.send_json(fault["status"], {"message": "fault", "type": "fault"})
        self.send_json(status, obj)

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

    def control(self, path, data):
        with LOCK:
            if path == "/_fault/arm":
                STATE["faults"].extend(data["faults"])
                return self.send_json(200, {})
            if path == "/_fault/log":
                return self.send_json(200, {"log": STATE["log"], "keys": len(STATE["keys"]),
                                            "apps": len(STATE["apps"])})
            if path == "/_fault/clear":
                STATE["faults"] = []
                return self.send_json(200, {})
            if path == "/_fault/reset":
                STATE.update({"faults": [], "log": [], "keys": {}, "apps": {}})
                return self.send_json(200, {})
        return self.send_json(404, {})

    def api(self, url, data):
        q = parse_qs(url.query)
        parts = url.path.split("/")[3:]  # after /iam/v1alpha1
        coll = parts[0] if parts else ""
        oid = parts[1] if len(parts) > 1 else None
        with LOCK:
            if coll == "api-keys":
                return self.api_keys(oid, q, data)
            if coll == "applications":
                return self.apps(oid, q, data)
        return 404, {"message": "no route", "type": "not_found"}

    def page(self, items, q, key):
        page = int(q.get("page", ["1"])[0])
        size = int(q.get("page_size", ["20"])[0])
        return 200, {key: items[(page - 1) * size: page * size], "total_count": len(items)}

    def api_keys(self, oid, q, data):
        keys = STATE["keys"]
        if oid is None and self.command == "POST":
            if "description" in data and len(data["description"]) > 200:
                return 400, {"details": [{"argument_name": "description", "reason": "constraint",
                                          "help_message": "must be at most 200 characters"}],
                             "message": "invalid argument(s)", "type": "invalid_arguments"}
            ak = "SCW" + "".join(random.choice(CROCKFORD) for _ in range(17))
            t = now()
            k = {"access_key": ak, "secret_key": str(uuid.uuid4()), "description": data.get("description", ""),
                 "created_at": t, "updated_at": t, "expires_at": data.get("expires_at"),
                 "default_project_id": data.get("default_project_id", ORG), "editable": True,
                 "deletable": True, "managed": False, "creation_ip": "127.0.0.1"}
            for b in ("application_id", "user_id"):
                if b in data:
                    k[b] = data[b]
            keys[ak] = k
            return 200, k
        if oid is None:
            items = [dict(k, secret_key=None) for k in keys.values()]
            if "bearer_id" in q:
                items = [k for k in items if q["bearer_id"][0] in (k.get("application_id"), k.get("user_id"))]
            if "description" in q:
                items = [k for k in items if k["description"] == q["description"][0]]
            return self.page(items, q, "api_keys")
        k = keys.get(oid)
        if k is None:
            return 404, {"message": "resource is not found", "resource": "access_key",
                         "resource_id": oid, "type": "not_found"}
        if self.command == "DELETE":
            del keys[oid]
            return 204, None
        if self.command == "PATCH":
            k.update({f: data[f] for f in ("description", "default_project_id", "expires_at") if f in data})
            k["updated_at"] = now()
        return 200, dict(k, secret_key=None)

    def apps(self, oid, q, data):
        apps = STATE["apps"]
        if oid is None and self.command == "POST":
            t = now()
            a = {"id": str(uuid.uuid4()), "name": data.get("name", ""), "description": data.get("description", ""),
                 "created_at": t, "updated_at": t, "organization_id": data.get("organization_id", ORG),
                 "editable": True, "deletable": True, "managed": False, "nb_api_keys": 0,
                 "tags": data.get("tags", [])}
            apps[a["id"]] = a
            return 200, a
        if oid is None:
            items = list(apps.values())
            if "name" in q:
                items = [a for a in items if q["name"][0] in a["name"]]
            return self.page(items, q, "applications")
        a = apps.get(oid)
        if a is None:
            return 404, {"message": "resource is not found", "resource": "application",
                         "resource_id": oid, "type": "not_found"}
        if self.command == "DELETE":
            del apps[oid]
            for ak in [k for k, v in STATE["keys"].items() if v.get("application_id") == oid]:
                del STATE["keys"][ak]
            return 204, None
        return 200, a


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # resets are expected here
        pass


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
