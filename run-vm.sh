#!/bin/sh
# Boot a kernel with the Conformance agent in QEMU, through the harness's own code paths.
#
#   ./run-vm.sh [--arch x86_64|aarch64] [--kernel PATH [--config FILE]] [--series 6.1|6.12|5.10 [--build B]]
#               [--shell] [--bare [--init-arg exit|crash]] [--accel auto|tcg|kvm] [--timeout SECONDS]
#
# Default: the Debian 6.1 cloud kernel for the host's arch (fetched into ~/.cache/conformance on
# first use); prints the agent's HELO and boot time, pings it and asks it to quit.
#   --shell   an interactive busybox shell on the serial console instead of the agent
#             (`reboot -f` or Ctrl-A X ends QEMU); /init is the agent, /agent32 the compat helper.
#   --bare    boot bare-init (prints a marker and reboots): the boot-time baseline.
# Everything after the options is passed to `conformance vm boot` unchanged.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec dotnet run --project "$here/harness" -c Release -- vm boot "$@"
