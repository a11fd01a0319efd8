#!/usr/bin/env bash
# Benchmark: list 5,000 contexts with `kubectl mcp list` and `kubectl get cmc` on the same objects.
# Starts its own control plane on loopback (unless BENCH_KUBECONFIG is set), creates N contexts
# (default 5000) with realistic histories (BENCH_MESSAGES messages of ~750 characters, default
# 40: ~31 kB each), and times both tools with hyperfine, then peak memory with GNU time.
#   scripts/bench-list.sh [N]
# A benchmark, not a test: it prints figures and never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
messages="${BENCH_MESSAGES:-40}"
ns="bench-m$messages"

[ -x /usr/bin/time ] || { apt-get update -qq; apt-get install -y -qq time >/dev/null; }
command -v kubectl >/dev/null || { echo "kubectl is needed for the comparison" >&2; exit 1; }
source scripts/bench-cluster.sh

bash scripts/seed-contexts.sh "$bin" "$ns" "$n" "$messages"
echo "contexts in $ns: $("$bin" -n "$ns" list -o name | wc -l)" >&2

hyperfine --warmup 1 --runs 10 --style basic --export-markdown /tmp/bench-list.md \
  -n "kubectl mcp list" "$bin -n $ns list" \
  -n "kubectl get cmc" "kubectl get cmc -n $ns" \
  -n "kubectl mcp list -o json" "$bin -n $ns list -o json" \
  -n "kubectl get cmc -o json" "kubectl get cmc -n $ns -o json" \
  -n "kubectl mcp list -A --sort-by tokens" "$bin list -A --sort-by tokens" \
  -n "kubectl mcp list --consistent" "$bin -n $ns list --consistent"
cat /tmp/bench-list.md
for cmd in "$bin -n $ns list" "kubectl get cmc -n $ns" "$bin -n $ns list --consistent"; do
  /usr/bin/time -f "peak %M KiB  $cmd" $cmd >/dev/null
done
