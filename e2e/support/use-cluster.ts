// The cluster one e2e file shares among its tests, and the pod verbs most files use on it.
import { SimRuntime } from '@skiff/agent';
import type { KubeObject } from '@skiff/api';
import { isNotFound } from '@skiff/client';
import { getPod, PODS, startCluster, type ClusterOptions, type TestCluster } from './cluster.ts';

/**
 * Starts the file's cluster before its tests (beforeAll) and closes it after them (afterAll). The
 * handle forwards to the started cluster, so a file declares it once at the top; touching it before
 * beforeAll has run is a mistake in the test and throws.
 */
export function useCluster(options: ClusterOptions, timeoutMs = 30_000): TestCluster {
  let started: TestCluster | undefined;
  beforeAll(async () => {
    started = await startCluster(options);
  }, timeoutMs);
  afterAll(async () => {
    await started?.close();
  }, 30_000);
  return new Proxy({} as TestCluster, {
    get(_, key) {
      if (!started) throw new Error(`the e2e cluster is used before beforeAll started it (reading ${String(key)})`);
      return Reflect.get(started, key);
    },
  });
}

/**
 * The file's cluster of `count` hollow nodes (the simulated runtime; no agent endpoint), named
 * `<prefix>-1..count` at 127.0.<subnet>.1..count. Each file takes a subnet of its own.
 */
export function useHollowCluster(prefix: string, count: number, subnet: number): TestCluster {
  return useCluster({
    nodes: Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i + 1}`, ip: `127.0.${subnet}.${i + 1}` })),
    runtime: () => new SimRuntime({ images: ['skiff/busybox:1'], startLatencyMs: 20 }),
    serveEndpoint: false,
  });
}

/** Creates, reads and checks for the absence of pods in one namespace of the cluster. */
export function podVerbs(cluster: TestCluster, namespace: string) {
  const pod = (name: string) => getPod(cluster.client, namespace, name);
  return {
    create: (manifest: KubeObject) => cluster.client.create(PODS, manifest, {}),
    pod,
    /** True once the pod object is gone from the API. */
    async gone(name: string): Promise<boolean> {
      try {
        await pod(name);
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
  };
}
