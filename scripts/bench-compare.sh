#!/usr/bin/env bash
# Two builds side by side on one control plane, in one run: the `list`, scripted-turn and MCP
# figures of BENCHMARKS.md for a baseline binary (an older commit's release build) and this
# tree's, interleaved so that the server's and the machine's drift falls on both alike.
#   scripts/bench-compare.sh OLD_BIN [ROUNDS]
# OLD_BIN: e.g. a `git worktree add /tmp/old COMMIT && cargo build --release` of another commit.
# Starts its own control plane on loopback unless BENCH_KUBECONFIG is set. Prints figures and
# ratios (this tree ÷ baseline); never fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
old="$(realpath "$1")"
rounds="${2:-25}"
source scripts/bench-cluster.sh # hyperfine, $bin (this tree's release build), $KUBECONFIG
new="$bin"
cargo build --release --locked --workspace -q
cargo bench --locked --bench mcp --no-run -q
mcp_bench=$(ls -t target/release/deps/mcp-* | grep -v '\.d$' | head -1)
work=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-compare.XXXXXX")
fakepid=
cleanup() {
  [ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null
  rm -rf "$work"
  # bench-cluster.sh's own control plane, when it started one (this trap replaces its own).
  if [ -n "${dir:-}" ]; then
    bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1
    rm -rf "$dir"
  fi
}
trap cleanup EXIT

echo "== list: 5,000 contexts of 40 messages, both builds, one hyperfine run"
bash scripts/seed-contexts.sh "$new" bench-m40 5000 40
hyperfine --warmup 1 --runs 10 --style basic --export-markdown "$work/list.md" \
  -n "old: list" "$old -n bench-m40 list" \
  -n "new: list" "$new -n bench-m40 list" \
  -n "old: list -o json" "$old -n bench-m40 list -o json" \
  -n "new: list -o json" "$new -n bench-m40 list -o json" \
  -n "old: list -A --sort-by tokens" "$old list -A --sort-by tokens" \
  -n "new: list -A --sort-by tokens" "$new list -A --sort-by tokens" >/dev/null
cat "$work/list.md"

echo "== scripted turn: 10, 4,000 and 10,000 stored messages, $rounds rounds, builds alternating"
fifo="$work/fifo"
mkfifo "$fifo"
target/release/fake-claude >"$fifo" &
fakepid=$!
read -r line <"$fifo"
export "${line?}" ANTHROPIC_API_KEY=sk-bench KUBECTL_MCP_STATE_DIR="$work/state"
ns="bench-cmp-$$"
kubectl create namespace "$ns" >/dev/null
python3 - "$work" <<'PY'
import json, sys
d = sys.argv[1]
for size in (10, 4000, 10000):
    with open(f"{d}/grow{size}.jsonl", "w") as f:
        for i in range(size // 2):
            f.write(json.dumps({"session": f"s{size}", "model": "m", "maxTokens": 1000,
                                "message": f"message {i}: " + "an ordinary sentence of a chat turn. " * 6}) + "\n")
PY
for size in 10 4000 10000; do
  "$new" -n "$ns" batch -f "$work/grow$size.jsonl" >/dev/null
done
python3 - "$old" "$new" "$ns" "$rounds" <<'PY'
import statistics, subprocess, sys, time
old, new, ns, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sizes = (10, 4000, 10000)
times = {(b, s): [] for b in ("old", "new") for s in sizes}
for r in range(rounds + 2):
    order = [("old", old), ("new", new)] if r % 2 == 0 else [("new", new), ("old", old)]
    for s in sizes:
        for name, binary in order:
            t = time.perf_counter()
            subprocess.run([binary, "-n", ns, "chat", f"s{s}", "-m", f"question {r}: how do I scale a deployment?"],
                           check=True, capture_output=True)
            if r >= 2:  # two warm-up rounds (segment cache, page cache)
                times[(name, s)].append(time.perf_counter() - t)
print("| stored messages | old median | new median | old mean | new mean | new ÷ old (median) |")
print("|---:|---:|---:|---:|---:|---:|")
for s in sizes:
    o, n = times[("old", s)], times[("new", s)]
    print(f"| {s:,} | {statistics.median(o)*1e3:.1f} ms | {statistics.median(n)*1e3:.1f} ms | "
          f"{statistics.mean(o)*1e3:.1f} ms | {statistics.mean(n)*1e3:.1f} ms | "
          f"{statistics.median(n)/statistics.median(o):.2f} |")
PY

echo "== MCP over stdio: the same bench executable driving each build's server, ABAB"
for who in old new old new; do
  b=$old
  [ "$who" = new ] && b=$new
  echo "-- $who"
  KUBECTL_MCP_BIN="$b" BENCH_KUBECONFIG="$KUBECONFIG" "$mcp_bench" --bench
done
