#!/usr/bin/env bash
# Source this file: makes sure a Docker engine answers on /var/run/docker.sock, installing
# Debian's docker.io and starting dockerd when it is missing (as root, on Debian), and builds
# the local test images (no registry is reachable on the build machines; see docs/development.md).
set -euo pipefail
SKIFF_ROOT="${SKIFF_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_docker() {
  if docker_answers; then return 0; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "skiff: no Docker engine answers and I cannot install one here (need root and apt-get)" >&2
      return 1
    fi
    echo "skiff: installing the Docker engine (Debian's docker.io)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  if ! docker_answers; then
    echo "skiff: starting dockerd" >&2
    (setsid dockerd >/var/log/skiff-dockerd.log 2>&1 &)
    for _ in $(seq 1 60); do docker_answers && break; sleep 0.5; done
  fi
  docker_answers || { echo "skiff: dockerd did not start; see /var/log/skiff-dockerd.log" >&2; return 1; }
}

# skiff/busybox:1 — a 2 MB image with busybox's httpd, nc, sh, sleep: the test and demo workload;
# skiff-test/node:MAJOR — Node.js on it, for tests that run JavaScript in a pod.
ensure_test_images() {
  ensure_busybox_image
  ensure_node_image
}

ensure_busybox_image() {
  if docker image inspect skiff/busybox:1 >/dev/null 2>&1; then return 0; fi
  # The image needs a statically linked busybox; Debian's busybox-static installs one at /bin/busybox.
  if ! ldd /bin/busybox 2>&1 | grep -q 'not a dynamic'; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "skiff: need a static /bin/busybox (Debian: apt-get install busybox-static)" >&2
      return 1
    fi
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  fi
  local bb=/bin/busybox
  local ctx; ctx=$(mktemp -d)
  cp "$bb" "$ctx/busybox"
  cp "$SKIFF_ROOT/images/busybox/Dockerfile" "$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t skiff/busybox:1 "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "skiff: built image skiff/busybox:1" >&2
}

# The toolchain's node binary (scripts/lib/node.sh puts it in .tools/node) and every library ldd
# names, each at its own path: a few seconds, once per engine (the tag carries the major version).
ensure_node_image() {
  local node="$SKIFF_ROOT/.tools/node/bin/node"
  [ -x "$node" ] || { echo "skiff: $node is missing (scripts/lib/node.sh installs it)" >&2; return 1; }
  local major; major=$("$node" -p 'process.versions.node.split(".")[0]')
  if docker image inspect "skiff-test/node:$major" >/dev/null 2>&1; then return 0; fi
  local ctx; ctx=$(mktemp -d)
  mkdir -p "$ctx/root/usr/local/bin"
  cp "$node" "$ctx/root/usr/local/bin/node"
  local lib
  for lib in $(ldd "$node" | grep -o '/[^ ]*'); do
    mkdir -p "$ctx/root$(dirname "$lib")"
    cp -L "$lib" "$ctx/root$lib"
  done
  cp "$SKIFF_ROOT/images/node/Dockerfile" "$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "skiff-test/node:$major" "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "skiff: built image skiff-test/node:$major" >&2
}
