#!/usr/bin/env bash
# Builds ncf's images with podman and checks them on real requests:
#   1. ncf serve in its image, on a PGlite volume: /health, the site, a user's top 5, the image's
#      HEALTHCHECK; a profile's rating still there after the container is replaced;
#   2. ncf serve beside PostgreSQL 15 (its image built here too), sharing its network namespace
#      (a pod's infra container cannot take the ulimits below): a like stored through one ncf
#      container is read back through a second one.
# Needs root, podman, runc and debootstrap (for the base: scripts/docker/base.sh), and the built
# project (npm ci). Where podman cannot run it says why and exits 0 (SKIP=fail makes that 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() {
  echo "docker check: skipped, $1"
  [ "${SKIP:-}" = fail ] && exit 1
  exit 0
}
[ "$(id -u)" = 0 ] || skip "not root (podman here runs rootful)"
command -v podman >/dev/null || skip "no podman (apt-get install -y podman runc debootstrap)"
podman info >/dev/null 2>&1 || skip "podman cannot start: $(podman info 2>&1 | tail -n 1)"
[ -f dist/src/cli/entry.js ] && [ -f dist/web/index.html ] || skip "the project is not built (npm ci)"

# Debian's podman here: runc, chroot isolation for builds; nofile and nproc below the host's limits.
RUN=(podman run --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
BUILD=(podman build --format docker --isolation=chroot -q)
ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
[ -f "$ca" ] && BUILD+=(--secret "id=ca,src=$ca")
work="$(mktemp -d)"
names=(ncf-check-a ncf-check-b ncf-check-pg-ncf ncf-check-pg-ncf2 ncf-check-pg)
remove_containers() {
  # One at a time: podman rm stops at a name that does not exist.
  for n in "${names[@]}"; do podman rm -f "$n" >/dev/null 2>&1 || true; done
  podman volume rm -f ncf-check-db >/dev/null 2>&1 || true
}
remove_containers # a run cut short leaves them behind
trap 'remove_containers; rm -rf "$work"' EXIT
t0=$SECONDS
step() { echo "docker check: $1 ($((SECONDS - t0)) s)"; }
fail() {
  echo "docker check: FAILED: $1" >&2
  for n in "${names[@]}"; do podman logs "$n" 2>/dev/null | tail -n 5 | sed "s/^/  $n: /" >&2 || true; done
  exit 1
}

podman image exists ncf-base:bookworm || { step "building the base (debootstrap)"; scripts/docker/base.sh; }
step "building ncf:latest"
"${BUILD[@]}" -t ncf:latest . >/dev/null
step "building ncf-postgres:15"
"${BUILD[@]}" -t ncf-postgres:15 -f scripts/docker/postgres.Containerfile . >/dev/null

# A model trained in seconds on the test fixture, and the fixture as its dataset.
mkdir -p "$work/models" "$work/data"
cp -r test/fixtures/ml-100k-tiny "$work/data/"
node bin/ncf.js train --config configs/smoke.json --set "output.models=$work/out" --set "output.reports=$work/out" >/dev/null
cp "$work/out/smoke.ncf" "$work/models/model.ncf"
chmod -R a+rX "$work"
MOUNTS=(-v "$work/models:/models:ro" -v "$work/data:/datasets:ro")
SERVE=(serve --model /models/model.ncf --host 0.0.0.0 --data-dir /datasets/ml-100k-tiny)

port() { node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }
wait_health() { # url
  for _ in $(seq 1 120); do
    curl -fsS "$1/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
json() { node -e "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => { const v = JSON.parse(s); console.log($1); })"; }

step "ncf serve on a PGlite volume"
p="$(port)"
url="http://127.0.0.1:$p"
"${RUN[@]}" -d --name ncf-check-a -p "127.0.0.1:$p:8080" "${MOUNTS[@]}" -v ncf-check-db:/data ncf:latest "${SERVE[@]}" --db /data/ncf-db >/dev/null
wait_health "$url" || fail "/health did not answer"
[ "$(curl -fsS "$url/recommend?user=1&k=5" | json 'v.items.length')" = 5 ] || fail "GET /recommend?user=1&k=5 did not give 5 movies"
curl -fsS "$url/" | grep -q '<script type="module" src="/app.js">' || fail "GET / is not the site"
podman healthcheck run ncf-check-a >/dev/null 2>&1 || fail "the image's HEALTHCHECK failed"
[ "$(podman exec ncf-check-a id -u)" != 0 ] || fail "ncf runs as root in its container"
profile="$(curl -fsS -X POST "$url/api/profiles")"
id="$(echo "$profile" | json 'v.id')"
token="$(echo "$profile" | json 'v.token')"
curl -fsS -X PUT -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"rating": 4}' "$url/api/profiles/$id/ratings/3" >/dev/null ||
  fail "PUT rating"
podman rm -f ncf-check-a >/dev/null
"${RUN[@]}" -d --name ncf-check-b -p "127.0.0.1:$p:8080" "${MOUNTS[@]}" -v ncf-check-db:/data ncf:latest "${SERVE[@]}" --db /data/ncf-db >/dev/null
wait_health "$url" || fail "/health did not answer after the restart"
[ "$(curl -fsS -H "authorization: Bearer $token" "$url/api/profiles/$id/ratings" | json 'v.ratings.map((r) => `${r.movieId}:${r.rating}`).join()')" = "3:4" ] ||
  fail "the rating was not kept in the volume across containers"

step "ncf serve on PostgreSQL 15, two ncf containers"
p1="$(port)"
p2="$(port)"
pw="check-$RANDOM$RANDOM"
"${RUN[@]}" -d --name ncf-check-pg -p "127.0.0.1:$p1:8080" -p "127.0.0.1:$p2:8081" -e "POSTGRES_PASSWORD=$pw" -e POSTGRES_DB=ncf ncf-postgres:15 >/dev/null
for _ in $(seq 1 60); do
  podman healthcheck run ncf-check-pg >/dev/null 2>&1 && break
  sleep 0.5
done
podman healthcheck run ncf-check-pg >/dev/null 2>&1 || fail "PostgreSQL did not start"
db="postgres://postgres:$pw@127.0.0.1:5432/ncf"
"${RUN[@]}" -d --network container:ncf-check-pg --name ncf-check-pg-ncf "${MOUNTS[@]}" ncf:latest "${SERVE[@]}" --db "$db" >/dev/null
"${RUN[@]}" -d --network container:ncf-check-pg --name ncf-check-pg-ncf2 "${MOUNTS[@]}" ncf:latest "${SERVE[@]}" --port 8081 --db "$db" >/dev/null
wait_health "http://127.0.0.1:$p1" && wait_health "http://127.0.0.1:$p2" || fail "ncf on PostgreSQL did not answer"
profile="$(curl -fsS -X POST "http://127.0.0.1:$p1/api/profiles")"
id="$(echo "$profile" | json 'v.id')"
token="$(echo "$profile" | json 'v.token')"
curl -fsS -X PUT -H "authorization: Bearer $token" -H 'content-type: application/json' -d '{"like": true}' "http://127.0.0.1:$p1/api/profiles/$id/ratings/7" >/dev/null ||
  fail "PUT like on PostgreSQL"
[ "$(curl -fsS -H "authorization: Bearer $token" "http://127.0.0.1:$p2/api/profiles/$id/ratings" | json 'v.ratings.map((r) => `${r.movieId}:${r.liked}`).join()')" = "7:true" ] ||
  fail "the second ncf container did not see the first one's like"
step "passed"
