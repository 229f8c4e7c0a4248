#!/usr/bin/env python3
"""Record what the kernel's own bpf_asm makes of a set of programs, as test data for our assembler.

Usage:
    tools/record-bpf-asm-oracle.py LINUX_SRC OUT_FILE [--bpf-asm PATH]

LINUX_SRC is an unpacked kernel tree (the one used: Debian linux-source-6.1 unpacked at
/tmp/ksrc/linux-source-6.1). Unless --bpf-asm names a built binary, tools/bpf/bpf_exp.{l,y} and
bpf_asm.c are copied to a scratch directory and built there with bison, flex and gcc, exactly as
tools/bpf/Makefile does (bison -d, flex, cc). The source tree is not modified.

Each case is hand-written (one per grammar production, number form, comment form and quirk) or
generated at random from a fixed seed over the whole grammar, so rerunning reproduces the file.
Cases bpf_asm rejects are recorded too ("error: ..."); the test checks that we reject them as well,
apart from a short list of documented extensions.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

HAND = [
    ("ld-abs", "ld [0]\nret a"),
    ("ld-imm-forms", "ld #0\nld #1\nld #-1\nld #+7\nld #0x10\nld #0XFF\nld #010\nld #0b101\nld #4294967295\nld #-2147483648\nret #0"),
    ("ldi-ldxi", "ldi #5\nldi 6\nldxi #7\nldxi 8\nret #0"),
    ("ld-len", "ld len\nld #len\nldx len\nldx #len\nret a"),
    ("ld-ind", "ld [x + 5]\nld [%x + 6]\nld [x+0]\nldh [x + 2]\nldb [%x + 3]\nldh [%x+0]\nret a"),
    ("ld-ind-negative", "ld [x + -4]\nret a"),
    ("ldh-ldb-abs", "ldh [12]\nldb [23]\nret a"),
    ("ld-mem", "ld M[0]\nld m[15]\nld M[16]\nldx M[3]\nldx m[1]\nret a"),
    ("st-stx", "st M[0]\nstx M[15]\nst m[2]\nstx m[99]\nret #0"),
    ("msh", "ldxb 4*([14]&0xf)\nldx 4*([0]&0xf)\nldxb 4 * ( [ 3 ] & 0xF )\nret a"),
    ("ancillary-ld", "ld #proto\nld #type\nld #poff\nld #ifidx\nld #nla\nld #nlan\nld #mark\nld #queue\nld #hatype\n"
                     "ld #rxhash\nld #cpu\nld #vlan_tci\nld #vlan_pr\nld #vlan_avail\nld #vlan_tpid\nld #rand\nret a"),
    ("ancillary-bare", "ld proto\nldh type\nldb cpu\nldh #rand\nldb #mark\nret a"),
    ("alu-k", "add #1\nsub #2\nmul #3\ndiv #4\nmod #5\nand #6\nor #7\nxor #8\nlsh #9\nrsh #10\nret a"),
    ("alu-x", "add x\nsub %x\nmul x\ndiv %x\nmod x\nand %x\nor x\nxor %x\nlsh x\nrsh %x\nneg\nret a"),
    ("misc", "tax\ntxa\nret a"),
    ("ret-forms", "ret a\nret %a\nret x\nret %x\nret #0\nret #0x7fff0000\nret #-1"),
    ("jeq-two-labels", "jeq #1, l1, l2\nl1: ret #1\nl2: ret #2"),
    ("jeq-one-label", "jeq #1, l1\nret #0\nl1: ret #1"),
    ("jeq-x", "jeq x, l1, l2\njeq %x, l1, l2\njeq x, l1\njeq %x, l1\nl1: ret #1\nl2: ret #2"),
    ("jne-jneq", "jne #5, l1\njneq #6, l1\njne x, l1\njneq %x, l1\nret #0\nl1: ret #1"),
    ("jlt-jle", "jlt #5, l1\njle #6, l1\njlt x, l1\njle %x, l1\njlt %x, l1\njle x, l1\nret #0\nl1: ret #1"),
    ("jgt-jge-jset", "jgt #1, aa, bb\njge #2, aa, bb\njset #3, aa, bb\njgt x, aa, bb\njge %x, aa, bb\njset x, aa, bb\n"
                     "jgt #1, aa\njge #2, aa\njset #4, aa\njgt %x, aa\njge x, aa\njset %x, aa\naa: ret #1\nbb: ret #2"),
    ("ja-jmp", "ja l1\njmp l1\nret #0\nl1: ret #1"),
    ("jump-to-next", "jeq #1, nx, nx\nnx: ret #0"),
    ("labels-case-sensitive", "jeq #1, Out, out\nOut: ret #1\nout: ret #2"),
    ("label-same-line", "l1: ld #1 l2: ret a\n"),
    ("label-own-line", "ja there\nthere:\n  ret #3"),
    ("keywords-caseless", "LD [0]\nJeQ #1, Yes, No\nYes: RET A\nNo: Ret #0\nLDX M[1]\nADD X\nTAX\nTXA\nST M[2]\nLDXB 4*([1]&0xf)\nRET %X"),
    ("comments", "; leading comment\n# hash comment in column 1\nld [0] ; trailing\n/* block */ ret /* inside */ a\n/* multi\nline */ret #1"),
    ("whitespace-free", "ld[0]\njeq#1,aa,bb\naa:ret#1\nbb:ret#2"),
    ("several-per-line", "ld #1 add #2 ret a"),
    ("seccomp-x86_64", "ld [4]\njne #0xc000003e, bad\nld [0]\njeq #39, allow\njeq #60, allow\njeq #231, allow\nret #0x00050001\n"
                       "allow: ret #0x7fff0000\nbad: ret #0x80000000"),
    ("seccomp-args", "ld [0]\njne #1, skip\nld [16]\njne #2, skip\nld [20]\njeq #0, ok\nskip: ret #0\nok: ret #0x7fff0000"),
    ("max-conditional-reach", None),   # built below: a jump of exactly 255
    ("long-ja", None),                 # built below: ja over 300 instructions
    ("large-k-octal-hex", "ld #037777777777\nld #0xFFFFFFFF\nld #0b11111111111111111111111111111111\nret a"),
    # bpf_asm rejects these; so must we (or the test lists why not).
    ("reject-unknown-mnemonic", "lda [0]\nret a"),
    ("reject-ind-plus-number", "ld [x+5]\nret a"),
    ("reject-missing-label", "ja nowhere\nret #0"),
    ("reject-conditional-too-far", None),  # a jump of 256
    ("reject-jne-two-labels", "jne #1, aa, bb\naa: ret #0\nbb: ret #1"),
    ("reject-ldx-ancillary", "ldx #proto\nret a"),
    ("reject-msh-bad-mask", "ldx 4*([0]&0xe)\nret a"),
    ("reject-msh-bad-multiplier", "ldxb 2*([0]&0xf)\nret a"),
    ("reject-empty", ""),
    ("reject-leading-zero-decimal", "ld #08\nret a"),
    ("reject-st-immediate", "st #1\nret a"),
    ("reject-ret-len", "ret #len"),
    ("reject-hash-indented", "  # not a comment here\nret a"),
    ("reject-label-without-instruction", "ret a\nend:"),
]


def special(name):
    if name == "max-conditional-reach":
        return "jeq #1, far, near\nnear: " + "ld #1\n" * 254 + "far: ret #1\n"
    if name == "long-ja":
        return "ja far\n" + "ld #2\n" * 300 + "far: ret #0\n"
    if name == "reject-conditional-too-far":
        return "jeq #1, far\n" + "ld #1\n" * 256 + "far: ret #1\n"
    raise KeyError(name)


def rcase(rng, word):
    r = rng.random()
    if r < 0.7:
        return word
    if r < 0.85:
        return word.upper()
    return "".join(c.upper() if rng.random() < 0.5 else c for c in word)


def rnum(rng, lo=0, hi=0xffffffff):
    v = rng.choice([rng.randint(lo, min(hi, 20)), rng.randint(lo, hi), rng.choice([lo, hi])])
    form = rng.random()
    if form < 0.4:
        return str(v)
    if form < 0.7:
        return hex(v) if rng.random() < 0.5 else "0X%X" % v
    if form < 0.8 and v:
        return "0" + oct(v)[2:]
    if form < 0.9:
        return "0b" + bin(v)[2:]
    if v and v <= 0x80000000 and rng.random() < 0.5:
        return "-%d" % v if v <= 0x80000000 else str(v)
    return str(v)


def reg(rng, r):
    return rcase(rng, ("%" if rng.random() < 0.3 else "") + r)


def gen_program(rng):
    n = rng.randint(1, 40)
    labels = {}  # index -> name
    lines = []
    ops = []
    for i in range(n):
        kind = rng.choice(["ld", "ld", "ldx", "st", "alu", "alu", "jmp", "cj", "cj", "cj", "ret", "misc"])
        if i == n - 1:
            kind = "ret"
        ops.append(kind)
    names = iter("lbl_%d" % j for j in range(1000))

    def target(i, reach):
        if i + 1 >= n:
            return None
        t = rng.randint(i + 1, min(n - 1, i + 1 + reach))
        if t not in labels:
            labels[t] = next(names) if rng.random() < 0.8 else rng.choice(["Out", "ok2", "_x", "Lz"]) + str(t)
        return labels[t]

    body = []
    for i, kind in enumerate(ops):
        if kind in ("jmp", "cj") and i + 1 >= n:
            kind = "misc"
        if kind == "ld":
            f = rng.randint(0, 7)
            m = rcase(rng, rng.choice(["ld", "ldh", "ldb"]) if f in (1, 2) else "ld")
            if f == 0:
                s = f"{rcase(rng, 'ld')} #{rnum(rng)}"
            elif f in (1, 2):
                s = f"{m} [{rnum(rng, 0, 4095)}]" if f == 1 else f"{m} [{reg(rng, 'x')} + {rnum(rng, 1, 64)}]"
            elif f == 3:
                s = f"{rcase(rng, 'ld')} {rcase(rng, 'M')}[{rnum(rng, 0, 15)}]"
            elif f == 4:
                s = f"{rcase(rng, 'ld')} {rng.choice(['', '#'])}{rcase(rng, 'len')}"
            elif f == 5:
                s = f"{rcase(rng, rng.choice(['ld', 'ldh', 'ldb']))} {rng.choice(['', '#'])}{rcase(rng, rng.choice(['proto', 'type', 'poff', 'ifidx', 'nla', 'nlan', 'mark', 'queue', 'hatype', 'rxhash', 'cpu', 'vlan_tci', 'vlan_pr', 'vlan_avail', 'vlan_tpid', 'rand']))}"
            elif f == 6:
                s = f"{rcase(rng, 'ldi')} {rng.choice(['#', ''])}{rnum(rng)}"
            else:
                s = f"{rcase(rng, 'ld')} [{reg(rng, 'x')}+0]"
        elif kind == "ldx":
            f = rng.randint(0, 4)
            if f == 0:
                s = f"{rcase(rng, 'ldx')} #{rnum(rng)}"
            elif f == 1:
                s = f"{rcase(rng, 'ldx')} {rcase(rng, 'M')}[{rnum(rng, 0, 15)}]"
            elif f == 2:
                s = f"{rcase(rng, 'ldx')} {rng.choice(['', '#'])}len"
            elif f == 3:
                s = f"{rcase(rng, rng.choice(['ldx', 'ldxb']))} 4*([{rnum(rng, 0, 100)}]&0xf)"
            else:
                s = f"{rcase(rng, 'ldxi')} {rng.choice(['#', ''])}{rnum(rng)}"
        elif kind == "st":
            s = f"{rcase(rng, rng.choice(['st', 'stx']))} {rcase(rng, 'M')}[{rnum(rng, 0, 15)}]"
        elif kind == "alu":
            op = rng.choice(["add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh", "neg"])
            if op == "neg":
                s = rcase(rng, op)
            elif rng.random() < 0.5:
                s = f"{rcase(rng, op)} #{rnum(rng)}"
            else:
                s = f"{rcase(rng, op)} {reg(rng, 'x')}"
        elif kind == "jmp":
            s = f"{rcase(rng, rng.choice(['ja', 'jmp']))} {target(i, 1000)}"
        elif kind == "cj":
            op = rng.choice(["jeq", "jne", "jneq", "jlt", "jle", "jgt", "jge", "jset"])
            src = f"#{rnum(rng)}" if rng.random() < 0.7 else reg(rng, "x")
            if op in ("jne", "jneq", "jlt", "jle") or rng.random() < 0.3:
                s = f"{rcase(rng, op)} {src}, {target(i, 255)}"
            else:
                s = f"{rcase(rng, op)} {src}, {target(i, 255)}, {target(i, 255)}"
        elif kind == "ret":
            s = rcase(rng, "ret") + " " + rng.choice([f"#{rnum(rng)}", reg(rng, "a"), reg(rng, "x")])
        else:
            s = rcase(rng, rng.choice(["tax", "txa"]))
        body.append(s)

    out = []
    for i, s in enumerate(body):
        if i in labels:
            sep = rng.choice([": ", ":", ":\n\t", ": "])
            s = labels[i] + sep + s
        r = rng.random()
        if r < 0.08:
            s += " ; note " + str(i)
        elif r < 0.12:
            s = "/* c */ " + s
        elif r < 0.14:
            out.append("# line comment")
        out.append(("\t" if rng.random() < 0.3 else "") + s)
    joined = []
    for line in out:
        if joined and rng.random() < 0.05 and not line.startswith("#") and not joined[-1].startswith("#") and ";" not in joined[-1]:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined) + "\n"


def build(src):
    work = tempfile.mkdtemp(prefix="bpf_asm-")
    for f in ("bpf_exp.l", "bpf_exp.y", "bpf_asm.c"):
        shutil.copy(os.path.join(src, "tools/bpf", f), work)
    subprocess.run(["bison", "-d", "-o", "bpf_exp.yacc.c", "bpf_exp.y"], cwd=work, check=True)
    subprocess.run(["flex", "-o", "bpf_exp.lex.c", "bpf_exp.l"], cwd=work, check=True)
    subprocess.run(["gcc", "-O2", "-I.", "-o", "bpf_asm", "bpf_asm.c", "bpf_exp.yacc.c", "bpf_exp.lex.c"],
                   cwd=work, check=True)
    return os.path.join(work, "bpf_asm")


def run(bpf_asm, text, cstyle):
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        p = subprocess.run([bpf_asm] + (["-c"] if cstyle else []) + [path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        return None, (p.stdout + p.stderr).strip().replace("\n", " ")
    return p.stdout, None


def kernel_version(src):
    v = {}
    for line in open(os.path.join(src, "Makefile")):
        k, _, val = line.partition("=")
        if k.strip() in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
            v[k.strip()] = val.strip()
    return f"{v['VERSION']}.{v['PATCHLEVEL']}.{v['SUBLEVEL']}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--bpf-asm")
    ap.add_argument("--random", type=int, default=300)
    args = ap.parse_args()
    bpf_asm = args.bpf_asm or build(args.src)

    cases = [(name, special(name) if text is None else text) for name, text in HAND]
    rng = random.Random(20240601)
    cases += [(f"random-{i:03d}", gen_program(rng)) for i in range(args.random)]

    out = [
        "# What the kernel's bpf_asm produces, recorded by tools/record-bpf-asm-oracle.py (read its docstring)",
        f"# from tools/bpf of Linux {kernel_version(args.src)} (Debian linux-source-6.1), built with bison/flex/gcc.",
        "# Format: '=== name', the source text, '--- bpf_asm' and its one-line output (or 'error: ...'),",
        "# '--- bpf_asm -c' and its C-array output. Do not edit by hand; rerun the script.",
    ]
    for name, text in cases:
        assert "\n===" not in text and "\n---" not in text
        comma, err = run(bpf_asm, text, False)
        carray, _ = run(bpf_asm, text, True)
        out.append(f"=== {name}")
        out.extend(text.rstrip("\n").split("\n") if text else [])
        out.append("--- bpf_asm")
        out.append(comma.strip() if comma is not None else f"error: {err}")
        if carray is not None:
            out.append("--- bpf_asm -c")
            out.extend(carray.rstrip("\n").split("\n"))
    with open(args.out, "w") as f:
        f.write("\n".join(out) + "\n")
    rejected = sum(1 for l in out if l.startswith("error: "))
    print(f"wrote {len(cases)} cases ({rejected} rejected by bpf_asm) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
