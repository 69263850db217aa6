#!/usr/bin/env bash
# The first command for a newcomer: installs what skiff needs (Node 24, dependencies, the Docker
# engine when missing, the demo image), starts a local cluster with `skiff up`, deploys
# docs/examples/hello.yaml (three web servers behind a Service), waits for the rollout and shows
# requests answered by the pods through the Service's ClusterIP (iptables rules the agent keeps).
set -euo pipefail
cd "$(dirname "$0")/.."
export SKIFF_ROOT="$PWD"
export SKIFF_HOME="${SKIFF_HOME:-$HOME/.skiff}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Installing the toolchain and dependencies"
source scripts/lib/node.sh
pnpm install --frozen-lockfile --reporter=silent

step "Making sure a Docker engine runs, and building the demo image"
source scripts/lib/docker.sh
ensure_docker
ensure_test_images

step "Starting a local cluster (skiff up)"
if [ -f "$SKIFF_HOME/cluster.json" ]; then
  echo "A cluster from an earlier run exists in $SKIFF_HOME; stopping it first."
  bin/skiff down --data-dir "$SKIFF_HOME"
fi
bin/skiff up --nodes 2 --data-dir "$SKIFF_HOME"
export KUBECONFIG="$SKIFF_HOME/kubeconfig"

step "Deploying docs/examples/hello.yaml with kubectl"
kubectl apply -f docs/examples/hello.yaml
kubectl rollout status deployment/hello --timeout=180s
kubectl get nodes
kubectl get pods -o wide

step "Asking the Service at its ClusterIP (the kernel's rules, kept by the agent)"
ip=$(kubectl get service hello -o jsonpath='{.spec.clusterIP}')
for _ in 1 2 3 4 5 6; do
  node -e 'fetch(process.argv[1]).then(r => r.text()).then(t => process.stdout.write(t)).catch(e => { console.error(String(e)); process.exit(1); })' "http://$ip/"
done

cat <<MSG

skiff is running. Try:
  export KUBECONFIG=$KUBECONFIG
  kubectl get all
  kubectl scale deployment hello --replicas=5
  kubectl logs deployment/hello
  bin/skiff down        # stops the cluster and removes its containers
MSG
