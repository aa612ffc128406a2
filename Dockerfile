# syntax=docker/dockerfile:1
# Two images from one build (BuildKit):
#   docker build --target krm-function -t imagepolicy-mc .
#   docker build --target argocd-cmp   -t imagepolicy-mc-argocd-cmp .
# The bundle (dist/imagepolicy-mc.js) holds every dependency, so the runtime
# images need Node.js and that one file; nothing is installed at run time.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG KUSTOMIZE_IMAGE=registry.k8s.io/kustomize/kustomize:v5.5.0
ARG DISTROLESS_NODE_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

# ---- build: the same bundle that npm publishes ----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/
COPY src/ src/
RUN npm run build

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
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/imagepolicy-mc.js"]

# ---- argocd-cmp: the Argo CD config-management plugin sidecar ----
# Runs /var/run/argocd/argocd-cmp-server (copied in by Argo CD's repo-server
# init container) as uid 999, which reads plugin.yaml from
# /home/argocd/cmp-server/config/. `imagepolicy-mc build` runs the standalone
# kustomize found on PATH.
FROM ${NODE_IMAGE} AS argocd-cmp
RUN groupadd --gid 999 argocd \
 && useradd --uid 999 --gid 999 --home-dir /home/argocd --create-home --shell /usr/sbin/nologin argocd
COPY --from=kustomize /app/kustomize /usr/local/bin/kustomize
COPY --from=build --chmod=0755 /src/dist/imagepolicy-mc.js /usr/local/bin/imagepolicy-mc
COPY --chown=999:999 plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
USER 999
WORKDIR /home/argocd
