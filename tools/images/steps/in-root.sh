#!/usr/bin/env bash
# Runs a command inside an image's root filesystem the way a Dockerfile RUN step runs: in its own
# mount and PID namespaces, with /proc and /dev from the host, a clean environment and, unless
# --net is given, no network at all (a new network namespace whose loopback is down).
# No container runtime needed; root only. Used by the image build (training, tests) and the smoke run.
# --read-only mounts the root read-only with a fresh tmpfs on /tmp, like a pod with
# readOnlyRootFilesystem and an emptyDir at /tmp.
# Usage: in-root.sh <rootfs> [--net] [--read-only] [--user UID:GID] [--workdir DIR] [--env NAME=VALUE]... -- <command...>
set -euo pipefail
ROOTFS=$(realpath "$1")
shift
net=(-n) ro=0 user="" workdir=/ envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8)
while [ "$#" -gt 0 ]; do
  case "$1" in
    --net) net=() ;;
    --read-only) ro=1 ;;
    --user) user=$2; shift ;;
    --workdir) workdir=$2; shift ;;
    --env) envs+=("$2"); shift ;;
    --) shift; break ;;
    *) echo "in-root: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$#" -gt 0 ] || { echo "in-root: no command" >&2; exit 2; }
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare -m -p -f --kill-child "${net[@]}" --mount-proc="$ROOTFS/proc" bash -euo pipefail -c '
  root=$0 ro=$1 user=$2 workdir=$3 nenv=$4
  shift 4
  if [ "$ro" = 1 ]; then
    mount --rbind "$root" "$root"
    mount -o remount,bind,ro "$root"
    mount -t tmpfs -o size=64m,mode=1777 tmpfs "$root/tmp"
  fi
  mount --rbind /dev "$root/dev"
  exec chroot ${user:+--userspec="$user"} "$root" /usr/bin/env -i "${@:1:$nenv}" \
    /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$workdir" "${@:$((nenv + 1))}"
' "$ROOTFS" "$ro" "$user" "$workdir" "${#envs[@]}" "${envs[@]}" "$@"
