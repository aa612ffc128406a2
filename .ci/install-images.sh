#!/usr/bin/env bash
# Makes what the image tests (test/integration/images.test.ts,
# kustomize-standalone.test.ts) need, from Debian's archive only:
#
#   * podman, buildah, runc, mmdebstrap (Debian packages of this machine's
#     release), set up rootful with `overlay` storage, `runc` (crun refuses the
#     hybrid cgroup v1/v2 layout of these machines), cgroup_manager
#     "cgroupfs" and rlimits no higher than this machine's hard limits (the
#     machine withholds CAP_SYS_RESOURCE, so podman's default nofile/nproc of
#     1048576 make every `podman run` fail with "error setting rlimit").
#   * The base images, bootstrapped locally with mmdebstrap, because these
#     machines cannot pull from public image registries (Dockerfile build
#     arguments; the defaults there are the published images):
#       localhost/imagepolicy-mc-base/node-build:20-trixie  BUILD_IMAGE
#           Debian 13 minbase + nodejs (20.19) + npm, trusting this machine's
#           CA bundle (npm ci reaches the registry through its proxy)
#       localhost/imagepolicy-mc-base/node:20-trixie        NODE_IMAGE
#           Debian 13 minbase + nodejs (Debian 12's nodejs is 18, too old)
#       localhost/imagepolicy-mc-base/distroless-nodejs:20-bookworm  DISTROLESS_NODE_IMAGE
#           libc6, libstdc++6, libgcc-s1 of Debian 12 (unpacked, no dpkg, no
#           shell), /etc/passwd with root, nobody and nonroot (65532), and this
#           machine's Node.js binary at /nodejs/bin/node, as in
#           gcr.io/distroless/nodejs20-debian12. Debian's nodejs links some
#           fifteen shared libraries; the upstream Node.js build links only
#           libc, libstdc++ and libgcc_s, so that is the one copied in.
#       localhost/imagepolicy-mc-base/kustomize:5.6-trixie  KUSTOMIZE_IMAGE
#           Debian 13's kustomize 5.6 at /app/kustomize, the path of
#           registry.k8s.io/kustomize/kustomize
#   * Debian 13's standalone kustomize for the host, at
#     $IMAGEPOLICY_MC_KUSTOMIZE (default /opt/imagepolicy-mc-kustomize/bin/kustomize),
#     copied out of the kustomize base image. Not on PATH: `imagepolicy-mc
#     build` prefers a kustomize on PATH, and the kubectl tests want kubectl.
#   * The two images, built from the Dockerfile with the local bases
#     (scripts/build-images.sh): localhost/imagepolicy-mc:dev and
#     localhost/imagepolicy-mc-argocd-cmp:dev.
#
# Idempotent and fast when everything is there: packages are installed only
# when missing, a base image is bootstrapped only when it is missing or its
# recipe (a hash of what goes in, labelled on the image) changed, so the local
# container storage is the cache; the image build reuses podman's layer cache.
#
# Usage:  bash .ci/install-images.sh     (as root; .ci/run calls it in CI)
# Env:    DEBIAN_MIRROR              archive URL (default: the Debian archive this
#                                    machine's apt is set up with)
#         IMAGEPOLICY_MC_KUSTOMIZE   where the standalone kustomize goes
#         IMAGEPOLICY_MC_SKIP_BUILD=1  bases only, no image build
set -euo pipefail
cd "$(dirname "$0")/.."

# The archive apt already uses here (its main suite's URI), unless one is given.
apt_archive() {
  apt-get --print-uris update 2>/dev/null |
    sed -n "s|^'\(.*\)/dists/$(. /etc/os-release && echo "$VERSION_CODENAME")/InRelease'.*|\1|p" | head -n 1
}
MIRROR=${DEBIAN_MIRROR:-$(apt_archive)}
KUSTOMIZE_BIN=${IMAGEPOLICY_MC_KUSTOMIZE:-/opt/imagepolicy-mc-kustomize/bin/kustomize}
BASE=localhost/imagepolicy-mc-base
PACKAGES=(podman buildah runc mmdebstrap containernetworking-plugins iptables)

started=$(date +%s.%N)
say() { printf 'install-images: %s\n' "$*"; }
die() { printf 'install-images: error: %s\n' "$*" >&2; exit 1; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

[ "$(id -u)" = 0 ] || die "run as root: podman runs rootful here and mmdebstrap needs root mode"
[ -n "$MIRROR" ] || die "apt has no Debian archive set up for this release; set DEBIAN_MIRROR"

# ---------------------------------------------------------------- packages --
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
else
  say "packages present: ${PACKAGES[*]}"
fi

# ------------------------------------------------------------ podman setup --
# A drop-in, so the machine's own containers.conf (if any) stays as it is.
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
# podman itself runs with at most 32768 processes (it lowers its own limit),
# and the container cannot be given more than podman has.
[ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
[ "$nofile" = unlimited ] && nofile=1048576
mkdir -p /etc/containers/containers.conf.d
conf=/etc/containers/containers.conf.d/50-imagepolicy-mc.conf
cat > "$conf.new" <<EOF
# Written by imagepolicy-mc's .ci/install-images.sh.
[containers]
# No higher than this machine's hard limits (no CAP_SYS_RESOURCE here).
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun refuses the hybrid cgroup layout of these machines.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
if cmp -s "$conf.new" "$conf"; then rm "$conf.new"; else mv "$conf.new" "$conf"; say "wrote $conf"; fi
if [ -e /etc/containers/storage.conf ]; then
  grep -Eq '^\s*driver\s*=\s*"overlay"' /etc/containers/storage.conf ||
    die "/etc/containers/storage.conf does not set driver = \"overlay\"; set it (podman system reset may be needed)"
else
  printf '# Written by imagepolicy-mc .ci/install-images.sh\n[storage]\ndriver = "overlay"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' > /etc/containers/storage.conf
  say "wrote /etc/containers/storage.conf (overlay)"
fi
info=$(podman info --format '{{.Store.GraphDriverName}} {{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}}' 2>&1) ||
  die "podman info failed: $info"
[ "$info" = "overlay runc cgroupfs" ] || die "podman runs with '$info', want 'overlay runc cgroupfs'"
say "podman $(podman version --format '{{.Client.Version}}'), buildah $(buildah version --json 2>/dev/null | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' | head -n 1): $info"

# ------------------------------------------------------------- base images --
# The host Node.js for the distroless base: an upstream build, which needs
# nothing but libc, libstdc++ and libgcc_s.
NODE_BIN=$(readlink -f "$(command -v node)")
node_libs=$(ldd "$NODE_BIN" | awk '{print $1}' | grep -Ev '^(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1)$' || true)
[ -z "$node_libs" ] || die "$NODE_BIN links $(echo $node_libs) besides libc/libstdc++/libgcc_s (not an upstream Node.js build), so it cannot go into the distroless base"
NODE_VERSION=$("$NODE_BIN" --version)
case $NODE_VERSION in v2[0-9].*|v[3-9][0-9].*) ;; *) die "Node.js $NODE_VERSION at $NODE_BIN: 20 or later needed" ;; esac
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -r "$CA_BUNDLE" ] || die "$CA_BUNDLE is missing (the build base trusts this machine's CA bundle)"

WORK=$(mktemp -d /var/tmp/imagepolicy-mc-bases.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# bootstrap REF RECIPE SUITE IMPORT-CHANGES... -- MMDEBSTRAP-OPTIONS...
# Rebuilt only when the image is missing or labelled with another recipe hash.
bootstrap() {
  local ref=$1 recipe=$2 suite=$3; shift 3
  local changes=() t0
  while [ "$1" != -- ]; do changes+=(--change "$1"); shift; done
  shift
  local hash old
  # The recipe, without this run's temp dir in it.
  hash=$(printf '%s\n' "$recipe" "$suite" "$MIRROR" "${@//$WORK/WORK}" | sha256sum | cut -c1-16)
  if [ "$(podman image inspect --format '{{index .Labels "io.imagepolicy-mc.recipe"}}' "$ref" 2>/dev/null || true)" = "$hash" ]; then
    say "$ref: present (recipe $hash)"
    return
  fi
  t0=$(date +%s.%N)
  old=$(podman image inspect --format '{{.Id}}' "$ref" 2>/dev/null || true)
  say "$ref: mmdebstrap $suite ($*)"
  mmdebstrap --quiet --mode=root --format=tar "$@" "$suite" "$WORK/rootfs.tar" "$MIRROR" >"$WORK/mmdebstrap.log" 2>&1 ||
    { cat "$WORK/mmdebstrap.log" >&2; die "mmdebstrap for $ref failed"; }
  podman import --quiet "${changes[@]}" --change "LABEL io.imagepolicy-mc.recipe=$hash" \
    --message "bootstrapped by imagepolicy-mc .ci/install-images.sh" "$WORK/rootfs.tar" "$ref" >/dev/null ||
    die "podman import $ref failed"
  rm -f "$WORK/rootfs.tar"
  # The previous bootstrap of this base, now untagged (kept if an image still uses it).
  [ -z "$old" ] || podman rmi "$old" >/dev/null 2>&1 || true
  say "$ref: bootstrapped in $(since "$t0") ($(podman image inspect --format '{{.Size}}' "$ref" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# Debian 13 minbase with its nodejs. apt lists and docs are dropped.
slim_hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/*'
bootstrap "$BASE/node-build:20-trixie" "node-build 1; ca $(sha256sum < "$CA_BUNDLE" | cut -c1-16)" trixie \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["node"]' -- \
  --variant=minbase --include=nodejs,npm,ca-certificates \
  --customize-hook="upload $CA_BUNDLE /etc/ssl/certs/ca-certificates.crt" \
  --customize-hook="$slim_hook"
bootstrap "$BASE/node:20-trixie" "node 1" trixie \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["node"]' -- \
  --variant=minbase --include=nodejs \
  --customize-hook="$slim_hook"

# Distroless: the packages' files only (variant extract runs no maintainer
# script and leaves no dpkg, apt or shell), plus what distroless adds: the
# users, /tmp, and the Node.js binary at /nodejs/bin/node.
cat > "$WORK/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' > "$WORK/group"
distroless_hook='set -e; r=$1; mkdir -p "$r/nodejs/bin" "$r/etc" "$r/root" "$r/home/nonroot" "$r/tmp"; chmod 1777 "$r/tmp"; chown 65532:65532 "$r/home/nonroot"; rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/lintian" "$r/var/lib/dpkg" "$r/var/cache/apt" "$r/var/lib/apt"'
bootstrap "$BASE/distroless-nodejs:20-bookworm" "distroless 2; node $NODE_VERSION $(sha256sum < "$NODE_BIN" | cut -c1-16)" bookworm \
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'ENTRYPOINT ["/nodejs/bin/node"]' -- \
  --variant=extract --include=libc6,libstdc++6,libgcc-s1,base-files,netbase,tzdata \
  --extract-hook="$distroless_hook" \
  --extract-hook="upload $WORK/passwd /etc/passwd" --extract-hook="upload $WORK/group /etc/group" \
  --extract-hook="upload $NODE_BIN /nodejs/bin/node" --extract-hook='chmod 0755 "$1/nodejs/bin/node"' \
 

# kustomize: Debian 13's package, the binary where the upstream image has it
# (only a COPY --from source: Debian links it against libc, which the sidecar
# image has, and the image has no loader of its own). Debian builds it without
# a version stamp: `kustomize version` says "(devel)", so the package version
# is kept beside it in /app/kustomize.debian-version).
# Variant extract runs extract hooks only (no customize hooks).
bootstrap "$BASE/kustomize:5.6-trixie" "kustomize 3" trixie \
  'CMD ["/app/kustomize"]' -- \
  --variant=extract --include=kustomize \
  --extract-hook='set -e; mkdir -p "$1/app"; mv "$1/usr/bin/kustomize" "$1/app/kustomize"; zcat "$1/usr/share/doc/kustomize/changelog.Debian.gz" | sed -n "1s/^kustomize (\([^)]*\)).*/\1/p" > "$1/app/kustomize.debian-version"; rm -rf "$1/usr/share" "$1/var/lib/dpkg" "$1/var/cache/apt" "$1/var/lib/apt"' \
 

# ------------------------------------------------- standalone kustomize --
want=$(podman image inspect --format '{{.Id}}' "$BASE/kustomize:5.6-trixie")
if [ -x "$KUSTOMIZE_BIN" ] && [ "$(cat "$KUSTOMIZE_BIN.image-id" 2>/dev/null)" = "$want" ]; then
  say "standalone kustomize present: $KUSTOMIZE_BIN"
else
  mkdir -p "$(dirname "$KUSTOMIZE_BIN")"
  ctr=$(podman create "$BASE/kustomize:5.6-trixie")
  podman cp "$ctr:/app/kustomize" "$KUSTOMIZE_BIN.new" && podman cp "$ctr:/app/kustomize.debian-version" "$KUSTOMIZE_BIN.debian-version"
  podman rm "$ctr" >/dev/null
  chmod 755 "$KUSTOMIZE_BIN.new"
  mv "$KUSTOMIZE_BIN.new" "$KUSTOMIZE_BIN"
  echo "$want" > "$KUSTOMIZE_BIN.image-id"
  say "standalone kustomize copied out of $BASE/kustomize:5.6-trixie to $KUSTOMIZE_BIN"
fi
"$KUSTOMIZE_BIN" version >/dev/null 2>&1 || die "$KUSTOMIZE_BIN does not run"
kversion=$(cat "$KUSTOMIZE_BIN.debian-version")
case $kversion in 5.6.*) ;; *) die "Debian 13's kustomize is $kversion, not 5.6" ;; esac
say "kustomize: Debian package $kversion ($KUSTOMIZE_BIN)"

# ------------------------------------------------------------------ images --
if [ "${IMAGEPOLICY_MC_SKIP_BUILD:-}" = 1 ]; then
  say "IMAGEPOLICY_MC_SKIP_BUILD=1: images not built"
else
  t0=$(date +%s.%N)
  bash scripts/build-images.sh --local-bases
  say "images built in $(since "$t0")"
fi
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^localhost/imagepolicy-mc' | sed 's/^/install-images:   /'
say "done in $(since "$started")"
