#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpus of fuzz_h2server (client-side HTTP/2 byte streams carrying gRPC calls)
and fuzz_grpcframe. HPACK is encoded as literal headers without indexing (RFC 7541 6.2.2)."""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def hint(v, prefix=7):
    lim = (1 << prefix) - 1
    if v < lim:
        return bytes([v])
    out = [lim]
    v -= lim
    while v >= 128:
        out.append(v % 128 + 128)
        v //= 128
    out.append(v)
    return bytes(out)


def hpack(headers):
    b = b""
    for k, v in headers:
        b += b"\x00" + hint(len(k)) + k.encode() + hint(len(v)) + v.encode()
    return b


def req_headers(path, extra=()):
    return hpack([(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "unused"),
                  ("content-type", "application/grpc"), ("te", "trailers")] + list(extra))


def msg(body, flag=0):
    return bytes([flag]) + struct.pack(">I", len(body)) + body


def settings():
    return frame(4, 0, 0)


HEADERS, DATA, RST, SETTINGS, PING, GOAWAY, WINUP = 1, 0, 3, 4, 6, 7, 8
END_STREAM, END_HEADERS = 1, 4

seeds = {
    "unary_echo": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + frame(DATA, END_STREAM, 1, msg(b"hello")),
    "unary_headers_end_stream_no_body": PREFACE + settings()
    + frame(HEADERS, END_HEADERS | END_STREAM, 1, req_headers("/test.T/Echo")),
    "stream": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Stream"))
    + frame(DATA, END_STREAM, 1, msg(b"abc")) + frame(SETTINGS, 1, 0),
    "hold_with_data": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Hold"))
    + frame(DATA, 0, 1, msg(b"knock")) + frame(DATA, 0, 1, msg(b"again")),
    "rst_after_headers": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + frame(RST, 0, 1, struct.pack(">I", 8)),
    "split_message_two_streams": PREFACE + settings()
    + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + frame(HEADERS, END_HEADERS, 3, req_headers("/test.T/Stream"))
    + frame(DATA, 0, 1, msg(b"0123456789")[:7]) + frame(DATA, END_STREAM, 3, msg(b"s"))
    + frame(DATA, END_STREAM, 1, msg(b"0123456789")[7:]),
    "compressed_flag": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + frame(DATA, END_STREAM, 1, msg(b"zz", 1)),
    "grpc_encoding_gzip": PREFACE + settings()
    + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo", [("grpc-encoding", "gzip")]))
    + frame(DATA, END_STREAM, 1, msg(b"x")),
    "two_messages_in_unary": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + frame(DATA, END_STREAM, 1, msg(b"a") + msg(b"b")),
    "unknown_path": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/nope.N/Nope"))
    + frame(DATA, END_STREAM, 1, msg(b"")),
    "bad_content_type": PREFACE + settings()
    + frame(HEADERS, END_HEADERS, 1, hpack([(":method", "GET"), (":scheme", "http"), (":path", "/test.T/Echo"),
                                             (":authority", "x"), ("content-type", "text/plain")]))
    + frame(DATA, END_STREAM, 1, b"hi"),
    "ping_winupdate_goaway": PREFACE + settings() + frame(PING, 0, 0, b"12345678")
    + frame(WINUP, 0, 0, struct.pack(">I", 1 << 20)) + frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)),
    "quit": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Quit"))
    + frame(DATA, END_STREAM, 1, msg(b"")),
    "too_big": PREFACE + settings() + frame(HEADERS, END_HEADERS, 1, req_headers("/test.T/Echo"))
    + b"".join(frame(DATA, 0, 1, (msg(b"x" * 70000)[i:i + 16384])) for i in range(0, 70005, 16384))
    + frame(DATA, END_STREAM, 1),
    "garbage_after_preface": PREFACE + b"\xff" * 40,
}

for name, data in seeds.items():
    with open(os.path.join(here, "corpus", "h2server", name), "wb") as f:
        f.write(data)

frames = {
    "one": msg(b"abc"),
    "two_and_empty": msg(b"abc") + msg(b"") + msg(b"z", 1),
    "truncated": msg(b"abcdef")[:8],
    "bad_flag": b"\x02\x00\x00\x00\x00",
    "utf8_percent": "100% ünï\n\x00".encode(),
    "pct_escapes": b"%41%zz%4%",
}
for name, data in frames.items():
    with open(os.path.join(here, "corpus", "grpcframe", name), "wb") as f:
        f.write(data)
sys.exit(0)
