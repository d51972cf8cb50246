#!/usr/bin/env bash
# Each program as its Kubernetes pod runs it (deploy/k8s, PodSecurity "restricted"): as
# user 65534, with no capabilities, on a read-only root filesystem with only /tmp writable
# (the pod's emptyDir). Each must start, report ready and serve its metrics against the
# stack's PostgreSQL and Redis; one that writes anywhere else, or needs root, fails here.
set -euo pipefail
root="$1" build="$2"
command -v bwrap >/dev/null || { echo "FAIL: bwrap is missing (scripts/setup installs bubblewrap)"; exit 1; }
# free_port, as the stack's scripts have it.
# shellcheck source=../../scripts/lib.sh
. "$root/scripts/lib.sh"
pod() {  # PROGRAM ENV... : runs PROGRAM in the pod's sandbox, in the background
  local program="$1"; shift
  # A fresh /tmp (the emptyDir); the checkout and its build stay visible (read-only) when
  # they live under /tmp themselves, as a CI clone may.
  env "$@" bwrap --ro-bind / / --tmpfs /tmp --ro-bind "$root" "$root" --ro-bind "$build" "$build" \
    --ro-bind "$logs" "$logs" --proc /proc --dev /dev \
    --unshare-user --uid 65534 --gid 65534 --cap-drop ALL --die-with-parent \
    "$program" >"$logs/$(basename "$program").log" 2>&1 &
  pids+=($!)
}
# up CHECK...: waits up to 20 s for CHECK to pass, and no longer than the program lives.
up() {
  local pid="${pids[-1]}"
  for _ in $(seq 1 200); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
serving() {  # GRPC_PORT METRICS_PORT
  "$build/tools/dialoguectl/dialoguectl" wait --addr "127.0.0.1:$1" --timeout-seconds 1 &&
    curl -fs "http://127.0.0.1:$2/metrics"
}
logs=$(mktemp -d)
chmod 755 "$logs"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$logs"' EXIT

fail=0
pg="postgresql://dialogue_%s@127.0.0.1:${DIALOGUE_PG_PORT}/dialogue"
for svc in planning intake notices sessions supervision; do
  upper=$(echo "$svc" | tr '[:lower:]' '[:upper:]')
  port=$(free_port) metrics=$(free_port "$port")
  # shellcheck disable=SC2059
  pod "$build/services/$svc/$svc" "DIALOGUE_${upper}_LISTEN=127.0.0.1:$port" \
    "DIALOGUE_${upper}_PG_URI=$(printf "$pg" "$svc")" "DIALOGUE_METRICS_LISTEN=127.0.0.1:$metrics" \
    "DIALOGUE_HOLIDAYS_FILE=$root/deploy/k8s/base/vn_holidays.json"
  if ! up serving "$port" "$metrics"; then
    echo "FAIL $svc did not become ready in the pod's sandbox:"; tail -5 "$logs/$svc.log"; fail=1
  else
    echo "ok $svc: ready and serving metrics as 65534 on a read-only root"
  fi
done
port=$(free_port) metrics=$(free_port "$port")
pod "$build/gateway/gateway" "DIALOGUE_GATEWAY_LISTEN=127.0.0.1:$port" \
  "DIALOGUE_METRICS_LISTEN=127.0.0.1:$metrics" "DIALOGUE_STATIC_DIR=$logs"
if up curl -fs "http://127.0.0.1:$port/readyz" &&
   curl -fs "http://127.0.0.1:$port/v1/calendar:convert?solarDate=2026-04-26" | grep -q lunar; then
  echo "ok gateway: ready and answering as 65534 on a read-only root"
else
  echo "FAIL gateway did not become ready in the pod's sandbox:"; tail -5 "$logs/gateway.log"; fail=1
fi
exit $fail
