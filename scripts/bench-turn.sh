#!/usr/bin/env bash
# Benchmark: cluster overhead per chat turn at 10 and 1,000 stored messages (see
# benches/turn_overhead.rs). Starts its own control plane on loopback unless
# KUBECTL_MCP_TEST_KUBECONFIG is set. Prints figures; never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KUBECTL_MCP_TEST_KUBECONFIG:-}" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-bench.XXXXXX")
  trap 'bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
  bash scripts/control-plane.sh start "$dir" >/dev/null
  # shellcheck disable=SC1091
  source "$dir/env"
fi
cargo run -q --release --locked -- --kubeconfig "$KUBECTL_MCP_TEST_KUBECONFIG" install >/dev/null
cargo bench --locked --bench turn_overhead
