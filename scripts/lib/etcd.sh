#!/usr/bin/env bash
# Source this file: makes sure Debian's etcd (etcd-server, etcd-client: etcd 3.4 and etcdctl) is
# installed, for the tests that run the etcd storage backend against a real three-member cluster
# (they start it themselves on free loopback ports; nothing runs as a service).
set -euo pipefail

ensure_etcd() {
  if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "skiff: etcd is missing and I cannot install it here (need root and apt-get: etcd-server etcd-client)" >&2
    return 1
  fi
  echo "skiff: installing etcd (Debian's etcd-server, etcd-client)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null
  }
  command -v etcd >/dev/null 2>&1 || { echo "skiff: etcd did not install" >&2; return 1; }
}
