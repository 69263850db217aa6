#!/usr/bin/env bash
# Runs every skiff test on a fresh machine: installs Node 24 and pnpm (from the npm registry) when
# the machine's Node is older, the locked dependencies, the Docker engine and the local test images,
# etcd (the second storage backend's tests start their own cluster),
# then typechecks and runs unit, integration (real API server, real SQLite, real kubectl) and
# end-to-end (real Docker) tests. Extra arguments go to jest, e.g. `scripts/test.sh packages/api`.
set -euo pipefail
cd "$(dirname "$0")/.."
export SKIFF_ROOT="$PWD"
started=$(date +%s)

echo "== toolchain"
source scripts/lib/node.sh
echo "node $(node --version), pnpm $(pnpm --version)"

echo "== dependencies"
pnpm install --frozen-lockfile --reporter=silent

echo "== docker engine and test images"
source scripts/lib/docker.sh
ensure_docker
ensure_test_images
echo "docker $(docker version --format '{{.Server.Version}}')"
source scripts/lib/registry.sh
ensure_registry

echo "== nftables"
source scripts/lib/nftables.sh
ensure_nftables
echo "$(nft --version)"

echo "== etcd"
source scripts/lib/etcd.sh
ensure_etcd
echo "$(etcd --version | head -1)"

echo "== typecheck"
pnpm exec tsc -b

echo "== tests"
results="$(mktemp -d)/jest.json"
set +e
node --no-warnings --experimental-vm-modules node_modules/jest/bin/jest.js --ci --maxWorkers=2 \
  --json --outputFile="$results" "$@"
rc=$?
set -e

# One plain closing line that CI reads: "tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntook ${process.argv[2]}s`);
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" "$(( $(date +%s) - started ))" || true
exit $rc
