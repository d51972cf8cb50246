#!/usr/bin/env bash
# Renders both kustomize overlays and checks every object offline: against the Kubernetes
# API schemas, and against the platform's rules (deploy/k8s/check/check.mjs). The local
# overlay's secrets are generated for the rendering into a copy, never into the tree.
set -euo pipefail
root="$1"
version=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
if [ -z "$version" ] || [ "$version" -lt 5 ]; then
  echo "FAIL: kubectl with kustomize v5 is needed (kubectl 1.27 or newer); this one has '${version:-none}'"
  exit 1
fi
[ -d "$root/deploy/k8s/check/node_modules" ] ||
  { echo "FAIL: run scripts/setup (npm ci in deploy/k8s/check)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/k8s"
for part in base components observability overlays; do  # not check/ and its node_modules
  cp -r "$root/deploy/k8s/$part" "$work/k8s/$part"
done
rm -rf "$work/k8s/overlays/local/secrets"
"$work/k8s/overlays/local/make-secrets" >/dev/null
args=()
for overlay in local province; do
  kubectl kustomize "$work/k8s/overlays/$overlay" >"$work/$overlay.yaml" ||
    { echo "FAIL $overlay: kustomize cannot render it"; exit 1; }
  args+=("$overlay=$work/$overlay.yaml")
done
node "$root/deploy/k8s/check/check.mjs" "${args[@]}"
