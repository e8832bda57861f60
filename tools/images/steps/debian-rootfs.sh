#!/usr/bin/env bash
# Debian root filesystems for the images, from Debian packages only. Called by tools/images/build.ts;
# runs as root (debootstrap and chroot need it). Debs are kept in a shared cache directory, so a
# rebuild downloads nothing that did not change.
#
#   debian-rootfs.sh bootstrap <rootfs> <suite> <mirror url> <sources.list> <deb cache>
#       debootstrap --variant=minbase into an empty <rootfs>; <sources.list> (rendered from the build
#       machine's apt sources, security updates included) becomes the image's apt sources.
#   debian-rootfs.sh install <rootfs> <deb cache> <stub packages (comma list, may be empty)> <package...>
#       apt-get install inside <rootfs>, so apt resolves dependencies as on any Debian machine (no
#       Recommends). A stub package is an empty placeholder that satisfies a dependency the image does
#       not need at run time (python3-scipy depends on the pythran compiler, which pulls in g++ and
#       the Boost headers: 500 MB an image never uses).
# Both end by slimming the tree: no apt lists, caches, logs, docs or device nodes in a layer.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "debian-rootfs: needs root (debootstrap, chroot)" >&2; exit 1; }
MODE=$1
shift

slim() { # <rootfs>
  local r=$1
  rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb \
    "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old "$r"/var/log/* "$r"/tmp/* "$r"/var/tmp/* "$r"/root/.cache \
    "$r"/usr/share/doc/*/changelog* "$r"/usr/share/man/* "$r"/usr/share/info/*
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
  # The container runtime provides /dev, /proc, /sys and resolv.conf.
  find "$r/dev" -mindepth 1 -delete
  : >"$r/etc/resolv.conf"
  rm -f "$r/usr/sbin/policy-rc.d"
}

case "$MODE" in
  bootstrap)
    ROOTFS=$1 SUITE=$2 MIRROR=$3 SOURCES=$4 DEBS=$5
    mkdir -p "$ROOTFS" "$DEBS/debootstrap"
    echo "debian-rootfs: debootstrap --variant=minbase $SUITE from $MIRROR"
    log=$(mktemp)
    nice -n 10 debootstrap --variant=minbase --cache-dir="$DEBS/debootstrap" "$SUITE" "$ROOTFS" "$MIRROR" >"$log" 2>&1 || {
      tail -20 "$log" >&2
      rm -f "$log"
      exit 1
    }
    rm -f "$log"
    cp "$SOURCES" "$ROOTFS/etc/apt/sources.list"
    # Like the official slim images: later installs leave out docs, man pages and translations.
    cat >"$ROOTFS/etc/dpkg/dpkg.cfg.d/01-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
SLIM
    cat >"$ROOTFS/etc/apt/apt.conf.d/01-academy" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
APT
    slim "$ROOTFS"
    ;;
  install)
    ROOTFS=$1 DEBS=$2 STUBS=$3
    shift 3
    mkdir -p "$DEBS/apt/partial"
    echo "debian-rootfs: apt-get install $*${STUBS:+ (stubs: $STUBS)}"
    printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d" # no daemons start in the build root
    chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    # A private mount namespace: /proc, /dev and the deb cache are mounted for apt only and vanish
    # with the namespace, whatever happens.
    # shellcheck disable=SC2016 # expanded by the inner shell
    nice -n 10 unshare -m bash -euo pipefail -c '
      root=$0 debs=$1 stubs=$2
      shift 2
      mount -t proc proc "$root/proc"
      mount --rbind /dev "$root/dev"
      mount --bind "$debs/apt" "$root/var/cache/apt/archives"
      export DEBIAN_FRONTEND=noninteractive LC_ALL=C
      chroot "$root" apt-get update -qq
      for stub in ${stubs//,/ }; do
        version=$(chroot "$root" apt-cache show --no-all-versions "$stub" | awk "/^Version:/ {print \$2; exit}")
        [ -n "$version" ] || { echo "debian-rootfs: no package $stub to stub" >&2; exit 1; }
        dir=$(mktemp -d "$root/tmp/stub.XXXXXX")
        mkdir -p "$dir/DEBIAN"
        printf "Package: %s\nVersion: %s+academy.stub\nArchitecture: all\nMaintainer: Academy <academy@localhost>\nDescription: empty stand-in for %s\n Satisfies a dependency the image does not need at run time (tools/images).\n" \
          "$stub" "$version" "$stub" >"$dir/DEBIAN/control"
        dpkg-deb --build --root-owner-group "$dir" "$dir.deb" >/dev/null
        chroot "$root" dpkg -i "/tmp/$(basename "$dir").deb" >/dev/null
        chroot "$root" apt-mark hold "$stub" >/dev/null
      done
      chroot "$root" apt-get install -y -qq "$@" >/dev/null
    ' "$ROOTFS" "$DEBS" "$STUBS" "$@"
    slim "$ROOTFS"
    ;;
  *)
    echo "usage: debian-rootfs.sh bootstrap|install ..." >&2
    exit 2
    ;;
esac
echo "debian-rootfs: $MODE done, $(du -sh "$ROOTFS" | cut -f1)"
