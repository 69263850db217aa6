#!/usr/bin/env bash
# Source this file: makes sure `nft` is there (Debian's nftables), which the agent's kernel service
# proxy writes its rules with (docs/adr/0002-networking.md).
set -euo pipefail

ensure_nftables() {
  if command -v nft >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "skiff: nft is missing and I cannot install it here (need root and apt-get: nftables)" >&2
    return 1
  fi
  echo "skiff: installing nftables (Debian's nftables)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null
  }
}
