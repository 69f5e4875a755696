#!/usr/bin/env bash
# Run the whole test suite on QGIS 3.40 LTR: Debian 13 "trixie"'s own qgis/python3-qgis packages
# (Python 3.13, numpy 2.2, shapely 2.1, pandas 2.2, all from Debian) in a debootstrap chroot.
#
#   sudo bash scripts/test-qgis-3.40.sh [pytest arguments]
#
# The chroot is built once and cached OUTSIDE the repository (default
# /var/cache/land-consolidation/<suite>-chroot), so later runs on the same machine only run the
# tests. A stamp file inside it records a complete build of exactly this package list; a chroot
# without a matching stamp (half-built, interrupted, older package list) is deleted and rebuilt.
# The repository is bind-mounted at /src; artefacts (screenshots, exported files) are written to
# the repository's artefacts/qgis-<suite>/ so they survive the run.
#
# Another Debian release or the next LTR: the suite is a parameter, e.g.
#   LC_DEBIAN_SUITE=forky bash scripts/test-qgis-3.40.sh
# (see docs/testing.md). Needs root (debootstrap, chroot, mounts) and a Debian mirror.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

suite="${LC_DEBIAN_SUITE:-trixie}"
mirror="${LC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${LC_CHROOT_CACHE:-/var/cache/land-consolidation}"
root="$cache/$suite-chroot"
stamp="$root/.land-consolidation-complete"

# Everything from Debian; pip only for what Debian does not package.
apt_packages=(qgis python3-qgis qgis-providers python3-gdal gdal-bin
              python3-shapely python3-pandas python3-numpy python3-openpyxl
              python3-pytest python3-hypothesis python3-pip
              xvfb xauth fonts-noto-cjk imagemagick qttools5-dev-tools locales ca-certificates
              postgresql-17-postgis-3 python3-psycopg2)
pip_packages=(pytest-qgis==2.1.0)
want="$(printf '%s\n' "v1" "$suite" "$mirror" "${apt_packages[@]}" "${pip_packages[@]}" | sha256sum | cut -d' ' -f1)"

log() { echo "test-qgis[$suite]: $*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "test-qgis: needs root for debootstrap, chroot and bind mounts (run with sudo)" >&2
  exit 1
fi

# --- mounts ---------------------------------------------------------------------------------
mounted=()
mount_in() {  # mount_in <target inside root> <mount args...>
  local target="$root$1"; shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounted+=("$target")
}
unmount_all() {
  local i
  for (( i=${#mounted[@]}-1; i>=0; i-- )); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  mounted=()
}
# Leftovers of an earlier run that was killed (a rebuild must never rm -rf through a bind mount).
unmount_stale() {
  local m
  [ -d "$root" ] || return 0
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v r="$root/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r)
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

mount_system() {
  mount_in /proc -t proc proc
  mount_in /sys --rbind /sys
  mount --make-rslave "$root/sys"
  mount_in /dev --bind /dev
  mount_in /dev/pts --bind /dev/pts
  mount_in /dev/shm -t tmpfs -o mode=1777,size=1g tmpfs
}

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

# --- build (once) ---------------------------------------------------------------------------
build() {
  local t0=$SECONDS
  unmount_stale
  if [ -e "$root" ]; then
    log "incomplete or outdated chroot at $root: rebuilding"
    rm -rf --one-file-system "$root"
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap debian-archive-keyring >/dev/null
  fi
  mkdir -p "$cache"
  log "debootstrap $suite from $mirror into $root"
  debootstrap --variant=minbase --components=main "$suite" "$root" "$mirror" >"$cache/$suite-debootstrap.log" 2>&1 \
    || { tail -20 "$cache/$suite-debootstrap.log"; log "debootstrap failed (log: $cache/$suite-debootstrap.log)"; exit 1; }
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # no daemons may start inside the chroot while packages are installed
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  mount_system
  log "apt-get install ${apt_packages[*]}"
  in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' \
    apt "${apt_packages[@]}" >"$cache/$suite-apt.log" 2>&1 \
    || { tail -30 "$cache/$suite-apt.log"; log "apt-get failed (log: $cache/$suite-apt.log)"; exit 1; }
  # Trust what the host trusts: a local CA (company proxy, sandbox egress) for pip's HTTPS.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    in_root update-ca-certificates >/dev/null 2>&1 || true
  fi
  log "pip install --break-system-packages ${pip_packages[*]} (not packaged by Debian)"
  in_root python3 -m pip install -q --no-deps --break-system-packages --root-user-action=ignore --disable-pip-version-check \
    "${pip_packages[@]}"
  in_root apt-get clean
  unmount_all
  echo "$want" > "$stamp"
  log "chroot ready in $((SECONDS - t0)) s"
}

# One run at a time per chroot (a second CI job waits): runs share the mounts inside it.
mkdir -p "$cache"
exec 9>"$cache/$suite.lock"
flock 9
unmount_stale
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  build
fi
if [ "${LC_CHROOT_BUILD_ONLY:-0}" = 1 ]; then exit 0; fi

# --- run ------------------------------------------------------------------------------------
t0=$SECONDS
mount_system
mount_in /src --bind "$here"
artefacts_rel="artefacts/qgis-$suite"
mkdir -p "$here/$artefacts_rel"
log "$(in_root python3 -c 'import qgis.core as q, shapely, pandas, numpy, sys; print("QGIS", q.Qgis.QGIS_VERSION, "Python", sys.version.split()[0], "numpy", numpy.__version__, "shapely", shapely.__version__, "pandas", pandas.__version__)')"
# Compiled translations: the repo's .qm are built on the host by scripts/setup.sh; build them here
# when missing so the chroot run does not depend on the host having run it.
in_root sh -c 'cd /src && for ts in i18n/*.ts; do qm="${ts%.ts}.qm"; [ -f "$qm" ] || lrelease -silent "$ts" -qm "$qm"; done'
in_root sh -c 'mkdir -p -m 0700 /tmp/runtime-root'
set +e
in_root sh -c 'cd /src && exec "$@"' run \
  env QT_QPA_PLATFORM=offscreen LC_PLUGIN_ARTEFACTS="/src/$artefacts_rel" PYTHONDONTWRITEBYTECODE=1 \
  XDG_RUNTIME_DIR=/tmp/runtime-root \
  python3 -m pytest -p no:cacheprovider "$@"
rc=$?
set -e
# files written as root inside the bind mount belong to the repository's owner afterwards
chown -R --reference="$here" "$here/$artefacts_rel" 2>/dev/null || true
log "suite finished in $((SECONDS - t0)) s (exit $rc); artefacts: $here/$artefacts_rel"
if [ $rc -eq 5 ]; then log "pytest collected no tests: that is a failure"; exit 1; fi
exit $rc
