#!/usr/bin/env bash
# Fuzzes one SharpFuzz target under afl-fuzz for a fixed time (docs/fuzzing.md).
#   src/Fuzz/run-afl.sh TARGET SECONDS [OUT]
# Builds and publishes src/Fuzz, instruments the copies of Conformance.Model.dll and
# Conformance.Catalogue.dll in the publish folder with the sharpfuzz tool (.config/dotnet-tools.json),
# seeds a corpus from cases/ and src/Fuzz/seeds/TARGET, and runs afl-fuzz. Crashing inputs are
# copied to OUT (default: results/fuzz/TARGET).
# Exit: 0 no crash, 1 afl (or a seed) found a crash, 2 the fuzzer could not run.
# FUZZ_BIN=DIR reuses (or creates) an instrumented publish folder, so several targets share one
# build; FUZZ_NO_BUILD=1 publishes what `dotnet build -c Release` already built.
set -euo pipefail
shopt -s nullglob

target=${1:?usage: run-afl.sh TARGET SECONDS [OUT]}
seconds=${2:?usage: run-afl.sh TARGET SECONDS [OUT]}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${3:-$root/results/fuzz/$target}")

command -v afl-fuzz >/dev/null || { echo "run-afl.sh: afl-fuzz is not installed (apt-get install afl++)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/conformance-fuzz-$target.XXXXXX")
trap 'rm -rf "$work"' EXIT
bin=${FUZZ_BIN:-$work/bin}

if [[ ! -f "$bin/.instrumented" ]]; then
  rm -rf "$bin" && mkdir -p "$bin"
  publish=(dotnet publish "$root/src/Fuzz/Conformance.Fuzz.csproj" -c Release -o "$bin/plain" --nologo -v quiet)
  [[ -n "${FUZZ_NO_BUILD:-}" ]] && publish+=(--no-build)
  "${publish[@]}" >&2 || { echo "run-afl.sh: publishing src/Fuzz failed" >&2; exit 2; }
  (cd "$root" && dotnet tool restore >/dev/null) || { echo "run-afl.sh: dotnet tool restore failed" >&2; exit 2; }
  # Only the code under test is instrumented: afl's coverage then measures the model and the
  # parser, not the harness around them. Instrumented code only runs inside Fuzzer.Run (it
  # writes to afl's shared memory), so seeding and replay use the plain copy.
  cp -r "$bin/plain" "$bin/afl"
  for dll in Conformance.Model.dll Conformance.Catalogue.dll; do
    (cd "$root" && dotnet tool run sharpfuzz "$bin/afl/$dll") >&2 || { echo "run-afl.sh: instrumenting $dll failed" >&2; exit 2; }
  done
  touch "$bin/.instrumented"
fi
plain=(dotnet "$bin/plain/Conformance.Fuzz.dll" "$target")
fuzz=(dotnet "$bin/afl/Conformance.Fuzz.dll" "$target")

mkdir -p "$work/in"
[[ -d "$root/src/Fuzz/seeds/$target" ]] && cp "$root/src/Fuzz/seeds/$target"/* "$work/in/"
"${plain[@]}" --seeds "$root/cases" "$work/in" 40 >/dev/null || { echo "run-afl.sh: no target '$target'" >&2; exit 2; }

# afl stops at a seed that crashes; replaying them first names each one instead.
mkdir -p "$out"
if ! "${plain[@]}" --replay "$work/in"/* >"$work/replay.log"; then
  grep '^CRASH ' "$work/replay.log" >&2 || true
  grep '^CRASH ' "$work/replay.log" | sed -E 's/^CRASH ([^:]+):.*/\1/' | xargs -r cp -t "$out"
  echo "run-afl.sh: $target: a seed crashes; copied to $out" >&2
  exit 1
fi

# -V: stop after SECONDS. -t: generous, since two shared cores make .NET slow to answer.
# AFL_SKIP_BIN_CHECK: the program afl starts is dotnet, which carries no afl instrumentation.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
  AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=60000
status=0
timeout --kill-after=10 $((seconds + 120)) \
  afl-fuzz -i "$work/in" -o "$work/findings" -V "$seconds" -t 5000 -m none -- "${fuzz[@]}" \
  >"$work/afl.log" 2>&1 || status=$?

crashes=("$work"/findings/default/crashes/id:*)
hangs=("$work"/findings/default/hangs/id:*)
stats="$work/findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  tail -n 30 "$work/afl.log" >&2
  echo "run-afl.sh: $target: afl-fuzz did not run (exit $status)" >&2
  exit 2
fi
execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
paths=$(awk -F' *: *' '$1=="corpus_count"{print $2}' "$stats")
echo "run-afl.sh: $target: ${seconds}s, $execs executions, $paths corpus entries, ${#crashes[@]} crashes, ${#hangs[@]} hangs"
(( ${#hangs[@]} > 0 )) && mkdir -p "$out/hangs" && cp "${hangs[@]}" "$out/hangs/"
if (( ${#crashes[@]} > 0 )); then
  cp "${crashes[@]}" "$out/"
  echo "run-afl.sh: $target: crashes copied to $out (replay them: docs/fuzzing.md)" >&2
  exit 1
fi
exit 0
