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

echo "== etcd"
source scripts/lib/etcd.sh
ensure_etcd
echo "$(etcd --version | head -1)"

echo "== typecheck"
pnpm exec tsc -b

echo "== tests"
out="$(mktemp -d)"
set +e
# The "alone" project (see jest.config.js) first, on a kernel no other test's cluster has programmed.
node --no-warnings --experimental-vm-modules node_modules/jest/bin/jest.js --ci --runInBand \
  --selectProjects alone --passWithNoTests --json --outputFile="$out/alone.json" "$@"
rc2=$?
node --no-warnings --experimental-vm-modules node_modules/jest/bin/jest.js --ci --maxWorkers=2 \
  --selectProjects sqlite etcd --json --outputFile="$out/main.json" "$@"
rc=$?
[ "$rc" -eq 0 ] && rc=$rc2
set -e

# One plain closing line that CI reads: "tests: N passed, N failed".
node -e '
  const fs = require("fs");
  const runs = [process.argv[1], process.argv[2]].filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const skipped = sum("numPendingTests") + sum("numTodoTests");
  console.log(`\ntook ${process.argv[3]}s`);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$out/main.json" "$out/alone.json" "$(( $(date +%s) - started ))" || true
exit $rc
