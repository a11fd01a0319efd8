#!/usr/bin/env bash
# The main job, end to end: build kubectl-mcp, put it on PATH as the kubectl plugin, and use it
# against a cluster: install the CRD, create contexts, chat, list and describe. Without
# ANTHROPIC_API_KEY the answers come from the local fake Messages API, and the script says so. With no cluster configured (no $KUBECONFIG, no ~/.kube/config), a local
# control plane (kube-apiserver + etcd on loopback) is started for the demo and stopped after.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cargo build --release --locked --workspace
bin="$PWD/target/release"
export PATH="$bin:$PATH"
cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c"; done' EXIT

if [ -z "${KUBECONFIG:-}" ] && [ ! -f "$HOME/.kube/config" ]; then
  echo "No cluster configured: starting a local control plane on loopback for this demo."
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-demo.XXXXXX")
  cleanup+=("bash scripts/control-plane.sh stop '$dir' >/dev/null 2>&1; rm -rf '$dir'")
  bash scripts/control-plane.sh start "$dir" >/dev/null
  export KUBECONFIG="$dir/kubeconfig"
fi

if [ -z "${ANTHROPIC_API_KEY:-}" ] && [ -z "${ANTHROPIC_AUTH_TOKEN:-}" ]; then
  echo "ANTHROPIC_API_KEY is not set: answering with the local fake Messages API (crates/fake-claude), not Claude."
  fifo=$(mktemp -u); mkfifo "$fifo"
  "$bin/fake-claude" --delay-ms 20 >"$fifo" &
  fake_pid=$!
  cleanup+=("kill $fake_pid 2>/dev/null")
  read -r line <"$fifo"; rm -f "$fifo"
  export "${line?}"            # ANTHROPIC_BASE_URL=http://127.0.0.1:PORT
  export ANTHROPIC_API_KEY=sk-ant-demo-fake
fi

if command -v kubectl >/dev/null; then mcp() { kubectl mcp "$@"; }; else mcp() { kubectl-mcp "$@"; }; fi
session="demo-$(date +%s)"

say kubectl mcp install
mcp install
say kubectl mcp create "$session" --model claude-sonnet-4-5 --max-tokens 4000 --history-size 10
mcp create "$session" --model claude-sonnet-4-5 --max-tokens 4000 --history-size 10
say kubectl mcp create "'Alice/support #42'" --model claude-haiku-4-5 --strategy hybrid --expires-in 24h
mcp create 'Alice/support #42' --model claude-haiku-4-5 --strategy hybrid --expires-in 24h || true
say kubectl mcp chat "$session" -m "What is a pod?" -m "And a deployment?"
mcp chat "$session" -m "What is a pod?" -m "And a deployment?"
say kubectl mcp list -o wide
mcp list -o wide
say kubectl mcp get "$session"
mcp get "$session"
if command -v kubectl >/dev/null; then
  say kubectl get cmc
  kubectl get cmc
fi
