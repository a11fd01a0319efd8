#!/usr/bin/env bash
# Build a release: the archive krew installs and the krew manifest that points at it.
#
#   scripts/release.sh [--bin-dir DIR] [--out DIR] [--base-url URL] [--update-manifest]
#
#   --bin-dir DIR      package the binaries in DIR instead of building them (cargo build --release)
#   --out DIR          where the archive, its .sha256 and the manifest go (default: dist)
#   --base-url URL     where releases are published; the archive's URI is URL/vVERSION/ARCHIVE
#                      (default: $KUBECTL_MCP_RELEASE_URL, else the project's GitHub releases)
#   --update-manifest  also write the manifest to plugins/mcp.yaml (the committed copy)
#
# The version is Cargo.toml's. The archive (kubectl-mcp-vVERSION-OS-ARCH.tar.gz) holds both
# binaries (kubectl-mcp, and kubectl_complete-mcp for kubectl's plugin completion), LICENSE,
# README.md, the completion scripts and the man pages, and is reproducible from the same
# binaries: sorted entries, fixed mtime and owners, gzip without a timestamp. Install it with
#   kubectl krew install --manifest=dist/mcp.yaml --archive=dist/kubectl-mcp-v….tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir="" out="dist" update=0
base_url="${KUBECTL_MCP_RELEASE_URL:-https://github.com/kubectl-mcp/kubectl-mcp/releases/download}"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) bin_dir="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --base-url) base_url="${2%/}"; shift 2 ;;
    --update-manifest) update=1; shift ;;
    *) echo "usage: $0 [--bin-dir DIR] [--out DIR] [--base-url URL] [--update-manifest]" >&2; exit 2 ;;
  esac
done

version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)"
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "unsupported OS $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 1 ;; esac

if [ -z "$bin_dir" ]; then
  cargo build --release --locked -q
  bin_dir="target/release"
fi
for b in kubectl-mcp kubectl_complete-mcp; do
  [ -x "$bin_dir/$b" ] || { echo "$bin_dir/$b is missing: build it first" >&2; exit 1; }
done

name="kubectl-mcp-$version-$os-$arch"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$bin_dir/kubectl-mcp" "$bin_dir/kubectl_complete-mcp" LICENSE README.md "$stage/$name/"
cp -r completions man "$stage/$name/"
archive="$out/$name.tar.gz"
tar --sort=name --mtime='@0' --owner=0 --group=0 --numeric-owner -C "$stage" -cf - "$name" \
  | gzip -n "-${KUBECTL_MCP_GZIP_LEVEL:-9}" > "$archive"
sha=$(sha256sum "$archive" | cut -d' ' -f1)
echo "$sha  $name.tar.gz" > "$archive.sha256"

manifest="$out/mcp.yaml"
cat > "$manifest" <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: mcp
spec:
  version: $version
  homepage: ${base_url%/releases/download}
  shortDescription: Keep Claude conversations as Kubernetes resources and chat from kubectl
  description: |
    kubectl mcp keeps conversations with Anthropic's Claude as ClaudeModelContext custom
    resources: create, list, chat (a REPL, or scripted), summarize, expire, export and search
    them with kubectl's habits (-n, -A, -l, -o json|yaml|jsonpath|custom-columns), and serve
    them to Claude Code and other clients over the Model Context Protocol
    (kubectl mcp serve), under the cluster's RBAC.
    Run \`kubectl mcp install\` once per cluster to install the CRD.
  caveats: |
    Set ANTHROPIC_API_KEY (or pass --api-key-secret NS/NAME), then:
      kubectl mcp install
      kubectl mcp chat demo --model claude-haiku-4-5
  platforms:
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: $base_url/$version/$name.tar.gz
    sha256: $sha
    bin: kubectl-mcp
    files:
    - from: $name/kubectl-mcp
      to: .
    - from: $name/kubectl_complete-mcp
      to: .
    - from: $name/LICENSE
      to: .
YAML
if [ "$update" = 1 ]; then
  mkdir -p plugins
  cp "$manifest" plugins/mcp.yaml
fi
echo "$archive"
echo "$manifest"
