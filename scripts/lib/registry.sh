#!/usr/bin/env bash
# Source this file: makes sure Debian's container registry (docker-registry: the distribution
# registry 2.8) and htpasswd (apache2-utils, for its bcrypt password file) are installed, for the
# test of imagePullSecrets against a registry that wants credentials (the test starts the
# registry itself on a free loopback port; nothing runs as a service).
set -euo pipefail

ensure_registry() {
  if command -v docker-registry >/dev/null 2>&1 && command -v htpasswd >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "skiff: docker-registry or htpasswd is missing and I cannot install them here (need root and apt-get: docker-registry apache2-utils)" >&2
    return 1
  fi
  echo "skiff: installing a registry (Debian's docker-registry, apache2-utils)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry apache2-utils >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry apache2-utils >/dev/null
  }
  command -v docker-registry >/dev/null 2>&1 || { echo "skiff: docker-registry did not install" >&2; return 1; }
}
