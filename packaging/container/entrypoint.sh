#!/bin/bash
# The broker image's entrypoint: maps GUEST_ATTEST_* variables to `guest-attest broker serve` options and
# execs the JVM, which then is the container's only process (PID 1) and gets SIGTERM from `podman stop`.
#
#   GUEST_ATTEST_HOST              --host (default 0.0.0.0)
#   GUEST_ATTEST_PORT              --port (default 8080; the health check follows it)
#   GUEST_ATTEST_STATE_DIR         --state-dir (default /var/lib/guest-attest, the volume)
#   GUEST_ATTEST_CONFIG            --config (default /etc/guest-attest/broker.yaml; set empty for none)
#   GUEST_ATTEST_STORE             --store: a directory (embedded H2) or jdbc:postgresql://host:5432/db?user=...
#   GUEST_ATTEST_ADMIN_TOKEN_FILE  --admin-token-file
#   GUEST_ATTEST_KEK_FILE          --kek-file (required with PostgreSQL)
#   GUEST_ATTEST_POLICY            --policy
#   GUEST_ATTEST_RESOURCE_POLICY   --resource-policy
#   GUEST_ATTEST_PCS               --pcs: the Intel PCS or PCCS TDX collateral is fetched from (default Intel's)
#   GUEST_ATTEST_KDS               --kds: the AMD KDS SNP VCEKs and CRLs are fetched from (default AMD's)
#   GUEST_ATTEST_TRUST_EMULATORS   1 or true: --trust-emulators (demos and tests only)
#   JAVA_OPTS                      JVM options, split on blanks (never glob-expanded nor evaluated)
#
# Arguments are appended to `broker serve` (e.g. --root tdx=/etc/guest-attest/intel-root.pem); a first argument
# that is not an option runs that guest-attest command instead (e.g. `broker policy set ...`); --version prints the CLI's.
set -euo pipefail

jar=/opt/guest-attest/lib/guest-attest.jar
java_opts=()
if [ -n "${JAVA_OPTS:-}" ]; then
  read -r -a java_opts <<<"$JAVA_OPTS"
fi

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  exec java "${java_opts[@]}" -jar "$jar" "$@"
fi
case "${1:-}" in
  -V | --version) exec java "${java_opts[@]}" -jar "$jar" --version ;;
esac

args=(broker serve
  --host "${GUEST_ATTEST_HOST:-0.0.0.0}"
  --port "${GUEST_ATTEST_PORT:-8080}"
  --state-dir "${GUEST_ATTEST_STATE_DIR:-/var/lib/guest-attest}")
config="${GUEST_ATTEST_CONFIG-/etc/guest-attest/broker.yaml}"
if [ -n "$config" ]; then args+=(--config "$config"); fi
if [ -n "${GUEST_ATTEST_STORE:-}" ]; then args+=(--store "$GUEST_ATTEST_STORE"); fi
if [ -n "${GUEST_ATTEST_ADMIN_TOKEN_FILE:-}" ]; then args+=(--admin-token-file "$GUEST_ATTEST_ADMIN_TOKEN_FILE"); fi
if [ -n "${GUEST_ATTEST_KEK_FILE:-}" ]; then args+=(--kek-file "$GUEST_ATTEST_KEK_FILE"); fi
if [ -n "${GUEST_ATTEST_POLICY:-}" ]; then args+=(--policy "$GUEST_ATTEST_POLICY"); fi
if [ -n "${GUEST_ATTEST_RESOURCE_POLICY:-}" ]; then args+=(--resource-policy "$GUEST_ATTEST_RESOURCE_POLICY"); fi
if [ -n "${GUEST_ATTEST_PCS:-}" ]; then args+=(--pcs "$GUEST_ATTEST_PCS"); fi
if [ -n "${GUEST_ATTEST_KDS:-}" ]; then args+=(--kds "$GUEST_ATTEST_KDS"); fi
case "${GUEST_ATTEST_TRUST_EMULATORS:-}" in
  1 | true | yes) args+=(--trust-emulators) ;;
  "" | 0 | false | no) ;;
  *) echo "guest-attest-entrypoint: GUEST_ATTEST_TRUST_EMULATORS='${GUEST_ATTEST_TRUST_EMULATORS}' is not 1 or 0" >&2; exit 64 ;;
esac

exec java "${java_opts[@]}" -jar "$jar" "${args[@]}" "$@"
