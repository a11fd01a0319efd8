#!/usr/bin/env bash
# Benchmark: `kubectl mcp search` over 1,000 contexts of 40 realistic messages (~31 kB each),
# next to what a user would do without it: `kubectl get cmc -o json | grep`, and our own
# `list -o json` (the same bytes to fetch). Starts its own control plane on loopback unless
# BENCH_KUBECONFIG is set.
#   scripts/bench-search.sh [N]
# A benchmark, not a test: it prints figures and never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
ns="bench-search"

if ! command -v kubectl >/dev/null; then
  kbin=$(mktemp -d); ln -s "$(bash scripts/control-plane.sh kubectl)" "$kbin/kubectl"; PATH="$kbin:$PATH"
fi
source scripts/bench-cluster.sh
bash scripts/seed-contexts.sh "$bin" "$ns" "$n" 40
echo "contexts in $ns: $("$bin" -n "$ns" list -o name | wc -l)" >&2

hyperfine --warmup 1 --runs 10 --style basic --export-markdown /tmp/bench-search.md \
  -n "kubectl mcp search (no match: every message read)" "$bin -n $ns search 'no such words'" \
  -n "kubectl mcp search (matches in every context)" "$bin -n $ns search PodDisruptionBudgets -o name" \
  -n "kubectl get cmc -o json | grep" "kubectl get cmc -n $ns -o json | grep -c PodDisruptionBudgets" \
  -n "kubectl mcp list -o json" "$bin -n $ns list -o json"
cat /tmp/bench-search.md
