#!/usr/bin/env bash
# Builds the real Dockerfile without a Docker engine or registry access and
# smoke-tests the image: buildah (rootful, chroot isolation, vfs storage)
# builds it on two local stand-in base images, then the relay runs from the
# image's root filesystem as user 65532 and must answer /healthz, /readyz, a
# ping, and `coding-relay healthcheck` with exit 0 (1 when nothing listens).
#
# Stand-ins, because the registries are unreachable here:
#   golang:1.26.8-bookworm                 this machine's Go toolchain + busybox
#   gcr.io/distroless/static-debian12:nonroot
#                                          /etc/passwd with nonroot (65532),
#                                          CA certificates, zoneinfo, /tmp
# So this checks the Dockerfile's instructions, the build, the image config
# (user, volume, labels, healthcheck) and the size budget; it does not
# check the real base images' contents.
#
# Usage: deploy/image-smoke.sh   (root; installs buildah and busybox-static
# with apt-get when missing; about 3 minutes on 2 cores)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
port=${SMOKE_PORT:-18080}
max_bytes=$((28 * 1000 * 1000))
work=$(mktemp -d /tmp/coding-relay-image-smoke.XXXXXX)
B=(buildah --root "$work/root" --runroot "$work/runroot" --storage-driver vfs)
relay_pid=""

cleanup() {
  if [[ -n $relay_pid ]]; then kill "$relay_pid" 2>/dev/null || true; wait "$relay_pid" 2>/dev/null || true; fi
  "${B[@]}" rm --all >/dev/null 2>&1 || true
  "${B[@]}" rmi --all --force >/dev/null 2>&1 || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

fail() { echo "image-smoke: FAIL: $*" >&2; exit 1; }

if ! command -v buildah >/dev/null || [[ ! -x /bin/busybox ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah busybox-static >/dev/null
fi
goroot=$(go env GOROOT)
go_version=$(sed -n 's/^ARG GO_VERSION=//p' "$repo/Dockerfile")

echo "image-smoke: stand-in base images"
c=$("${B[@]}" from scratch)
m=$("${B[@]}" mount "$c")
mkdir -p "$m/bin" "$m/usr/local" "$m/etc/ssl/certs" "$m/go" "$m/tmp" "$m/root"
cp /bin/busybox "$m/bin/busybox"
for x in sh mkdir; do ln -s busybox "$m/bin/$x"; done
cp -a "$goroot" "$m/usr/local/go"
cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/"
chmod 1777 "$m/tmp"
"${B[@]}" umount "$c" >/dev/null
"${B[@]}" config --env PATH=/go/bin:/usr/local/go/bin:/bin --env GOPATH=/go \
  --env GOTOOLCHAIN=local --workingdir /go "$c"
"${B[@]}" commit --quiet "$c" "docker.io/library/golang:${go_version}-bookworm" >/dev/null

c=$("${B[@]}" from scratch)
m=$("${B[@]}" mount "$c")
mkdir -p "$m/etc/ssl/certs" "$m/usr/share" "$m/tmp" "$m/home/nonroot"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$m/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$m/etc/group"
cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/"
cp -a /usr/share/zoneinfo "$m/usr/share/zoneinfo"
chmod 1777 "$m/tmp"
chown 65532:65532 "$m/home/nonroot"
"${B[@]}" umount "$c" >/dev/null
"${B[@]}" config --user 65532 --workingdir /home/nonroot "$c"
"${B[@]}" commit --quiet "$c" gcr.io/distroless/static-debian12:nonroot >/dev/null
"${B[@]}" rm --all >/dev/null

echo "image-smoke: building the Dockerfile"
# --format docker: HEALTHCHECK exists only in Docker's image format.
"${B[@]}" bud --quiet --pull=never --isolation chroot --network host --format docker \
  --build-arg TARGETOS=linux --build-arg TARGETARCH="$(go env GOARCH)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --build-arg VERSION=v0.0.0-smoke --build-arg REVISION="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)" \
  -t coding-relay:smoke -f "$repo/Dockerfile" "$repo" >/dev/null

"${B[@]}" inspect --type image coding-relay:smoke >"$work/inspect.json"
python3 - "$work/inspect.json" <<'EOF' || fail "image config"
import json, sys
c = json.load(open(sys.argv[1]))["Docker"]["config"]
want = {
    "User": "65532:65532",
    "Entrypoint": ["/coding-relay"],
    "Volumes": {"/data": {}},
    "ExposedPorts": {"8080/tcp": {}},
}
bad = [f"{k} = {c.get(k)!r}, want {v!r}" for k, v in want.items() if c.get(k) != v]
if "RELAY_DATA_DIR=/data" not in c.get("Env", []):
    bad.append("Env lacks RELAY_DATA_DIR=/data")
if (c.get("Healthcheck") or {}).get("Test") != ["CMD", "/coding-relay", "healthcheck"]:
    bad.append(f"Healthcheck = {c.get('Healthcheck')!r}")
labels = c.get("Labels") or {}
for k in ("title", "description", "source", "version", "revision", "licenses"):
    if not labels.get("org.opencontainers.image." + k):
        bad.append("missing label org.opencontainers.image." + k)
if labels.get("org.opencontainers.image.version") != "v0.0.0-smoke":
    bad.append("version label not stamped")
for b in bad:
    print("image-smoke:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF

c=$("${B[@]}" from --pull-never coding-relay:smoke)
m=$("${B[@]}" mount "$c")
size=$(du -sb "$m" | cut -f1)
echo "image-smoke: image root filesystem $((size / 1000)) kB (budget $((max_bytes / 1000)) kB)"
((size <= max_bytes)) || fail "image is $size bytes, over $max_bytes"
[[ $(stat -c %u:%g "$m/data") == 65532:65532 ]] || fail "/data is owned by $(stat -c %u:%g "$m/data"), want 65532:65532"
"$m/coding-relay" version | grep -qx 'v0.0.0-smoke' || fail "version not stamped"

echo "image-smoke: running the relay from the image as 65532"
run=("${B[@]}" run --isolation chroot --network host --user 65532:65532)
# A robot (nothing listens there) so the relay opens its queue in /data as
# uid 65532, which a dry run would never do.
"${run[@]}" --env RELAY_ADDR="127.0.0.1:$port" \
  --env RELAY_ROBOTS="dingtalk+http://127.0.0.1:1/robot/send?access_token=smoke" \
  "$c" -- /coding-relay >"$work/relay.log" 2>&1 &
relay_pid=$!
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/relay.log"; fail "/healthz"; }
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$work/relay.log"; fail "/readyz"; }
curl -fsS -X POST -H 'X-Coding-Event: ping' -H 'Content-Type: application/json' \
  -d '{"zen":"hi"}' "http://127.0.0.1:$port/webhook" | grep -q '"zen":"hi"' || fail "ping"
[[ -f "$m/data/queue.db" ]] || fail "the relay (uid 65532) did not create /data/queue.db"
"${run[@]}" --env RELAY_ADDR=":$port" "$c" -- /coding-relay healthcheck >/dev/null \
  || fail "healthcheck against the running relay"
if "${run[@]}" --env RELAY_ADDR=":$((port + 1))" "$c" -- /coding-relay healthcheck >/dev/null 2>&1; then
  fail "healthcheck succeeded with nothing listening"
fi
echo "image-smoke: ok"
