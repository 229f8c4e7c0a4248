#!/usr/bin/env python3
"""Generate the model's kernel constants and struct layouts from a Linux source tree's UAPI headers.

Usage:
    tools/gen-kernel-constants.py LINUX_SRC [--package-version V] [--out-dir src/Model/Kernel] [--check]

LINUX_SRC is an unpacked kernel tree or a Debian linux-source tarball. The reference is Debian's
linux-source-6.12, the tree the syscall tables come from (tools/gen-syscall-tables.py); 6.1 lacks
UAPI the catalogue names (SECCOMP_IOCTL_NOTIF_SET_FLAGS, 6.6). .ci/bootstrap installs it, so CI can
check the checked-in files (tests/.../KernelConstantsGeneratorTests.cs):
    tools/gen-kernel-constants.py /usr/src/linux-source-6.12.tar.xz \\
        --package-version "$(dpkg-query -W -f='${Version}' linux-source-6.12)"
From a tarball only the UAPI folders are unpacked (into a temporary folder). --check writes
nothing and exits 1 when the files in --out-dir differ from what the generator would write (the
package-version comment aside, so a Debian point release with the same headers still passes).

Nothing is parsed by hand: for each ABI the generator asks that ABI's compiler (Debian's gcc,
i686-linux-gnu-gcc, aarch64-linux-gnu-gcc, arm-linux-gnueabihf-gcc) for the macro names the
headers define (gcc -dM -E) and then compiles a C file with one initialised 64-bit object per
value -- each constant, sizeof and offsetof -- and reads the numbers back from the assembler
output (-S), because foreign binaries cannot run here. The include path is the one the kernel's
headers_install gives user space: include/uapi, arch/ARCH/include/uapi, and for every asm/*.h
header the arch does not ship a one-line wrapper around asm-generic/*.h (the kernel's generic-y).

It writes KernelConstantTable.Generated.cs (every constant of the families below, one value per
ABI, and a const for each name whose value is the same on every ABI that defines it) and
KernelStructLayouts.Generated.cs (size and field offsets of the structs the cases use, per ABI).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_tree import kernel_version  # noqa: E402
import tarfile
import tempfile

# (C# Abi member, compiler candidates, extra flags, kernel arch folder)
ABIS = [
    ("X86_64", ["x86_64-linux-gnu-gcc", "gcc"], ["-m64"], "x86"),
    ("I386", ["i686-linux-gnu-gcc"], [], "x86"),
    ("Aarch64", ["aarch64-linux-gnu-gcc"], [], "arm64"),
    ("Arm", ["arm-linux-gnueabihf-gcc"], [], "arm"),
]

HEADERS = [
    "linux/prctl.h", "linux/seccomp.h", "linux/ptrace.h", "linux/capability.h", "linux/wait.h",
    "linux/audit.h", "linux/filter.h", "linux/bpf_common.h", "linux/resource.h", "linux/sched.h",
    "linux/fcntl.h", "asm/signal.h", "asm/ioctl.h",
]

# (C# class, summary, name pattern). A name belongs to the first family whose pattern it matches.
FAMILIES = [
    ("Prctl", "prctl(2) options and their arguments (linux/prctl.h).", r"PR_\w+"),
    ("Seccomp", "seccomp(2) modes, operations, filter flags, actions, notification flags and ioctls (linux/seccomp.h).",
     r"SECCOMP_\w+"),
    ("Ptrace", "ptrace(2) requests, options (PTRACE_O_*) and events (PTRACE_EVENT_*) (linux/ptrace.h, asm/ptrace.h).",
     r"PTRACE_\w+"),
    ("Wait", "wait4/waitid options (linux/wait.h).", r"__W[A-Z]+|W[A-Z]+"),
    ("Signal", "Signal numbers (asm/signal.h): only names whose value is a signal, 1.._NSIG.", r"SIG[A-Z0-9]+"),
    ("Capability", "Capabilities and capget/capset versions (linux/capability.h).",
     r"CAP_\w+|_LINUX_CAPABILITY_\w+"),
    ("AuditArch", "AUDIT_ARCH_* values, what seccomp_data.arch holds (linux/audit.h).", r"AUDIT_ARCH_\w+"),
    ("Rlimit", "setrlimit(2) resources (asm-generic/resource.h).", r"RLIMIT_\w+|RLIM_\w+"),
    ("Clone", "clone(2) and unshare(2) flags (linux/sched.h).", r"CLONE_\w+"),
    ("Fcntl", "openat(2) flags and fcntl(2) commands (asm/fcntl.h, linux/fcntl.h) and AT_* (linux/fcntl.h).",
     r"O_[A-Z]+|F_[A-Z0-9_]+|AT_\w+"),
    ("Filter", "Classic BPF program limits (linux/filter.h, linux/bpf_common.h).", r"BPF_MAXINSNS"),
]

# The ioctl encoding (asm-generic/ioctl.h), for ioctl numbers the headers do not spell (other sizes).
IOCTL_NAMES = ["_IOC_NRSHIFT", "_IOC_TYPESHIFT", "_IOC_SIZESHIFT", "_IOC_DIRSHIFT", "_IOC_DIRMASK", "_IOC_SIZEMASK",
               "_IOC_NONE", "_IOC_WRITE", "_IOC_READ"]

# (C# name, C type, fields): the structures case steps fill in or read back.
STRUCTS = [
    ("SeccompData", "struct seccomp_data", ["nr", "arch", "instruction_pointer", "args"]),
    ("SeccompNotif", "struct seccomp_notif", ["id", "pid", "flags", "data", "data.nr", "data.arch",
                                              "data.instruction_pointer", "data.args"]),
    ("SeccompNotifResp", "struct seccomp_notif_resp", ["id", "val", "error", "flags"]),
    ("SeccompNotifAddfd", "struct seccomp_notif_addfd", ["id", "flags", "srcfd", "newfd", "newfd_flags"]),
    ("SeccompNotifSizes", "struct seccomp_notif_sizes", ["seccomp_notif", "seccomp_notif_resp", "seccomp_data"]),
    ("SeccompMetadata", "struct seccomp_metadata", ["filter_off", "flags"]),
    ("UserCapHeader", "struct __user_cap_header_struct", ["version", "pid"]),
    ("UserCapData", "struct __user_cap_data_struct", ["effective", "permitted", "inheritable"]),
    ("Rlimit", "struct rlimit", ["rlim_cur", "rlim_max"]),
    ("SockFilter", "struct sock_filter", ["code", "jt", "jf", "k"]),
    ("SockFprog", "struct sock_fprog", ["len", "filter"]),
]

GENERATOR = "tools/gen-kernel-constants.py"
TABLE_FILE = "KernelConstantTable.Generated.cs"
LAYOUT_FILE = "KernelStructLayouts.Generated.cs"


def fail(msg):
    sys.exit(f"gen-kernel-constants: {msg}")


def unpack(tarball, into):
    """Only the headers: a whole tree is 1.4 GB, the UAPI folders a few MB."""
    with subprocess.Popen(["tar", "-tJf", tarball], stdout=subprocess.PIPE, text=True) as p:
        top = p.stdout.readline().strip().split("/")[0]
        p.kill()
    members = [f"{top}/Makefile", f"{top}/scripts/headers_install.sh", f"{top}/scripts/unifdef.c", f"{top}/include/uapi"] + [f"{top}/arch/{a}/include/uapi" for a in ("x86", "arm", "arm64")]
    subprocess.run(["tar", "-xJf", tarball, "-C", into] + members, check=True)
    return os.path.join(into, top)



def install_headers(src, work):
    """The kernel's own headers_install (scripts/headers_install.sh with its unifdef) for the
    common UAPI headers and each arch's, as `make headers_install` gives them to user space."""
    unifdef = os.path.join(work, "scripts", "unifdef")
    os.makedirs(os.path.dirname(unifdef), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-w", "-o", unifdef, os.path.join(src, "scripts/unifdef.c")], check=True)
    script = os.path.join(src, "scripts/headers_install.sh")
    jobs = [(os.path.join(src, "include/uapi"), os.path.join(work, "usr", "common"))]
    jobs += [(os.path.join(src, "arch", arch, "include/uapi"), os.path.join(work, "usr", arch)) for arch in {a[3] for a in ABIS}]
    pairs = []
    for tree, dest in jobs:
        for rel in reachable(src, tree):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            pairs.append((os.path.join(tree, rel), os.path.join(dest, rel)))
    # One shell for all files rather than one per file: a thousand forks of sh are most of the time.
    lines = "".join(f"sh '{script}' '{i}' '{o}' || exit 1\n" for i, o in sorted(pairs))
    subprocess.run(["sh", "-e"], input=lines, text=True, cwd=work, check=True)
    return os.path.join(work, "usr")


def reachable(src, tree):
    """The headers of tree that HEADERS can include, following every #include in any branch."""
    trees = [os.path.join(src, "include/uapi")] + [os.path.join(src, "arch", a[3], "include/uapi") for a in ABIS]
    seen, todo = set(), list(HEADERS)
    while todo:
        rel = todo.pop()
        if rel in seen:
            continue
        seen.add(rel)
        generic = os.path.join("asm-generic", os.path.basename(rel))
        for t in trees:
            path = os.path.join(t, rel)
            if os.path.exists(path):
                with open(path) as f:
                    todo += re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', f.read(), re.M)
        if rel.startswith("asm/"):
            todo.append(generic)
    return sorted(r for r in seen if os.path.exists(os.path.join(tree, r)))


def include_dirs(usr, arch, shim):
    """The user-space view: arch asm/, else the asm-generic header (the kernel's generic-y wrappers)."""
    arch_dir = os.path.join(usr, arch)
    os.makedirs(os.path.join(shim, "asm"), exist_ok=True)
    for name in os.listdir(os.path.join(usr, "common", "asm-generic")):
        if name.endswith(".h") and not os.path.exists(os.path.join(arch_dir, "asm", name)):
            with open(os.path.join(shim, "asm", name), "w") as f:
                f.write(f"#include <asm-generic/{name}>\n")
    return ["-nostdinc", "-I", arch_dir, "-I", os.path.join(usr, "common"), "-I", shim]


def compiler(candidates):
    for c in candidates:
        if shutil.which(c):
            return c
    fail(f"none of {candidates} is installed (.ci/bootstrap installs Debian's cross compilers)")


def includes():
    return "".join(f"#include <{h}>\n" for h in HEADERS)


def macro_names(cc, flags, work):
    path = os.path.join(work, "names.c")
    with open(path, "w") as f:
        f.write(includes())
    out = subprocess.run([cc] + flags + ["-dM", "-E", path], check=True, capture_output=True, text=True).stdout
    return sorted({m.group(1) for m in re.finditer(r"^#define (\w+)(?!\()\s", out, re.M)})


def family_of(name):
    for cls, _, pattern in FAMILIES:
        if re.fullmatch(pattern, name):
            return cls
    return None


def evaluate(cc, flags, work, exprs):
    """{key: int} for every (key, C expression) that is an integer constant; the rest are dropped."""
    pending = dict(exprs)
    while True:
        keys = list(pending)
        path = os.path.join(work, "values.c")
        with open(path, "w") as f:
            f.write(includes())
            for i, k in enumerate(keys):
                f.write(f"const long long v{i} = (long long)({pending[k]});\n")
        r = subprocess.run([cc] + flags + ["-O0", "-w", "-S", "-o", "-", path], capture_output=True, text=True)
        if r.returncode == 0:
            return read_values(r.stdout, keys)
        # Macros that are not integer constants (pointer casts, expressions on types) fail to
        # initialise a static object: drop exactly the lines the compiler names and try again.
        first = len(includes().splitlines())
        bad = {int(m.group(1)) - first - 1 for m in re.finditer(r"values\.c:(\d+):\d+:", r.stderr)}
        bad = {i for i in bad if 0 <= i < len(keys)}
        if not bad:
            fail(f"{cc}: {r.stderr}")
        for i in bad:
            del pending[keys[i]]


def read_values(asm, keys):
    """The numbers an assembler listing stores under each vN label, as one 64-bit two's-complement value."""
    values, current, words = {}, None, []

    def flush():
        if current is not None:
            v = 0
            if len(words) == 1 and words[0][1] == 64:
                v = words[0][0]
            elif len(words) == 2 and all(w == 32 for _, w in words):
                v = (words[0][0] & 0xffffffff) | ((words[1][0] & 0xffffffff) << 32)  # little-endian ABIs only
            else:
                fail(f"unexpected data for {keys[current]}: {words}")
            v &= (1 << 64) - 1
            values[keys[current]] = v - (1 << 64) if v >= 1 << 63 else v

    for line in asm.splitlines():
        m = re.match(r"^v(\d+):", line)
        if m:
            flush()
            current, words = int(m.group(1)), []
            continue
        m = re.match(r"^\s+\.(quad|xword|dword|8byte|long|word|4byte)\s+(-?\w+)\s*$", line)
        if m and current is not None:
            width = 64 if m.group(1) in ("quad", "xword", "dword", "8byte") else 32
            # arm's .word and x86's .long are 32 bits; aarch64 spells 64 bits .xword.
            words.append((int(m.group(2), 0), width))
        elif current is not None and (z := re.match(r"^\s+\.(zero|space)\s+(\d+)\s*$", line)):
            words.extend([(0, 32)] * (int(z.group(2)) // 4))  # gcc's spelling of an all-zero object
        elif current is not None and words and re.match(r"^\s*\.", line):
            flush()
            current, words = None, []
    flush()
    missing = [k for k in keys if k not in values]
    if missing:
        fail(f"no value read for {missing[:5]}")
    return values


def generate(src, package):
    version = kernel_version(src)
    constants = {}   # name -> {abi: value}
    layouts = {}     # (struct, abi) -> (size, [(field, offset, size)])
    ioc = {}
    with tempfile.TemporaryDirectory() as work:
        usr = install_headers(src, work)
        for abi, ccs, extra, arch in ABIS:
            cc = compiler(ccs)
            shim = os.path.join(work, f"shim-{abi}")
            flags = extra + include_dirs(usr, arch, shim)
            names = [n for n in macro_names(cc, flags, work) if family_of(n) or n in IOCTL_NAMES or n == "_NSIG"]
            exprs = {("c", n): n for n in names}
            for cs, ctype, fields in STRUCTS:
                exprs[("s", cs, "")] = f"sizeof({ctype})"
                for fld in fields:
                    exprs[("o", cs, fld)] = f"__builtin_offsetof({ctype}, {fld})"
                    exprs[("z", cs, fld)] = f"sizeof((({ctype} *)0)->{fld})"
            vals = evaluate(cc, flags, work, exprs)
            for key, v in vals.items():
                if key[0] != "c":
                    continue
                name = key[1]
                if name in IOCTL_NAMES:
                    ioc.setdefault(name, {})[abi] = v
                else:
                    constants.setdefault(name, {})[abi] = v
            for cs, ctype, fields in STRUCTS:
                if ("s", cs, "") not in vals:
                    fail(f"{abi}: {ctype} is not defined by the headers")
                layouts[(cs, abi)] = (vals[("s", cs, "")], [(f, vals[("o", cs, f)], vals[("z", cs, f)]) for f in fields])
    # x86's user-space signal.h leaves _NSIG to libc; the ABIs that define it agree.
    nsigs = set(constants.pop("_NSIG").values())
    if len(nsigs) != 1:
        fail(f"_NSIG differs between ABIs: {nsigs}")
    nsig = nsigs.pop()
    for name in [n for n in constants if family_of(n) == "Signal"]:
        if not all(1 <= v <= nsig for v in constants[name].values()):
            del constants[name]  # SIGSTKSZ and the like: sizes, not signals
    for name, per in ioc.items():
        if len(set(per.values())) != 1 or len(per) != len(ABIS):
            fail(f"{name} differs between ABIs: {per}")
    return version, constants, layouts, {n: next(iter(p.values())) for n, p in ioc.items()}


def header(version, package):
    pkg = f" (Debian linux-source package {package})" if package else ""
    return "\n".join([
        "// <auto-generated>",
        f"// Generated by {GENERATOR} from the UAPI headers of Linux {version}{pkg},",
        "// compiled for each ABI by Debian's gcc, i686-linux-gnu-gcc, aarch64-linux-gnu-gcc and arm-linux-gnueabihf-gcc.",
        "// Do not edit. Regenerate with:",
        f"//   {GENERATOR} /usr/src/linux-source-6.12.tar.xz --package-version \"$(dpkg-query -W -f='${{Version}}' linux-source-6.12)\"",
        "// </auto-generated>",
        "",
    ])


def literal(v):
    return f"0x{v:x}" if v >= 0x10000 else str(v)


def table_file(version, package, constants, ioc):
    abis = [a for a, *_ in ABIS]
    out = [header(version, package), "using Conformance.Model.Seccomp;", "", "namespace Conformance.Model.Kernel;", "",
           "public static partial class KernelConstantTable", "{",
           "    /// <summary>Every constant: its family, its name, and its value on x86_64, i386, aarch64 and arm (null: not defined there).</summary>",
           "    static readonly ConstantRow[] Rows =", "    ["]
    for cls, _, _ in FAMILIES:
        for name in sorted((n for n in constants if family_of(n) == cls), key=lambda n: (constants[n].get("X86_64", min(constants[n].values())), n)):
            vals = ", ".join(literal(constants[name][a]) if a in constants[name] else "null" for a in abis)
            out.append(f"        new(KernelConstantFamily.{cls}, \"{name}\", [{vals}]),")
    out += ["    ];", "}", ""]
    out += ["/// <summary>The ioctl number encoding (asm-generic/ioctl.h; the same on the four ABIs).</summary>",
            "public static partial class IoctlEncoding", "{"]
    for n in IOCTL_NAMES:
        out.append(f"    public const int {n.lstrip('_')} = {ioc[n]};")
    out += ["}", ""]
    for cls, summary, _ in FAMILIES:
        uniform = sorted((n for n in constants if family_of(n) == cls and len(constants[n]) == len(abis)
                          and len(set(constants[n].values())) == 1), key=lambda n: (next(iter(constants[n].values())), n))
        out += [f"/// <summary>{summary} Only the names with one value on every ABI; the rest are in <see cref=\"KernelConstantTable\"/>.</summary>",
                f"public static class {cls}Constants", "{"]
        for n in uniform:
            out.append(f"    public const long {n} = {literal(constants[n]['X86_64'])};")
        out += ["}", ""]
    out[-1:] = []
    out += ["", "public enum KernelConstantFamily", "{"] + [f"    {cls}," for cls, *_ in FAMILIES] + ["}"]
    return "\n".join(out) + "\n"


def pascal(field):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[._]", field) if p)


def layout_file(version, package, layouts):
    abis = [a for a, *_ in ABIS]
    out = [header(version, package), "using Conformance.Model.Seccomp;", "", "namespace Conformance.Model.Kernel;", "",
           "public static partial class KernelStructLayouts", "{",
           "    static readonly Dictionary<(KernelStruct, Abi), KernelStructLayout> Table = new()", "    {"]
    for cs, ctype, _ in STRUCTS:
        for a in abis:
            size, fields = layouts[(cs, a)]
            fs = ", ".join(f"new(\"{f}\", {o}, {z})" for f, o, z in fields)
            out.append(f"        [(KernelStruct.{cs}, Abi.{a})] = new(\"{ctype}\", {size}, [{fs}]),")
    out += ["    };", "}", ""]
    # A struct laid out alike on every ABI also gets constants, so code can use them where C# wants one.
    for cs, ctype, _ in STRUCTS:
        if len({repr(layouts[(cs, a)]) for a in abis}) != 1:
            continue
        size, fields = layouts[(cs, abis[0])]
        out += [f"/// <summary><c>{ctype}</c>, the same on every ABI: its size and member offsets.</summary>",
                f"public static class {cs}Layout", "{", f"    public const int Size = {size};"]
        for f, o, _ in fields:
            out.append(f"    public const int {pascal(f)} = {o};")
        out += ["}", ""]
    out += ["public enum KernelStruct", "{"]
    for cs, ctype, _ in STRUCTS:
        out += [f"    /// <summary><c>{ctype}</c></summary>", f"    {cs},"]
    out += ["}"]
    return "\n".join(out) + "\n"


def without_provenance(text):
    """The package version may move with Debian point releases; everything else must match."""
    return "\n".join(l for l in text.splitlines() if not l.startswith(f"// Generated by {GENERATOR}"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="an unpacked kernel tree or a linux-source .tar.xz")
    ap.add_argument("--package-version", default="")
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src/Model/Kernel"))
    ap.add_argument("--check", action="store_true", help="compare with the files in --out-dir instead of writing them")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = unpack(args.src, tmp) if os.path.isfile(args.src) else args.src
        version, constants, layouts, ioc = generate(src, args.package_version)
    files = {TABLE_FILE: table_file(version, args.package_version, constants, ioc),
             LAYOUT_FILE: layout_file(version, args.package_version, layouts)}
    stale = []
    for name, text in files.items():
        path = os.path.normpath(os.path.join(args.out_dir, name))
        if args.check:
            old = open(path).read() if os.path.exists(path) else ""
            if without_provenance(old) != without_provenance(text):
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"wrote {path}")
    if stale:
        print("gen-kernel-constants: out of date (rerun the generator): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)
    if args.check:
        print("gen-kernel-constants: up to date")


if __name__ == "__main__":
    main()
