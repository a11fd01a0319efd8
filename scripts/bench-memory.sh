#!/usr/bin/env bash
# Benchmark: peak memory (GNU time's maximum resident set) of `export -o jsonl`, `export -o json`,
# `get`, `search` and the MCP server reading a conversation of 20 segments of 60 MiB (1.2 GB),
# release build. It is tests/memory.rs run on the release binary with 60 MiB segments; the
# test asserts each peak stays under 64 MiB + three segments (244 MiB) and prints the figures.
# Starts its own control plane on loopback unless BENCH_KUBECONFIG is set.
#   scripts/bench-memory.sh [SEGMENT_MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-60}"
cargo build --release --locked -q
if [ -n "${BENCH_KUBECONFIG:-}" ]; then
  export KUBECTL_MCP_TEST_KUBECONFIG="$BENCH_KUBECONFIG"
fi
KUBECTL_MCP_MEMORY_SEGMENT_MIB="$mib" KUBECTL_MCP_BIN="$PWD/target/release/kubectl-mcp" \
  cargo test --locked -q --test memory -- --nocapture 2>&1 | grep -E 'MiB|pages|test result'
