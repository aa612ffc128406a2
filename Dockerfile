# syntax=docker/dockerfile:1
# Two images from one build (README "Install"):
#   docker build --target krm-function -t imagepolicy-mc .
#   docker build --target argocd-cmp   -t imagepolicy-mc-argocd-cmp .
# (podman build works the same; scripts/build-images.sh builds both.)
# The bundle (dist/imagepolicy-mc.js) holds every dependency, so the runtime
# images need Node.js and that one file; nothing is installed at run time.
#
# Base images are build arguments. The defaults are the published images,
# pinned by digest (README "Install" says where each digest was read). CI,
# which cannot pull from public registries, passes images it bootstrapped
# from Debian packages (.ci/install-images.sh):
#   BUILD_IMAGE            Node.js 20+ with npm: runs npm ci and the build
#   NODE_IMAGE             Node.js 20+ as `node` on PATH, with /usr/bin/env and useradd: the Argo CD sidecar's base
#   DISTROLESS_NODE_IMAGE  Node.js at /nodejs/bin/node, no shell: the KRM function's base
#   KUSTOMIZE_IMAGE        the standalone kustomize at /app/kustomize

ARG BUILD_IMAGE=docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0
ARG DISTROLESS_NODE_IMAGE=gcr.io/distroless/nodejs20-debian12:latest@sha256:05c79ce75a5807df4b3dd73467135e153f51ce1ecafd2284d3a06434cc0fd025
ARG KUSTOMIZE_IMAGE=registry.k8s.io/kustomize/kustomize:v5.6.0@sha256:b5f56e6becd1ba93a1a775a149763e3841a177beb10191624100bed81b44d297

# ---- build: the portable bundle, as `npm run build` makes it ----
# --no-snapshot: a V8 startup snapshot only loads in the Node.js binary that
# built it, and the runtime images have another one.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/gen-validators.mjs scripts/
COPY src/ src/
RUN node scripts/build.mjs --no-snapshot

# ---- the standalone kustomize binary, for the Argo CD sidecar ----
FROM ${KUSTOMIZE_IMAGE} AS kustomize

# ---- krm-function: ResourceList on stdin, ResourceList on stdout ----
# For kpt (`image:` in a Kptfile, `kpt fn eval --image`) and kustomize container
# functions (`config.kubernetes.io/function: {container: {image: ...}}`), which
# run it as `docker run --rm -i --network none --user nobody`. It needs no
# network, writes no files (a read-only root filesystem works) and runs as any
# non-root user.
FROM ${DISTROLESS_NODE_IMAGE} AS krm-function
COPY --from=build /src/dist/imagepolicy-mc.js /app/imagepolicy-mc.js
COPY --from=build /src/dist/THIRD-PARTY-LICENSES.txt /app/THIRD-PARTY-LICENSES.txt
COPY LICENSE /app/LICENSE
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/imagepolicy-mc.js"]

# ---- argocd-cmp: the Argo CD config-management plugin sidecar ----
# Runs /var/run/argocd/argocd-cmp-server (copied in by Argo CD's repo-server
# init container) as uid 999, which reads plugin.yaml from
# /home/argocd/cmp-server/config/. `imagepolicy-mc build` runs the standalone
# kustomize found on PATH.
FROM ${NODE_IMAGE} AS argocd-cmp
RUN groupadd --gid 999 argocd \
 && useradd --uid 999 --gid 999 --home-dir /home/argocd --create-home --shell /usr/sbin/nologin argocd \
 && mkdir -p /home/argocd/cmp-server/config /home/argocd/cmp-server/plugins \
 && chown -R 999:999 /home/argocd/cmp-server
COPY --from=kustomize /app/kustomize /usr/local/bin/kustomize
COPY --from=build --chmod=0755 /src/dist/imagepolicy-mc.js /usr/local/bin/imagepolicy-mc
COPY --from=build /src/dist/THIRD-PARTY-LICENSES.txt /usr/share/doc/imagepolicy-mc/THIRD-PARTY-LICENSES.txt
COPY LICENSE /usr/share/doc/imagepolicy-mc/LICENSE
COPY --chown=999:999 plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
USER 999
WORKDIR /home/argocd
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
