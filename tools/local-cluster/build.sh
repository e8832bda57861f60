#!/usr/bin/env bash
# Builds the local Kubernetes cluster used for development and CI:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (one pinned release) and kwok,
#   plus the real node's kubelet, kube-proxy (same release), CoreDNS (gomod/coredns/main.go) and
#   kube-router (gomod/kube-router; only its network policy controller is run, decision 014).
# Versions are pinned by the wrapper modules in tools/local-cluster/gomod/*/go.mod (+ go.sum);
# see docs/decisions/002-local-control-plane.md. Binaries are cached outside the repo under
#   ${ACADEMY_CACHE_DIR:-$HOME/.cache/academy}/k8s/<k8s-version>/bin/
# and rebuilt only when the pins (go.mod/go.sum) or the Go toolchain change.
# Concurrent builds (npm start and npm test at once) take turns on a lock in the cache.
# Progress lines `build: [<n>/<total>] <component> <version>: downloading|compiling|done ...` are
# read by tools/local-cluster/build.ts for the build status file: keep their shape.
# Usage: bash tools/local-cluster/build.sh [--force] [--print-bin-dir]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GOMOD="$HERE/gomod"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; fi

pinned() { # <module dir> <module path> -> version from the committed go.mod
  awk -v m="$2" '$1=="require" && $2==m && $3 ~ /^v/ {print $3; exit} $1==m && $2 ~ /^v/ {print $2; exit}' "$GOMOD/$1/go.mod"
}
K8S_VERSION=$(pinned kubernetes k8s.io/kubernetes)
ETCD_VERSION=$(pinned etcd go.etcd.io/etcd/server/v3)
KWOK_VERSION=$(pinned kwok sigs.k8s.io/kwok)
COREDNS_VERSION=$(pinned coredns github.com/coredns/coredns)
KUBE_ROUTER_VERSION=$(pinned kube-router github.com/cloudnativelabs/kube-router/v2)
CACHE="${ACADEMY_CACHE_DIR:-$HOME/.cache/academy}"
BIN="$CACHE/k8s/$K8S_VERSION/bin"
STAMP="$BIN/.academy-build-stamp"

if [ "${1:-}" = "--print-bin-dir" ]; then echo "$BIN"; exit 0; fi
FORCE=0; [ "${1:-}" = "--force" ] && FORCE=1
command -v go >/dev/null 2>&1 || { echo "build: Go is not installed (need Go >= 1.26 on PATH or in /usr/local/go)" >&2; exit 1; }

GO_VERSION=$(go env GOVERSION)
want_stamp=$(
  echo "kubernetes $K8S_VERSION"; echo "etcd $ETCD_VERSION"; echo "kwok $KWOK_VERSION"; echo "coredns $COREDNS_VERSION"
  echo "kube-router $KUBE_ROUTER_VERSION"; echo "go $GO_VERSION"
  cat "$GOMOD"/kubernetes/go.{mod,sum} "$GOMOD"/etcd/go.{mod,sum} "$GOMOD"/kwok/go.{mod,sum} \
    "$GOMOD"/coredns/go.{mod,sum} "$GOMOD"/coredns/main.go "$GOMOD"/kube-router/go.{mod,sum} | sha256sum | cut -d' ' -f1
)
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubelet kube-proxy coredns kube-router)
STAGES="$BIN/kwok-stages.yaml" # the default node/pod lifecycle Stages of the pinned kwok (what kwokctl uses)
all_present() { for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || return 1; done; [ -s "$STAGES" ]; }

up_to_date() { [ "$FORCE" = 0 ] && all_present && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ]; }
report_up_to_date() {
  echo "build: control plane binaries are up to date in $BIN (Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)"
}
if up_to_date; then report_up_to_date; exit 0; fi

# One build at a time per cache directory; whoever waited finds the binaries built.
mkdir -p "$CACHE/k8s"
LOCK="$CACHE/k8s/.build.lock"
exec 9>"$LOCK"
if ! flock -n 9; then
  echo "build: waiting for another build of the control plane to finish (lock $LOCK)..."
  flock 9
  if up_to_date; then report_up_to_date; exit 0; fi
fi

echo "build: building Kubernetes $K8S_VERSION (control plane, kubelet, kube-proxy), etcd $ETCD_VERSION, kwok $KWOK_VERSION, CoreDNS $COREDNS_VERSION and kube-router $KUBE_ROUTER_VERSION with $GO_VERSION"
echo "build: output directory $BIN (Go module and build caches: $(go env GOMODCACHE), $(go env GOCACHE))"
echo "build: a cold build takes 20-27 minutes on 2 cores (913 s + 351 s for kube-router measured with the Go modules cached; downloading them adds minutes); later runs reuse the cache"
mkdir -p "$BIN"
rm -f "$STAMP"
export GOFLAGS="-trimpath -mod=readonly" CGO_ENABLED=0
start_all=$SECONDS
TOTAL=${#BINARIES[@]}
n=0
step() { # <component> <version> <module dir> <ldflags> <package>
  local component=$1 version=$2 dir=$3 ldflags=$4 package=$5
  local t0=$SECONDS label
  n=$((n + 1))
  label="[$n/$TOTAL] $component $version"
  echo "build: $label: downloading modules (if not cached yet)..."
  (cd "$GOMOD/$dir" && go mod download)
  echo "build: $label: compiling $package ..."
  # Built beside and renamed over the old binary: a running cluster keeps its (unlinked) file.
  (cd "$GOMOD/$dir" && go build -ldflags="-s -w $ldflags" -o "$BIN/.$component.new" "$package")
  mv -f "$BIN/.$component.new" "$BIN/$component"
  echo "build: $label: done in $((SECONDS - t0))s"
}

minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
k8s_ld=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ld+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  k8s_ld+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

step etcd "$ETCD_VERSION" etcd "" go.etcd.io/etcd/server/v3
step kwok "$KWOK_VERSION" kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" sigs.k8s.io/kwok/cmd/kwok
echo "build: kwok $KWOK_VERSION: writing the default Stages (node-fast + heartbeat-with-lease, pod-fast) to $STAGES"
kwok_src=$(cd "$GOMOD/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
{
  echo "# Default kwok Stages copied from sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage by build.sh;"
  echo "# the same set kwokctl configures: node-fast, node-heartbeat-with-lease and pod-fast."
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"; grep -v '^---$' "$kwok_src/kustomize/stage/$f"
  done
} >"$STAGES.tmp" && mv -f "$STAGES.tmp" "$STAGES"

# One binary at a time (not one `go build` for all three) so progress names the component; the
# second and third reuse the packages the first compiled from Go's build cache.
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
  step "$b" "$K8S_VERSION" kubernetes "$k8s_ld" "k8s.io/kubernetes/cmd/$b"
done

step coredns "$COREDNS_VERSION" coredns "" .
# Only the main package: its network policy controller is what the node runs (decision 014).
step kube-router "$KUBE_ROUTER_VERSION" kube-router \
  "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
  github.com/cloudnativelabs/kube-router/v2/cmd/kube-router

all_present || { echo "build: some binaries are missing in $BIN after the build:" >&2; ls -l "$BIN" >&2; exit 1; }
echo "$want_stamp" >"$STAMP"
echo "build: all ${#BINARIES[@]} binaries built in $((SECONDS - start_all))s:"
for b in "${BINARIES[@]}"; do printf '  %-26s %s\n' "$b" "$(du -h "$BIN/$b" | cut -f1)"; done
"$BIN/kube-apiserver" --version || true
"$BIN/etcd" --version | head -1 || true
