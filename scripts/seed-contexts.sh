#!/usr/bin/env bash
# Create contexts with realistic histories for benchmarks, until namespace NS holds N of them:
# MESSAGES messages of ~750 characters each (40: ~31 kB a context), labels team=t0…t9, made with
# `kubectl create -f` in Lists of 25, four at a time. KUBECONFIG must point at the cluster.
#   scripts/seed-contexts.sh BIN NS N [MESSAGES]
set -euo pipefail
bin="$1" ns="$2" n="$3" messages="${4:-40}"
kubectl create namespace "$ns" >/dev/null 2>&1 || true
have=$("$bin" -n "$ns" list -o name 2>/dev/null | wc -l)
[ "$have" -ge "$n" ] && exit 0
echo "creating $((n - have)) contexts in namespace $ns …" >&2
work=$(mktemp -d)
python3 - "$have" "$n" "$work" "$messages" <<'PY'
import json, sys
start, n, out, messages = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
batch = 25
text = "To drain a node, cordon it first, then evict its pods with kubectl drain NODE --ignore-daemonsets --delete-emptydir-data; watch the pods reschedule and check PodDisruptionBudgets. " * 4
for b in range(start, n, batch):
  items = []
  for i in range(b, min(b + batch, n)):
      history = [{"role": "user" if m % 2 == 0 else "assistant", "content": f"{m}: {text}"}
                 for m in range(messages)]
      items.append({
          "apiVersion": "mcp.dev/v1alpha1", "kind": "ClaudeModelContext",
          "metadata": {"name": f"ctx-{i:05d}", "labels": {"team": f"t{i % 10}"}},
          "spec": {"modelName": "claude-haiku-4-5", "sessionID": f"User {i} / support",
                   "maxTokens": 4000, "historySize": 10, "contextHistory": history},
      })
  with open(f"{out}/batch-{b:05d}.json", "w") as f:
      json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
PY
ls "$work"/batch-*.json | xargs -P 4 -I{} kubectl create -n "$ns" -f {} -o name >/dev/null
rm -rf "$work"
