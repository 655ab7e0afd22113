#!/usr/bin/env bash
# Builds ncf-base:bookworm without an image registry: Debian 12 (minbase) from debootstrap, plus
# this machine's node (20.15 or newer; Debian 12's own nodejs is 18) and npm, imported as one
# layer. Needs root and debootstrap; ENGINE=docker imports into Docker instead of podman.
#   NCF_DEBIAN_MIRROR  the Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail
engine="${ENGINE:-podman}"
mirror="${NCF_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "base.sh: run as root (debootstrap)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "base.sh: needs debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 15) ? 0 : 1)' ||
  { echo "base.sh: node $(node -v) is too old; ncf needs 20.15 or newer" >&2; exit 1; }
node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
root="$(mktemp -d /var/tmp/ncf-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
install -m 755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
rm -rf "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | "$engine" import --change 'CMD ["/bin/bash"]' - ncf-base:bookworm >/dev/null
echo "base.sh: ncf-base:bookworm (Debian 12 minbase, node $(node -v), npm $(npm -v))"
