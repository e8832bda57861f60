#!/bin/bash
# The learner image build, run as the one container of a build Job (lib/builds/manifests.ts) in the
# academy/builder image: buildah with vfs storage on the pod's emptyDir, chroot isolation (no
# runtime in a runtime), no network for RUN steps, every base image pulled from the Academy
# registry, the result pushed there. Settings come from the environment:
#   ACADEMY_REGISTRY    the registry as this pod reaches it, host:port (plain HTTP)
#   ACADEMY_IMAGE       repository:tag to push, under that registry (learners/<key>/<name>:latest)
#   ACADEMY_DOCKERFILE  the Dockerfile, relative to the context   (default Dockerfile)
#   ACADEMY_CONTEXT     the context folder, relative to /context   (default .)
#   ACADEMY_STORAGE_LIMIT_MB  stop the build when its storage grows past this (0: no watch)
# The learner's files are mounted read-only at /context (a Secret: binary-safe, one key per file).
# The outcome goes to the termination message (one JSON object) for the platform to read; the
# log is buildah's own output, line by line.
set -uo pipefail

REG=${ACADEMY_REGISTRY:?} IMAGE=${ACADEMY_IMAGE:?}
DOCKERFILE=${ACADEMY_DOCKERFILE:-Dockerfile} CONTEXT=${ACADEMY_CONTEXT:-.}
STORAGE=${ACADEMY_STORAGE:-/var/lib/academy-build} SOURCE=${ACADEMY_SOURCE:-/context}
RESULT=${ACADEMY_RESULT_FILE:-/dev/termination-log}

result() { printf '%s' "$1" >"$RESULT" 2>/dev/null || true; echo "academy-build: $1"; }
fail() { # <reason> <message>
  local msg=${2//\\/\\\\}
  msg=${msg//\"/\\\"}
  result "{\"ok\":false,\"reason\":\"$1\",\"message\":\"${msg//$'\n'/ }\"}"
  exit 1
}

# Public names resolve to the Academy registry, and nowhere else: a rewrite, not a mirror, so a
# missing image never becomes a pull from the internet. Other registry hosts are refused below.
conf=$STORAGE/registries.conf
mkdir -p "$STORAGE/root" "$STORAGE/runroot" "$STORAGE/tmp" "$STORAGE/context"
{
  echo 'unqualified-search-registries = ["docker.io"]'
  echo 'short-name-mode = "permissive"'
  for host in docker.io ghcr.io registry.k8s.io quay.io registry.academy.local; do
    printf '[[registry]]\nprefix = "%s"\nlocation = "%s"\ninsecure = true\n' "$host" "$REG"
  done
} >"$conf"
export CONTAINERS_REGISTRIES_CONF=$conf TMPDIR=$STORAGE/tmp BUILDAH_ISOLATION=chroot

# Secret volumes are symlinks into a hidden ..data folder; the build sees plain files.
tar -C "$SOURCE" -chf - --exclude='./..*' . | tar -C "$STORAGE/context" -xf - || fail setup "could not copy the build context"
cd "$STORAGE/context/$CONTEXT" 2>/dev/null || fail context "the build context folder $CONTEXT does not exist"
[ -f "$DOCKERFILE" ] || fail dockerfile "there is no $DOCKERFILE in the build context"

ba=(buildah --root "$STORAGE/root" --runroot "$STORAGE/runroot" --storage-driver vfs)

# The disk watch: the kubelet evicts a pod whose emptyDir passes its size limit, but only when it
# next measures (up to a minute later, after the build may have ended). This stops the build at
# once, a little below the limit, and says why.
LIMIT_MB=${ACADEMY_STORAGE_LIMIT_MB:-0}
watch_disk() { # <pid to stop>
  while sleep 2; do
    used=$(du -sxm "$STORAGE" 2>/dev/null | cut -f1)
    if [ "${used:-0}" -gt "$LIMIT_MB" ]; then
      echo "academy-build: the build's storage reached ${used} MiB of its ${LIMIT_MB} MiB; stopping the build"
      : >"$STORAGE/disk-full"
      kill -TERM "$1" 2>/dev/null
      sleep 3
      kill -KILL "$1" 2>/dev/null
      return
    fi
  done
}
disk_full() { [ -e "$STORAGE/disk-full" ] && fail disk "the build's storage passed ${LIMIT_MB} MiB"; }
# Runs a command in the background under the disk watch; its status is the command's.
watched() {
  "$@" &
  local pid=$! watcher="" status
  if [ "$LIMIT_MB" -gt 0 ]; then
    watch_disk "$pid" &
    watcher=$!
  fi
  wait "$pid"
  status=$?
  [ -n "$watcher" ] && kill "$watcher" 2>/dev/null
  wait 2>/dev/null
  disk_full
  return "$status"
}

# Base images are pulled first, with the pod's network (it reaches the registry only); the build
# itself then runs in a network namespace of its own with nothing in it, so RUN steps (chroot
# isolation shares the builder's network) reach nothing at all. A FROM naming an earlier stage,
# scratch, or a name built from ARGs is left to buildah.
bases=$(awk 'BEGIN { IGNORECASE = 1 }
  toupper($1) == "FROM" {
    image = ""; for (i = 2; i <= NF; i++) if ($i !~ /^--/) { image = $i; break }
    if (toupper($(i + 1)) == "AS") stage[tolower($(i + 2))] = 1
    if (image != "" && !(tolower(image) in stage) && tolower(image) != "scratch" && image !~ /\$/) print image
  }' "$DOCKERFILE" | sort -u)
for base in $bases; do
  # A registry host in the name must be one the Academy registry stands in for: the pod has the
  # node's network, and buildah must not be sent to anything else on it.
  first=${base%%/*}
  if [ "$first" != "$base" ] && { [[ $first == *.* ]] || [[ $first == *:* ]] || [ "$first" = localhost ]; }; then
    case "$first" in
      docker.io | ghcr.io | registry.k8s.io | quay.io | registry.academy.local) ;;
      *) fail pull "the base image $base names the registry $first; builds pull only from the Academy registry (docker.io, ghcr.io, registry.k8s.io, quay.io and registry.academy.local names)" ;;
    esac
  fi
  echo "academy-build: pulling $base from the Academy registry"
  watched "${ba[@]}" pull --quiet --tls-verify=false "$base" >/dev/null 2>"$STORAGE/pull.err" || {
    cat "$STORAGE/pull.err"
    if grep -q "manifest unknown" "$STORAGE/pull.err"; then fail pull "the base image $base is not in the Academy registry"; fi
    fail pull "could not pull the base image $base"
  }
done

echo "academy-build: building $DOCKERFILE (buildah $(buildah --version | awk '{print $3}'), no network)"
start=$(date +%s)
# --format docker keeps HEALTHCHECK (the OCI image config has no field for it).
watched unshare --net -- "${ba[@]}" bud --isolation chroot --pull-never --format docker -f "$DOCKERFILE" -t "$REG/$IMAGE" . 2>&1
status=$?
[ "$status" = 0 ] || fail build "buildah exited $status"
built=$(($(date +%s) - start))
echo "academy-build: built in ${built}s; pushing $IMAGE"
"${ba[@]}" push --quiet --tls-verify=false --digestfile "$STORAGE/digest" "$REG/$IMAGE" "docker://$REG/$IMAGE" 2>&1 || fail push "the push to the registry failed"
result "{\"ok\":true,\"digest\":\"$(cat "$STORAGE/digest")\",\"buildSeconds\":$built}"
