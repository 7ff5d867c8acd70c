#!/bin/bash
# The shared side-by-side benchmark (../shared/bench) on LogAgent, with that harness's own LogAgent configs
# (../shared/bench/peers/logagent/sN_*.conf) unchanged: publishes the single-file executable operators install, then
# runs each scenario through the harness and prints its table.
#
#   tests/SharedBench/run.sh [s1 s2 s3 s4] [bench.py options, e.g. --runs 3 --lines 1000000]
#
# Needs /usr/bin/python3 with Debian's python3-msgpack. Results go to $BENCH_RESULTS (/var/tmp/bench-results);
# data and work directories are the harness's (/var/tmp/bench-data, /var/tmp/bench-runs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH_DIR:-$repo/../shared/bench}
results=${BENCH_RESULTS:-/var/tmp/bench-results}
[ -f "$bench/bench.py" ] || { echo "no shared benchmark harness at $bench (set BENCH_DIR)" >&2; exit 2; }

scenarios=()
while [ $# -gt 0 ] && [[ $1 =~ ^s[1-4]$ ]]; do scenarios+=("$1"); shift; done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(s1 s2 s3 s4)

rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
out=$(mktemp -d /tmp/logagent-shared-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "publishing the single-file agent ($rid) to $out" >&2
dotnet publish "$repo/src/LogAgent" -c Release -r "$rid" -o "$out/agent" --artifacts-path "$out/artifacts" -v quiet -nologo >&2

declare -A script=([s1]=s1_tail_null [s2]=s2_tail_forward [s3]=s3_tail_regex_forward [s4]=s4_forward_forward)
for s in "${scenarios[@]}"; do
    name=${script[$s]}
    "$bench/$name.sh" "$out/agent/logagent -c $bench/peers/logagent/$name.conf" --label logagent --results-dir "$results" "$@"
done
"${BENCH_PY:-/usr/bin/python3}" "$bench/summarize.py" --results-dir "$results" logagent
