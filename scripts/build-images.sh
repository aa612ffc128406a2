#!/usr/bin/env bash
# Builds the two images of the Dockerfile with podman (README "Install"):
#   localhost/imagepolicy-mc:dev             target krm-function (kpt --image, kustomize container functions)
#   localhost/imagepolicy-mc-argocd-cmp:dev  target argocd-cmp (the Argo CD plugin sidecar)
#
# Usage: scripts/build-images.sh [--local-bases] [--tag TAG] [-- extra podman build args]
#   --local-bases  the base images .ci/install-images.sh bootstrapped from Debian
#                  packages (localhost/imagepolicy-mc-base/*) instead of the
#                  Dockerfile's digest-pinned defaults, which these machines cannot pull
# Env: PODMAN (default podman; `docker` works too for the default bases)
set -euo pipefail
cd "$(dirname "$0")/.."

PODMAN=${PODMAN:-podman}
TAG=dev
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --local-bases)
      B=localhost/imagepolicy-mc-base
      args+=(--build-arg "BUILD_IMAGE=$B/node-build:20-trixie" --build-arg "NODE_IMAGE=$B/node:20-trixie"
             --build-arg "DISTROLESS_NODE_IMAGE=$B/distroless-nodejs:20-bookworm" --build-arg "KUSTOMIZE_IMAGE=$B/kustomize:5.6-trixie"
             --pull=never) ;;
    --tag) TAG=$2; shift ;;
    --) shift; args+=("$@"); break ;;
    *) echo "build-images: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for target in krm-function argocd-cmp; do
  case $target in krm-function) name=imagepolicy-mc ;; argocd-cmp) name=imagepolicy-mc-argocd-cmp ;; esac
  echo "build-images: $PODMAN build --target $target -t localhost/$name:$TAG ${args[*]} ."
  "$PODMAN" build --quiet --target "$target" -t "localhost/$name:$TAG" "${args[@]}" . >/dev/null
done
# Each build leaves the previous images and its build stages untagged; keep a
# day of them (the layer cache of the next build), drop older ones so the
# container storage of a long-lived CI machine does not grow without bound.
"$PODMAN" image prune -f --filter until=24h >/dev/null 2>&1 || true
