#!/usr/bin/env bash
# Builds the broker's OCI image without any registry:
#   1. a Debian bookworm base with mmdebstrap (minbase + openjdk-17-jre-headless + ca-certificates),
#      imported with `podman import` (skipped when the base image exists, unless REBUILD_BASE=1);
#   2. the broker image with `podman build` from the Containerfile beside this script.
# Usage: build-image.sh [JAR] [TAG]
#   JAR  the CLI fat jar (default cli/target/guest-attest.jar, from the repository root)
#   TAG  the image (default localhost/guest-attest-broker:latest)
# Environment: BASE_IMAGE (default localhost/guest-attest-base:bookworm), REBUILD_BASE=1,
#   DEBIAN_MIRROR (default http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
#   GUEST_ATTEST_UID / GUEST_ATTEST_GID (default 10001).
# Needs podman and mmdebstrap; as root (mmdebstrap's root mode, rootful podman) or rootless with uidmap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="${1:-cli/target/guest-attest.jar}"
tag="${2:-localhost/guest-attest-broker:latest}"
base="${BASE_IMAGE:-localhost/guest-attest-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

[ -f "$jar" ] || { echo "build-image: $jar is missing (build the CLI first: mvn -B -pl cli -am package)" >&2; exit 1; }
for c in podman mmdebstrap; do
  command -v "$c" >/dev/null 2>&1 || { echo "build-image: $c is missing (apt-get install $c)" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/var/tmp}/guest-attest-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$base"; then
  start=$SECONDS
  # minbase: the Essential set plus apt; recommends off. dpkg runs with force-unsafe-io (no fsync: the tree is
  # tarred at the end anyway; it halves the time). Man pages, info, translations and docs (but copyrights) are
  # deleted afterwards, not path-excluded: mmdebstrap filters excluded paths slowly (+30 s), and openjdk's
  # postinst needs /usr/share/man/man1 to exist. A dpkg.cfg.d file keeps derived images as lean; apt's lists
  # and caches are cleaned, so `apt-get update` comes first in a derived image.
  # The merged-usr hook makes the /bin, /lib, /sbin symlinks itself and installs usr-is-merged, so apt does
  # not pick usrmerge (and perl with it: about 50 MB) to satisfy init-system-helpers.
  slim='rm -rf "$1"/usr/share/locale/* "$1"/usr/share/info/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log \
      "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old
    find "$1"/usr/share/man "$1"/usr/share/doc ! -type d ! -name copyright -delete
    find "$1"/usr/share/doc -mindepth 1 -type d -empty -delete
    printf "%s\n" "path-exclude=/usr/share/doc/*" "path-include=/usr/share/doc/*/copyright" \
      "path-exclude=/usr/share/man/*" "path-exclude=/usr/share/info/*" "path-exclude=/usr/share/locale/*" \
      >"$1"/etc/dpkg/dpkg.cfg.d/01-nodoc'
  mmdebstrap --variant=minbase \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --include=openjdk-17-jre-headless,ca-certificates \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt=force-unsafe-io \
    --customize-hook="$slim" \
    bookworm "$work/base.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main"
  podman import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "Debian bookworm minbase + openjdk-17-jre-headless, by mmdebstrap" \
    "$work/base.tar" "$base" >/dev/null
  rm -f "$work/base.tar"
  echo "build-image: base $base built in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "$base") bytes)"
else
  echo "build-image: reusing base $base (REBUILD_BASE=1 to remake it)"
fi

start=$SECONDS
ctx="$work/context"
mkdir -p "$ctx"
install -m 0644 "$jar" "$ctx/guest-attest.jar"
install -m 0644 "$here/broker.yaml" "$ctx/broker.yaml"
install -m 0755 "$here/entrypoint.sh" "$ctx/entrypoint.sh"
install -m 0755 "$here/healthcheck.sh" "$ctx/healthcheck.sh"
# docker format: OCI image configs have no HEALTHCHECK and podman would drop it
podman build --format docker --pull=never \
  --build-arg "BASE=$base" \
  --build-arg "UID=${GUEST_ATTEST_UID:-10001}" --build-arg "GID=${GUEST_ATTEST_GID:-10001}" \
  -f "$here/Containerfile" -t "$tag" "$ctx"
echo "build-image: $tag built in $((SECONDS - start)) s ($(podman image inspect --format '{{.Size}}' "$tag") bytes)"
