#!/usr/bin/env bash
# Installs the tools that the end-to-end suite (test/e2e, `npm run test:e2e`)
# drives for real, using Debian's archive only:
#
#   * skopeo from Debian 13 (trixie), with the Debian 13 libc and libraries it
#     links against. Debian 12's own skopeo 1.9.3 cannot accept a sigstore
#     signature: Debian patched sigstore out of containers/image 5.23
#     ("Debian-local change: sigstore disabled"). Debian 13's skopeo needs
#     glibc 2.38+, so its .debs are unpacked (never installed) and skopeo runs
#     through Debian 13's own loader: bin/skopeo is a wrapper that does that.
#   * docker-registry (CNCF distribution) from Debian 12, unpacked, never
#     installed: its postinst would start a system registry on *:5000.
#   * openssl, from the machine's release, only if it is missing (it is on
#     the Debian node images). This is the only change to the system.
#
# Nothing else on the machine changes: the .debs are fetched with apt-get
# using a private apt state (sources, lists, cache) under $CACHE, with one
# `apt-get update`, and the machine's apt configuration is left alone.
#
# Idempotent: when the tools already work it only prints their versions. The
# downloads stay in $CACHE, so unpacking again (e.g. after $PREFIX was deleted)
# needs no network.
#
# Usage:  bash .ci/install-e2e.sh            (as root; .ci/run calls it in CI)
# Env:    IMAGEPOLICY_MC_E2E_TOOLS  where the tools go   (default /opt/imagepolicy-mc-e2e)
#         IMAGEPOLICY_MC_E2E_CACHE  downloads, apt state (default /var/cache/imagepolicy-mc-e2e)
#         DEBIAN_MIRROR             archive URL (default: the one this machine's apt uses)
# The suite looks for $IMAGEPOLICY_MC_E2E_TOOLS/bin/{skopeo,docker-registry}.
# Without root it still works when openssl is present and both directories are writable.
set -euo pipefail

PREFIX=${IMAGEPOLICY_MC_E2E_TOOLS:-/opt/imagepolicy-mc-e2e}
CACHE=${IMAGEPOLICY_MC_E2E_CACHE:-/var/cache/imagepolicy-mc-e2e}
# Debian 13 packages skopeo needs at run time (its Depends, minus what the
# wrapper does not use). libc6 brings the loader.
TRIXIE_DEBS=(skopeo libc6 libgpgme11t64 libassuan9 libgpg-error0 libsqlite3-0)

started=$(date +%s.%N)
say() { printf 'install-e2e: %s\n' "$*"; }
die() { printf 'install-e2e: error: %s\n' "$*" >&2; exit 1; }
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

tools_work() {
  "$PREFIX/bin/skopeo" --version >/dev/null 2>&1 &&
    "$PREFIX/bin/docker-registry" --version >/dev/null 2>&1 &&
    "$PREFIX/bin/skopeo" generate-sigstore-key --help >/dev/null 2>&1
}
report() {
  say "skopeo:          $("$PREFIX/bin/skopeo" --version) ($PREFIX/bin/skopeo)"
  say "docker-registry: $("$PREFIX/bin/docker-registry" --version | head -n 1) ($PREFIX/bin/docker-registry)"
  say "openssl:         $(openssl version)"
}

need_openssl=0
command -v openssl >/dev/null || need_openssl=1
if [ "$need_openssl" = 0 ] && tools_work; then
  say "nothing to do, already installed:"
  report
  say "done in $(elapsed)"
  exit 0
fi
[ "$need_openssl" = 0 ] || [ "$(id -u)" = 0 ] || die "openssl is missing; run as root"

case $(dpkg --print-architecture) in
  amd64) TRIPLET=x86_64-linux-gnu LOADER=ld-linux-x86-64.so.2 ;;
  arm64) TRIPLET=aarch64-linux-gnu LOADER=ld-linux-aarch64.so.1 ;;
  *) die "unsupported architecture $(dpkg --print-architecture)" ;;
esac
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$CODENAME" ] || die "cannot read VERSION_CODENAME from /etc/os-release"

# ---------------------------------------------------------------- apt state --
APT=$CACHE/apt
DEBS=$CACHE/debs
mkdir -p "$APT"/{lists/partial,archives/partial,none,prefs.d} "$DEBS"
apt_opts=(-o "Dir::Etc::SourceList=$APT/sources.list" -o "Dir::Etc::SourceParts=$APT/none"
          -o "Dir::Etc::Preferences=$APT/preferences" -o "Dir::Etc::PreferencesParts=$APT/prefs.d"
          -o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT" -o "Dir::Cache::Archives=$APT/archives"
          -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Retries=3)

# The machine's own Debian suites (<codename>, -updates, -security) plus trixie
# main. Non-Debian sources configured on the machine are not used.
write_sources() {
  local uris line uri suite main_uri=${DEBIAN_MIRROR:-} keyring=
  [ -r /usr/share/keyrings/debian-archive-keyring.gpg ] &&
    keyring=' [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]'
  : > "$APT/sources.list.new"
  uris=$(apt-get --print-uris update 2>/dev/null | sed -n "s|^'\(.*\)/dists/\([^/]*\)/InRelease'.*|\1 \2|p" || true)
  while read -r uri suite; do
    [ -n "$uri" ] || continue
    case $suite in
      "$CODENAME") main_uri=${main_uri:-$uri}; echo "deb$keyring $uri $suite main" ;;
      "$CODENAME"-updates|"$CODENAME"-security) echo "deb$keyring $uri $suite main" ;;
    esac
  done <<<"$uris" >> "$APT/sources.list.new"
  if [ -z "$main_uri" ]; then
    echo "install-e2e: apt has no archive for $CODENAME set up: cannot reach Debian's packages" >&2
    exit 1
  fi
  echo "deb$keyring $main_uri trixie main" >> "$APT/sources.list.new"
  mv "$APT/sources.list.new" "$APT/sources.list"
  # trixie is only ever asked for by name (pkg/trixie); everything else,
  # including an openssl install, resolves against the machine's release.
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 1\n' > "$APT/preferences"
}

have_debs() {
  local p
  for p in "${TRIXIE_DEBS[@]}" docker-registry; do
    compgen -G "$DEBS/${p}_*.deb" >/dev/null || return 1
  done
}

if [ "$need_openssl" = 1 ] || ! have_debs; then
  write_sources
  say "apt-get update (private state in $APT):"
  sed 's/^/install-e2e:   /' "$APT/sources.list"
  apt-get "${apt_opts[@]}" update -qq || die "apt-get update failed"
fi

if [ "$need_openssl" = 1 ]; then
  say "apt-get install openssl ($CODENAME)"
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends openssl >/dev/null
fi

if ! have_debs; then
  say "apt-get download into $DEBS: docker-registry/$CODENAME ${TRIXIE_DEBS[*]/%//trixie}"
  rm -f "$DEBS"/*.deb
  (cd "$DEBS" && apt-get "${apt_opts[@]}" download -q "docker-registry/$CODENAME" \
     "${TRIXIE_DEBS[@]/%//trixie}" >/dev/null) || die "apt-get download failed"
else
  say "using cached .debs in $DEBS"
fi

# ------------------------------------------------------------------ unpack --
# Unpack into a fresh directory, then swap it in, so a failed run never leaves
# a half-installed $PREFIX behind.
NEW=$PREFIX.new.$$
rm -rf "$NEW"
mkdir -p "$NEW"/{bin,trixie,registry}
trap 'rm -rf "$NEW"' EXIT
for p in "${TRIXIE_DEBS[@]}"; do
  for deb in "$DEBS/${p}"_*.deb; do dpkg-deb -x "$deb" "$NEW/trixie"; done
done
dpkg-deb -x "$DEBS"/docker-registry_*.deb "$NEW/registry"

cat > "$NEW/bin/skopeo" <<EOF
#!/bin/sh
# Debian 13 skopeo run through Debian 13's loader and libc (unpacked by .ci/install-e2e.sh).
T=\$(dirname "\$(dirname "\$(readlink -f "\$0")")")/trixie
exec "\$T/usr/lib/$TRIPLET/$LOADER" --library-path "\$T/usr/lib/$TRIPLET" "\$T/usr/bin/skopeo" "\$@"
EOF
cat > "$NEW/bin/docker-registry" <<'EOF'
#!/bin/sh
# Debian 12 docker-registry (CNCF distribution), unpacked by .ci/install-e2e.sh.
exec "$(dirname "$(dirname "$(readlink -f "$0")")")/registry/usr/bin/docker-registry" "$@"
EOF
chmod 755 "$NEW/bin/skopeo" "$NEW/bin/docker-registry"
(cd "$DEBS" && ls -1 *.deb) > "$NEW/PACKAGES"

rm -rf "$PREFIX"
mv "$NEW" "$PREFIX"
trap - EXIT
# Readable and runnable by the unprivileged user the suite runs skopeo as.
chmod -R go+rX "$PREFIX"
tools_work || die "the unpacked tools do not run; see $PREFIX"
say "unpacked into $PREFIX:"
sed 's/^/install-e2e:   /' "$PREFIX/PACKAGES"
report
say "done in $(elapsed)"
