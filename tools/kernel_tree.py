"""What the generators read from an unpacked Linux source tree, in one place."""
import os
import re


def kernel_version(src):
    """VERSION.PATCHLEVEL.SUBLEVEL from the tree's top Makefile, e.g. 6.12.118."""
    v = {}
    with open(os.path.join(src, "Makefile")) as f:
        for line in f:
            m = re.match(r"(VERSION|PATCHLEVEL|SUBLEVEL)\s*=\s*(\d+)", line)
            if m:
                v[m.group(1)] = m.group(2)
            if len(v) == 3:
                break
    return f"{v['VERSION']}.{v['PATCHLEVEL']}.{v['SUBLEVEL']}"
