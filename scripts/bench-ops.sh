#!/usr/bin/env bash
# Benchmarks for the operator commands: `expire` over 2,000 contexts, and `batch` throughput
# (turns/s) at concurrency 1, 4 and 16 against the fake Claude with 0 and 200 ms latency.
# Starts its own control plane on loopback. Prints figures; never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=(); for t in hyperfine bc; do command -v "$t" >/dev/null || missing+=("$t"); done
[ ${#missing[@]} -eq 0 ] || { apt-get update -qq; apt-get install -y -qq "${missing[@]}" >/dev/null; }
cargo build --release --locked --workspace -q
bin="$PWD/target/release/kubectl-mcp"
fakebin="$PWD/target/release/fake-claude"
dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
bash scripts/control-plane.sh start "$dir" >/dev/null
export KUBECONFIG="$dir/kubeconfig" KUBECTL_MCP_STATE_DIR="$dir/state"
"$bin" install >/dev/null
now() { date +%s.%N; }

echo "## expire over 2,000 contexts (1,000 due)"
python3 - "$dir/ctx.json" <<'PY'
import json, sys
items = [{"apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
          "metadata": {"name": f"c{i:04d}"},
          "spec": {"modelName": "m", "sessionID": f"c{i:04d}",
                   "expirationTime": "2020-01-01T00:00:00Z" if i % 2 == 0 else "2999-01-01T00:00:00Z",
                   "contextHistory": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}}
         for i in range(2000)]
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[1], "w"))
PY
kubectl create namespace exp >/dev/null
kubectl create -n exp -f "$dir/ctx.json" -o name >/dev/null
hyperfine --warmup 1 --runs 5 --style basic "$bin -n exp expire --dry-run" 2>&1 | grep -E "Time|Range"
for c in 1 8 32; do
  t0=$(now); "$bin" -n exp expire --concurrency "$c" >/dev/null; t1=$(now)
  printf 'mark 1,000 Expired, concurrency %-3s %.2f s\n' "$c" "$(echo "$t1 - $t0" | bc)"
  # Put them back to Active for the next round.
  "$bin" -n exp list -o name --state Expired | sed 's|.*/||' | xargs -P 8 -I{} kubectl patch cmc {} -n exp --subresource=status --type=merge -p '{"status":{"currentState":"Active"}}' >/dev/null 2>&1 || true
done
t0=$(now); "$bin" -n exp expire --delete --concurrency 8 >/dev/null; t1=$(now)
printf 'delete 1,000, concurrency 8          %.2f s\n' "$(echo "$t1 - $t0" | bc)"

echo
echo "## batch: 200 turns over 50 sessions"
python3 - "$dir/batch.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(200):
        f.write(json.dumps({"session": f"s{i % 50}", "message": f"question {i} about pods", "model": "m"}) + "\n")
PY
for latency in 0 200; do
  fifo=$(mktemp -u); mkfifo "$fifo"
  "$fakebin" --latency-ms "$latency" >"$fifo" & pids+=($!)
  read -r line <"$fifo"; rm -f "$fifo"
  export "${line?}" ANTHROPIC_API_KEY=sk-bench
  for c in 1 4 16; do
    ns="b-$latency-$c"; kubectl create namespace "$ns" >/dev/null
    t0=$(now); "$bin" -n "$ns" batch -f "$dir/batch.jsonl" --concurrency "$c" >/dev/null; t1=$(now)
    secs=$(echo "$t1 - $t0" | bc)
    printf 'latency %3s ms, concurrency %-3s %6.2f s  %6.1f turns/s\n' "$latency" "$c" "$secs" "$(echo "200 / $secs" | bc -l)"
  done
done
