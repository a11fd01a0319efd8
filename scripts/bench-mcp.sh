#!/usr/bin/env bash
# Benchmark: `kubectl mcp serve` over stdio (issue #13): resources/read of a 1,000-turn context,
# list_contexts over 1,000 contexts, the server's peak memory, and the CLI doing the same work in
# the same run. Starts its own control plane on loopback unless BENCH_KUBECONFIG is set.
#   scripts/bench-mcp.sh
# A benchmark, not a test: it prints figures and never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
if [ -z "${BENCH_KUBECONFIG:-}" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-bench.XXXXXX")
  trap 'bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
  bash scripts/control-plane.sh start "$dir" >/dev/null
  export BENCH_KUBECONFIG="$dir/kubeconfig"
fi
target/release/kubectl-mcp --kubeconfig "$BENCH_KUBECONFIG" install >/dev/null
cargo bench --locked --bench mcp
