#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (make fuzz: -DARGO_FUZZ=ON) for a bounded time,
# JOBS targets at a time, and fails if any of them finds a crash, a leak, undefined behaviour
# or an input slower than the per-input timeout.
#   bash scripts/fuzz.sh BUILD SECONDS [JOBS] [TARGET...]
# Each target starts from its seed corpus fuzz/corpus/<name>/ (read only) and from
# BUILD/fuzz-work/<name>/, where it keeps the inputs it finds, so that a later run goes on from
# there. A failing input is written to BUILD/fuzz-artifacts/<name>-crash-<sha1> (or leak-,
# timeout-, oom-); the target's log, with the stack, is BUILD/fuzz-work/<name>.log.
# Reproduce with: BUILD/fuzz/fuzz_<name> BUILD/fuzz-artifacts/<file>
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz.sh BUILD SECONDS [JOBS] [TARGET...]}
seconds=${2:?usage: fuzz.sh BUILD SECONDS [JOBS] [TARGET...]}
jobs=${3:-2}
shift $(($# < 3 ? $# : 3))
build=$(cd "$build" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for bin in "$build"/fuzz/fuzz_*; do
    [ -x "$bin" ] && targets+=("$(basename "$bin" | sed 's/^fuzz_//')")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets in $build/fuzz (configure with -DARGO_FUZZ=ON and build fuzz_targets)" >&2
  exit 2
fi
mkdir -p "$build/fuzz-work" "$build/fuzz-artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp}

run_one() {
  local name=$1 work=$build/fuzz-work/$1
  mkdir -p "$work"
  # -timeout: one input may take that long (a replay input starts two DuckDB databases);
  # -rss_limit_mb: DuckDB under AddressSanitizer needs more than libFuzzer's 2 GB default.
  "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
    "$work" "$here/fuzz/corpus/$name" >"$work.log" 2>&1
  echo $? >"$work.rc"
}

status=0
running=0
for name in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/fuzz_$name" ]; then
    echo "fuzz: no target fuzz_$name in $build/fuzz" >&2
    status=1
    continue
  fi
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  rm -f "$build/fuzz-work/$name.rc"
  run_one "$name" &
  running=$((running + 1))
done
wait

for name in "${targets[@]}"; do
  log=$build/fuzz-work/$name.log
  [ -f "$build/fuzz-work/$name.rc" ] || continue
  rc=$(cat "$build/fuzz-work/$name.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    printf 'fuzz: %-14s ok     %10s inputs in %ss (%s/s)\n' "$name" "${execs:-?}" "$seconds" "${rate:-?}"
  else
    status=1
    printf 'fuzz: %-14s FAILED (exit %s); log %s\n' "$name" "$rc" "$log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written|    #[0-9]+ )' "$log" |
      head -40 | sed 's/^/  /'
  fi
done
exit "$status"
