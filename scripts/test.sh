#!/usr/bin/env bash
# The whole test suite, on a fresh machine or a warm one: provisions the test control plane
# (Debian packages, kube-apiserver built once and cached under ~/.cache/kubectl-mcp), starts it on
# loopback for the run, then runs formatting and lint checks and every test against it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/control-plane.sh provision

dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-test.XXXXXX")
cleanup() { bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
# A start can fail on a busy machine (a port taken between choosing and binding it): retry.
for attempt in 1 2 3; do
  if bash scripts/control-plane.sh start "$dir" >/dev/null; then break; fi
  [ "$attempt" -lt 3 ] || { echo "the test control plane failed to start three times" >&2; exit 1; }
  bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"; dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-test.XXXXXX")
done
# shellcheck disable=SC1091
source "$dir/env"
echo "test control plane: $KUBECTL_MCP_TEST_SERVER (kube-apiserver v1.20.2 + etcd on loopback)"

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --all-targets --locked
