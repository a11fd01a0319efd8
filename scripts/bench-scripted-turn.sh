#!/usr/bin/env bash
# Benchmark (issue #10): a whole scripted turn (`kubectl mcp chat SESSION -m …`, one process)
# on conversations of 10, 4,000 and 10,000 stored messages, interleaved round by round on one
# control plane, against a zero-latency fake of Claude. Every context has the same prompt budget
# (maxTokens 1000), so every turn sends a window of the same size and only the storage differs.
# Also prints the live object's stored size and the bytes of the turn's writes. GROW=import
# builds the conversations by `import` instead of growing them turn by turn with `batch`.
# Starts its own control plane on loopback unless KUBECTL_MCP_TEST_KUBECONFIG is set.
# Prints figures; never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-30}
cargo build --release --locked --workspace -q
bin="$PWD/target/release/kubectl-mcp"
fakebin="$PWD/target/release/fake-claude"
dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-bench.XXXXXX")
pids=()
own=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ "$own" = 1 ] && bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
if [ -z "${KUBECTL_MCP_TEST_KUBECONFIG:-}" ]; then
  own=1
  bash scripts/control-plane.sh start "$dir" >/dev/null
  export KUBECTL_MCP_TEST_KUBECONFIG="$dir/kubeconfig"
fi
export KUBECONFIG="$KUBECTL_MCP_TEST_KUBECONFIG" KUBECTL_MCP_STATE_DIR="$dir/state"
"$bin" install >/dev/null
fifo=$(mktemp -u); mkfifo "$fifo"
"$fakebin" >"$fifo" & pids+=($!)
read -r line <"$fifo"; rm -f "$fifo"
export "${line?}" ANTHROPIC_API_KEY=sk-bench
ns="bench-st-$$"
python3 - "$bin" "$ns" "$dir" <<'PY'
import json, subprocess, sys
bin, ns, d = sys.argv[1:]
for size in (10, 4000, 10000):
    lines = [json.dumps({"kind": "ClaudeModelContext",
                         "spec": {"modelName": "m", "sessionID": f"s{size}", "maxTokens": 1000}})]
    for i in range(size):
        role = "user" if i % 2 == 0 else "assistant"
        lines.append(json.dumps({"role": role, "content": f"message {i}: " + "an ordinary sentence of a chat turn. " * 6}))
    path = f"{d}/s{size}.jsonl"
    open(path, "w").write("\n".join(lines) + "\n")
PY
# The namespace, through the apiserver (the plugin does not create namespaces).
curl_ns() {
  python3 - "$ns" <<'PY'
import json, sys
print(json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": sys.argv[1]}}))
PY
}
server=$(sed -n 's/^ *server: //p' "$KUBECONFIG" | head -1)
token=$(sed -n 's/^ *token: //p' "$KUBECONFIG" | head -1)
curl -fsS -k -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -X POST "$server/api/v1/namespaces" -d "$(curl_ns)" >/dev/null
if [ "${GROW:-batch}" = import ]; then
  # Imported: the older turns are sealed into segments of 512 KiB at once.
  for size in 10 4000 10000; do
    "$bin" -n "$ns" import -f "$dir/s$size.jsonl" >/dev/null
  done
else
  # Grown turn by turn (as users grow them): one `batch` per context, the answers echo the
  # questions, so sealing and segment merging happen as they do in use.
  python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
for size in (10, 4000, 10000):
    with open(f"{d}/grow{size}.jsonl", "w") as f:
        for i in range(size // 2):
            f.write(json.dumps({"session": f"s{size}", "model": "m", "maxTokens": 1000,
                                "message": f"message {i}: " + "an ordinary sentence of a chat turn. " * 6}) + "\n")
PY
  for size in 10 4000 10000; do
    "$bin" -n "$ns" batch -f "$dir/grow$size.jsonl" >/dev/null
  done
fi
python3 - "$bin" "$ns" "$ROUNDS" <<'PY'
import statistics, subprocess, sys, time, json
bin, ns, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = (10, 4000, 10000)
times = {s: [] for s in sizes}
for r in range(rounds + 2):
    for s in sizes:
        t = time.perf_counter()
        subprocess.run([bin, "-n", ns, "chat", f"s{s}", "-m", f"question {r}: how do I scale a deployment?"],
                       check=True, capture_output=True)
        if r >= 2:  # two warm-up rounds (segment cache, page cache)
            times[s].append(time.perf_counter() - t)
base = statistics.median(times[10])
print(f"scripted turn, whole process, {rounds} rounds interleaved")
for s in sizes:
    med = statistics.median(times[s]); mean = statistics.mean(times[s])
    print(f"  {s:>6} stored: median {med*1e3:7.1f} ms  mean {mean*1e3:7.1f} ms  ratio to 10: {med/base:.2f}")
print("live object and the writes of one turn")
for s in sizes:
    obj = subprocess.run([bin, "-n", ns, "get", f"s{s}", "-o", "json"], check=True, capture_output=True).stdout
    o = json.loads(obj)
    segs = len(o.get("status", {}).get("segments", []))
    out = subprocess.run([bin, "-n", ns, "-v", "chat", f"s{s}", "-m", "one more"], capture_output=True,
                         env={**__import__("os").environ, "RUST_LOG": "kubectl_mcp=debug"}).stderr.decode()
    sent = [int(l.split("bytes=")[1].split()[0]) for l in out.splitlines() if "guarded JSON patch" in l and "bytes=" in l]
    stored = len(json.dumps(o, separators=(",", ":")))
    print(f"  {s:>6} stored: live object {stored:>7} bytes (compact JSON, without managedFields), {segs:>3} segments, turn's patches {sent} bytes")
PY
