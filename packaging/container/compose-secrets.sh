#!/usr/bin/env bash
# Makes the secrets compose.yaml mounts, in secrets/ beside it (kept if present):
#   pg-password  PostgreSQL's password (read by the postgres image's entrypoint, as root)
#   pgpass       the same password for the broker's JDBC driver (PGPASSFILE), owned by the broker's uid
#   kek          the broker's key-encryption key, 32 random bytes in base64, owned by the broker's uid
# Keep kek safe and backed up: the secrets in the store cannot be read without it.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
uid="${GUEST_ATTEST_UID:-10001}"
umask 077
mkdir -p "$dir"
for f in pg-password pgpass kek; do
  # podman-compose makes a missing bind-mount source as a directory: this is the usual sign of running it first
  [ ! -d "$dir/$f" ] || { echo "compose-secrets: $dir/$f is a directory (compose ran before this script?): remove it" >&2; exit 1; }
done
if [ ! -s "$dir/pg-password" ]; then
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$dir/pg-password"
fi
pw="$(cat "$dir/pg-password")"
[ -s "$dir/pgpass" ] || printf 'postgres:5432:guestattest:guestattest:%s\n' "$pw" >"$dir/pgpass"
[ -s "$dir/kek" ] || head -c 32 /dev/urandom | base64 >"$dir/kek"
chmod 0400 "$dir/pg-password" "$dir/pgpass" "$dir/kek"
# the broker runs as $uid: it must read pgpass and kek (rootless podman maps that uid; chown inside its namespace)
if [ "$(id -u)" -eq 0 ]; then
  chown "$uid:$uid" "$dir/pgpass" "$dir/kek"
else
  podman unshare chown "$uid:$uid" "$dir/pgpass" "$dir/kek"
fi
echo "compose-secrets: $dir ready"
