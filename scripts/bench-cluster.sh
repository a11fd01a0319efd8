# Sourced by the list and search benchmarks: hyperfine, a release build in $bin, and a cluster
# in $KUBECONFIG (BENCH_KUBECONFIG's, else a control plane of its own on loopback, stopped on
# exit) with the CRD installed.
command -v hyperfine >/dev/null || { apt-get update -qq; apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --locked -q
bin="$PWD/target/release/kubectl-mcp"
if [ -n "${BENCH_KUBECONFIG:-}" ]; then
  export KUBECONFIG="$BENCH_KUBECONFIG"
else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-mcp-bench.XXXXXX")
  trap 'bash scripts/control-plane.sh stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
  bash scripts/control-plane.sh start "$dir" >/dev/null
  export KUBECONFIG="$dir/kubeconfig"
fi
"$bin" install >/dev/null
