#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hotlist.py: write mk/provider-hot.list, the objects a provider launch executes, which mk/provider.mk
places first in the binary's .text and .rodata (in build/provider.ld, GNU ld's default script plus them).

Why: the kernel maps every page-cache page of a 64 KiB window around each page fault ("fault-around"),
so a launch that touches 400 pages spread over the whole 2.9 MiB text of the static binary has all of
it resident. Placed together, the touched objects make ~1.7 MiB; the rest of the text stays unmapped.

How (needs valgrind): runs build/bench/launch-driver on the provider under callgrind (one AutoMTLS and
one h2c launch: start -> handshake -> GetProviderSchema -> Shutdown), maps every executed instruction
address to its input section through the link map (build/terraform-provider-scaleway.map), and lists
the archive members of the third-party static libraries (OpenSSL, nghttp2, protobuf-c...) that ran.
Our own libraries are listed whole (build/lib<layer>.a: small, and the list then survives renamed or
added files). Members that no longer exist match nothing: a stale list costs RSS, never a link error.

Usage: bench/provider-launch/hotlist.py [BUILD]   (after `make` and `scripts/run-bench provider-launch`,
which builds the driver); then `make` relinks with the new script. Re-run it after a change of the
OpenSSL/nghttp2 packages or of the launch path."""
import bisect, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build'))
BIN = os.path.join(BUILD, 'terraform-provider-scaleway')
MAP = BIN + '.map'
DRIVER = os.path.join(BUILD, 'bench', 'launch-driver')
OUT = os.path.join(ROOT, 'mk', 'provider-hot.list')
OURS = ['common', 'net', 'grpc', 'tfplugin', 'framework', 'client', 'provider']
THIRD = ('libcrypto.a', 'libssl.a', 'libnghttp2.a', 'libprotobuf-c.a', 'libjansson.a', 'libyaml.a')
# Read-only data that is read on every launch but belongs to an object without code.
DATA_ONLY = ['*libnghttp2.a:nghttp2_hd_huffman_data.o', '*libcrypto.a:libcommon-lib-der_*_gen.o']


def callgrind_addresses(path, binname):
    """Executed instruction addresses of binname (file offsets of the PIE) in a callgrind
    --dump-instr=yes profile."""
    names, addrs, inob, cur = {}, set(), False, 0
    for line in open(path):
        if line.startswith(('ob=', 'cob=')):
            v = line.split('=', 1)[1].strip()
            m = re.match(r'\((\d+)\)(?: (.*))?$', v)
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2)
                v = names.get(m.group(1), '')
            if line.startswith('ob='):
                inob = v.endswith(binname)
            continue
        if not line or line[0] not in '0123456789+-*':
            continue
        pos = line.split()[0]
        if pos.startswith('0x'):
            cur = int(pos, 16)
        elif pos[0] in '+-':
            cur += int(pos)
        elif pos != '*':
            continue
        if inob:
            addrs.add(cur)
    return addrs


def text_sections(mapfile):
    """(address, size, object) of every input section placed in an executable output section."""
    secs, out, pending = [], None, None
    for line in open(mapfile):
        m = re.match(r'^(\.\S+)', line)
        if m:
            out = m.group(1)
        if pending:
            m = re.match(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$', line)
            if m and out.startswith('.text'):
                secs.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
            pending = None
            continue
        m = re.match(r'^ \.text\S*\s*$', line)
        if m:
            pending = True
            continue
        m = re.match(r'^ \.text\S*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$', line)
        if m and out and out.startswith('.text'):
            secs.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return sorted(s for s in secs if s[0] and s[1])


def main():
    for f in (BIN, MAP, DRIVER):
        if not os.path.exists(f):
            sys.exit('hotlist: %s is missing (make; scripts/run-bench provider-launch)' % f)
    tmp = tempfile.mkdtemp(prefix='hotlist.')
    wrap = os.path.join(tmp, 'cg.sh')
    with open(wrap, 'w') as w:
        w.write('#!/bin/sh\nexec valgrind -q --tool=callgrind --dump-instr=yes '
                '--callgrind-out-file=%s/cg.%%p.out %s "$@"\n' % (tmp, BIN))
    os.chmod(wrap, 0o755)
    for tls in ('true', 'false'):
        subprocess.run([DRIVER, '-n', '1', '-exit-timeout', '120s', '-tls=' + tls, 'c=' + wrap], check=True,
                       stdout=subprocess.DEVNULL)
    addrs = set()
    for f in os.listdir(tmp):
        if f.startswith('cg.') and f.endswith('.out'):
            addrs |= callgrind_addresses(os.path.join(tmp, f), os.path.basename(BIN))
    secs = text_sections(MAP)
    starts = [s[0] for s in secs]
    members = []
    for a in sorted(addrs):
        k = bisect.bisect_right(starts, a) - 1
        if k < 0 or a >= secs[k][0] + secs[k][1]:
            continue
        m = re.match(r'.*/(lib[^/(]+\.a)\(([^)]+)\)$', secs[k][2])
        if m and m.group(1) in THIRD:
            pat = '*%s:%s' % (m.group(1), m.group(2))
            if pat not in members:
                members.append(pat)
    pats = ['*lib%s.a:*' % l for l in OURS] + ['*provider/main.o']
    pats += sorted(members) + DATA_ONLY
    with open(OUT, 'w') as o:
        o.write('# Generated by bench/provider-launch/hotlist.py: the objects a provider launch executes (our libraries\n'
                '# whole, the third-party archive members callgrind saw run), placed first in .text and .rodata by\n'
                '# mk/provider.mk (docs/provider-transport.md, "RSS"). One ld input-file pattern per line.\n')
        for p in pats:
            o.write(p + '\n')
    print('hotlist: %d third-party objects executed; wrote %s' % (len(members), os.path.relpath(OUT, ROOT)))


main()
