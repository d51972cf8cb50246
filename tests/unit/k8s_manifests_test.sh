#!/usr/bin/env bash
# Renders every kustomize overlay and checks what the platform relies on: each Deployment
# has native gRPC readiness and liveness probes, each gRPC Service is headless.
set -euo pipefail
root="$1"
fail=0
for overlay in "$root"/deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  out=$(kubectl kustomize "$overlay") || { echo "FAIL $name: kustomize cannot render it"; fail=1; continue; }
  deployments=$(grep -c '^kind: Deployment' <<<"$out" || true)
  probes=$(grep -c '^ *grpc:$' <<<"$out" || true)
  if [ "$deployments" -eq 0 ] || [ "$probes" -ne $((2 * deployments)) ]; then
    echo "FAIL $name: $deployments deployments but $probes gRPC probes"; fail=1
  fi
  services=$(grep -c '^kind: Service' <<<"$out" || true)
  headless=$(grep -c 'clusterIP: None' <<<"$out" || true)
  if [ "$services" -ne "$headless" ]; then
    echo "FAIL $name: $services services, $headless headless"; fail=1
  fi
  echo "ok $name: $deployments deployments, $services headless services"
done
# Each service's Deployment sets that service's own listen address and database URI (a
# copied manifest once set another service's variables, which the program ignores).
for file in "$root"/deploy/k8s/base/*.yaml; do
  name=$(basename "$file" .yaml)
  grep -q '^kind: Deployment' "$file" || continue
  upper=$(echo "$name" | tr '[:lower:]' '[:upper:]')
  for var in "DIALOGUE_${upper}_LISTEN" "DIALOGUE_${upper}_PG_URI"; do
    if ! grep -q "name: $var\$" "$file"; then echo "FAIL $name: $var is not set"; fail=1; fi
  done
  others=$(grep -o 'name: DIALOGUE_[A-Z]*_\(LISTEN\|PG_URI\)$' "$file" | grep -v "DIALOGUE_${upper}_" || true)
  if [ -n "$others" ]; then echo "FAIL $name: sets another service's $others"; fail=1; fi
done
exit $fail
