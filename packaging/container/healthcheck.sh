#!/bin/bash
# The image's HEALTHCHECK: GET /healthz over bash's /dev/tcp (no curl in the image); healthy on HTTP 200.
# /healthz answers once the broker's store does. Plain HTTP only: with --tls-keystore, override the check.
set -u
host="${GUEST_ATTEST_HOST:-0.0.0.0}"
case "$host" in 0.0.0.0 | "") host=127.0.0.1 ;; :: | "[::]") host=::1 ;; esac
port="${GUEST_ATTEST_PORT:-8080}"
exec 3<>"/dev/tcp/${host}/${port}" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
status=""
IFS=$' \r' read -r -t 5 version status _ <&3 || { echo "healthz: no answer" >&2; exit 1; }
[ "$status" = 200 ] && exit 0
echo "healthz: ${version} ${status}" >&2
exit 1
