#!/usr/bin/env bash
# A real Kubernetes control plane (etcd + kube-apiserver v1.20.2) on loopback, for tests and demos.
#
# Everything comes from Debian's registry (see shared/notes/real-apiserver.md): etcd-server, Go,
# and the `kubernetes` source package, built once and cached under ~/.cache/kubectl-mcp.
#
#   control-plane.sh provision        install packages, build kube-apiserver, unpack kubectl (cached)
#   control-plane.sh start DIR        start etcd + apiserver, state in DIR; prints env lines
#   control-plane.sh stop DIR         stop what `start DIR` started
#   control-plane.sh kubectl          print the path of the cached kubectl (fetched if missing)
#
# With KUBECTL_MCP_OWNER_PID set, `start` also stops everything (and removes DIR) once that
# process exits.
#
# `start` writes DIR/kubeconfig (admin, group system:masters), DIR/kubeconfig-alice, -bob and -carol
# (users with no grants, for role tests), DIR/kubeconfig-viewer (a user with no
# RBAC grants, to prove Forbidden handling) and DIR/env (shell lines to source).
set -euo pipefail

CACHE="${KUBECTL_MCP_CACHE:-$HOME/.cache/kubectl-mcp}"
K8S_VERSION=1.20.2
APISERVER="$CACHE/kube-apiserver-v$K8S_VERSION"
# kubectl of the same release, from Debian's `kubernetes-client` binary package, unpacked rather
# than installed (it would clash with another kubectl package); tests compare our output with it.
KUBECTL="$CACHE/kubectl-v$K8S_VERSION"

log() { echo "control-plane: $*" >&2; }

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then echo sudo; else log "need root to install packages"; exit 1; fi
  fi
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local SUDO; SUDO=$(need_root)
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

provision_kubectl() {
  [ -x "$KUBECTL" ] && return 0
  local work; work=$(mktemp -d "${TMPDIR:-/tmp}/kubectl-deb.XXXXXX")
  log "fetching kubectl v$K8S_VERSION (Debian's kubernetes-client package)"
  (cd "$work" && chmod 777 . && apt-get download kubernetes-client >/dev/null 2>&1) || {
    local SUDO; SUDO=$(need_root); $SUDO apt-get update -qq
    (cd "$work" && apt-get download kubernetes-client >/dev/null 2>&1); }
  dpkg-deb -x "$work"/kubernetes-client_*.deb "$work/x"
  mkdir -p "$CACHE"
  cp "$work/x/usr/bin/kubectl" "$KUBECTL.tmp" && mv "$KUBECTL.tmp" "$KUBECTL"
  rm -rf "$work"
  log "unpacked $KUBECTL"
}

provision() {
  apt_install etcd-server openssl jq ca-certificates
  provision_kubectl
  if [ -x "$APISERVER" ]; then log "kube-apiserver cached at $APISERVER"; return 0; fi
  apt_install golang-go rsync make golang-github-modern-go-reflect2-dev dpkg-dev
  local SUDO; SUDO=$(need_root)
  # The machines list only binary packages; add the matching deb-src entry once.
  if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null; then
    log "adding a deb-src entry for Debian's main archive"
    awk '
      /^Types:/ { blk=""; keep=0 }
      { blk = blk $0 "\n" }
      /^URIs:.*debian\/?$/ { keep=1 }
      /^$/ { if (keep) printf "%s", blk; blk=""; keep=0 }
      END { if (keep) printf "%s\n", blk }
    ' /etc/apt/sources.list.d/debian.sources | sed 's/^Types: deb$/Types: deb-src/' \
      | $SUDO tee /etc/apt/sources.list.d/kubectl-mcp-src.sources >/dev/null
    $SUDO apt-get update -qq
  fi
  local work; work=$(mktemp -d "${TMPDIR:-/tmp}/k8s-build.XXXXXX")
  log "fetching the kubernetes source package into $work"
  (cd "$work" && apt-get source --download-only kubernetes >/dev/null 2>&1)
  local tarball; tarball=$(ls "$work"/kubernetes_*.orig.tar.* | head -n1)
  mkdir -p "$work/src" && tar -xf "$tarball" -C "$work/src" --strip-components=1
  local src="$work/src"
  log "swapping vendored modern-go/reflect2 for Debian's fixed copy"
  rm -rf "$src/vendor/github.com/modern-go/reflect2"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$src/vendor/github.com/modern-go/reflect2"
  rm -f "$src/vendor/github.com/modern-go/reflect2/go.mod"
  mkdir -p "$src/.go/src/k8s.io" "$work/home"
  ln -sfn ../../.. "$src/.go/src/k8s.io/kubernetes"
  log "building kube-apiserver (takes ~5 minutes on 2 cores, once)"
  (cd "$src/.go/src/k8s.io/kubernetes" && GOPATH="$src/.go" CGO_ENABLED=0 HOME="$work/home" \
     GOFLAGS= GO111MODULE= make WHAT=cmd/kube-apiserver >"$work/build.log" 2>&1) || {
       tail -n 40 "$work/build.log" >&2; log "build failed; log in $work/build.log"; exit 1; }
  mkdir -p "$CACHE"
  cp "$src/_output/local/bin/linux/amd64/kube-apiserver" "$APISERVER.tmp" && mv "$APISERVER.tmp" "$APISERVER"
  chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"
  log "built $APISERVER"
}

# N distinct free loopback ports, on one line (all bound at once, so they differ).
free_ports() {
  python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

write_kubeconfig() { # file server ca token user
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $2
    certificate-authority: $3
users:
- name: $5
  user:
    token: $4
contexts:
- name: $5@local
  context:
    cluster: local
    user: $5
    namespace: default
current-context: $5@local
KC
  chmod 600 "$1"
}

start() {
  local dir="$1"
  [ -x "$APISERVER" ] || provision
  command -v etcd >/dev/null || provision
  [ -x "$KUBECTL" ] || provision_kubectl
  mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
  if [ -f "$dir/apiserver.pid" ] && kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
    log "already running in $dir"; cat "$dir/env"; return 0
  fi
  local pki="$dir/pki"; mkdir -p "$pki"
  # A second `start` of a stopped DIR restarts the same cluster: same ports, certificates, tokens
  # and etcd data (tests use this to take the apiserver away and bring it back).
  if [ ! -f "$pki/tokens.csv" ]; then
    # A small CA and a serving cert it signs: rustls refuses a self-signed leaf used as its own CA.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kubectl-mcp-test-ca" \
      -keyout "$pki/ca.key" -out "$pki/ca.crt" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
      -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$pki/ext.cnf"
    openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -days 3650 -out "$pki/server.crt" -extfile "$pki/ext.cnf" 2>/dev/null
    openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
    openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
    printf '%s,admin,admin-uid,"system:masters"\n%s,viewer,viewer-uid,"viewers"\n' \
      "$(openssl rand -hex 16)" "$(openssl rand -hex 16)" >"$pki/tokens.csv"
    chmod 600 "$pki"/*
  fi
  # Users with no grants of their own, for tests that bind roles to them.
  for user in alice bob carol; do
    grep -q ",$user,$user-uid," "$pki/tokens.csv" \
      || printf '%s,%s,%s-uid,"users"\n' "$(openssl rand -hex 16)" "$user" "$user" >>"$pki/tokens.csv"
  done
  local admin_token viewer_token
  admin_token=$(sed -n 1p "$pki/tokens.csv" | cut -d, -f1)
  viewer_token=$(sed -n 2p "$pki/tokens.csv" | cut -d, -f1)

  local etcd_port peer_port api_port
  if [ -f "$dir/ports" ]; then
    read -r etcd_port peer_port api_port <"$dir/ports"
  else
    read -r etcd_port peer_port api_port < <(free_ports 3)
    echo "$etcd_port $peer_port $api_port" >"$dir/ports"
  fi
  # KUBECTL_MCP_ENCRYPT_AT_REST=1: the apiserver encrypts contexts, segments and Secrets in etcd
  # (aescbc, a key made for this DIR); DIR/encryption.yaml is the configuration.
  local encryption=()
  if [ "${KUBECTL_MCP_ENCRYPT_AT_REST:-}" = 1 ]; then
    [ -f "$dir/encryption.yaml" ] || cat >"$dir/encryption.yaml" <<ENC
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources:
  - claudemodelcontexts.mcp.dev
  - claudemodelcontextsegments.mcp.dev
  - secrets
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: $(head -c 32 /dev/urandom | base64)
  - identity: {}
ENC
    encryption=(--encryption-provider-config="$dir/encryption.yaml")
  fi
  mkdir -p "$dir/etcd"
  etcd --data-dir "$dir/etcd" --name default \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "default=http://127.0.0.1:$peer_port" \
    --quota-backend-bytes 4294967296 >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"
  "$APISERVER" --etcd-servers="http://127.0.0.1:$etcd_port" \
    --secure-port="$api_port" --bind-address=127.0.0.1 --insecure-port=0 \
    --tls-cert-file="$pki/server.crt" --tls-private-key-file="$pki/server.key" \
    --client-ca-file="$pki/ca.crt" \
    --token-auth-file="$pki/tokens.csv" --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --enable-admission-plugins=NamespaceLifecycle,ServiceAccount \
    --disable-admission-plugins=PersistentVolumeLabel "${encryption[@]}" >"$dir/apiserver.log" 2>&1 &
  echo $! >"$dir/apiserver.pid"

  local server="https://127.0.0.1:$api_port"
  local i
  for i in $(seq 1 240); do
    if curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $admin_token" "$server/readyz" >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; then
      tail -n 30 "$dir/apiserver.log" >&2; tail -n 10 "$dir/etcd.log" >&2
      log "kube-apiserver exited"; stop "$dir"; exit 1
    fi
    sleep 0.25
  done
  [ "$i" -lt 240 ] || { tail -n 30 "$dir/apiserver.log" >&2; log "not ready after 60s"; stop "$dir"; exit 1; }

  write_kubeconfig "$dir/kubeconfig" "$server" "$pki/ca.crt" "$admin_token" admin
  write_kubeconfig "$dir/kubeconfig-viewer" "$server" "$pki/ca.crt" "$viewer_token" viewer
  for user in alice bob carol; do
    write_kubeconfig "$dir/kubeconfig-$user" "$server" "$pki/ca.crt" \
      "$(grep ",$user,$user-uid," "$pki/tokens.csv" | cut -d, -f1)" "$user"
  done
  cat >"$dir/env" <<ENV
export KUBECTL_MCP_TEST_KUBECONFIG=$dir/kubeconfig
export KUBECTL_MCP_TEST_KUBECONFIG_VIEWER=$dir/kubeconfig-viewer
export KUBECTL_MCP_TEST_SERVER=$server
ENV
  # With an owner (a test process that started us), stop when it exits, so `cargo test` leaves
  # nothing running behind it. The watcher's stdio must not hold the caller's pipes open.
  if [ -n "${KUBECTL_MCP_OWNER_PID:-}" ]; then
    ( while kill -0 "$KUBECTL_MCP_OWNER_PID" 2>/dev/null; do sleep 1; done; stop "$dir"; rm -rf "$dir" ) \
      </dev/null >/dev/null 2>&1 &
  fi
  log "ready at $server (kubeconfig: $dir/kubeconfig)"
  cat "$dir/env"
}

stop() {
  local dir="$1" f pid
  for f in apiserver etcd; do
    [ -f "$dir/$f.pid" ] || continue
    pid=$(cat "$dir/$f.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/$f.pid"
  done
}

case "${1:-}" in
  provision) provision ;;
  kubectl) provision_kubectl; echo "$KUBECTL" ;;
  start) start "${2:?usage: control-plane.sh start DIR}" ;;
  stop) stop "${2:?usage: control-plane.sh stop DIR}" ;;
  *) echo "usage: $0 provision | start DIR | stop DIR | kubectl" >&2; exit 2 ;;
esac
