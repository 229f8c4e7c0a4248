#!/usr/bin/env python3
"""Writes N lines of `conformance eval` input (default 100000) to stdout, deterministically.

Each line is one x86_64 system call with six random 64-bit arguments against one or two filters:
a 30-instruction policy (arch check, an 11-way syscall dispatch, an argument test) and, on every
other line, a one-instruction ERRNO(1) filter stacked on it. Used by BENCHMARKS.md's eval figure.
"""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
random.seed(1)
policy = [[32, 0, 0, 4], [21, 1, 0, 0xC000003E], [6, 0, 0, 0x80000000], [32, 0, 0, 0]]
policy += [[21, 13, 0, i * 3] for i in range(11)]
policy += [[32, 0, 0, 16], [84, 0, 0, 7], [69, 0, 11, 4]]
policy += [[6, 0, 0, 0x50000 + i if i % 3 == 0 else 0x7FFF0000] for i in range(11)]
policy += [[6, 0, 0, 0x7FFF0000]]
assert len(policy) == 30
out = sys.stdout
for i in range(n):
    filters = [policy] if i % 2 else [policy, [[6, 0, 0, 0x50001]]]
    line = {"arch": "x86_64", "nr": random.randint(0, 40), "args": [random.getrandbits(64) for _ in range(6)], "filters": filters}
    out.write(json.dumps(line, separators=(",", ":")) + "\n")
