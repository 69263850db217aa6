// bench:startup's volume comparison: one pod at a time on an idle engine, a plain pod against a
// pod that mounts a ConfigMap, a Secret and a fresh PersistentVolumeClaim (class `local`,
// WaitForFirstConsumer: the claim is provisioned by the agent when the pod lands), alternating
// which goes first. Each is timed from the first create (the claim's, for the volume pod) until
// the pod is seen Running through a watch.
import { CONFIG_MAPS, PERSISTENT_VOLUME_CLAIMS, PODS, SECRETS, type KubeObject } from '@skiff/api';
import type { RestClient } from '@skiff/client';

export interface VolumeStartup {
  plain: number[];
  volumes: number[];
}

interface PodOptions {
  image: string;
  command: string[];
}

/** Creates the objects (in order) and resolves with the ms until the pod (the last) is Running. */
export async function timeToRunning(client: RestClient, objects: KubeObject[]): Promise<number> {
  const pod = objects[objects.length - 1];
  let done!: () => void;
  const running = new Promise<void>((r) => (done = r));
  const watch = client.watch(PODS, { namespace: pod.metadata.namespace, fieldSelector: `metadata.name=${pod.metadata.name}` }, (e) => {
    if ((e.object as KubeObject).status?.phase === 'Running') done();
  }, () => undefined);
  // Without a resourceVersion the watch starts with the pod's current state: no event is missed
  // even if the pod is Running before the watch connects.
  const began = performance.now();
  for (const o of objects) {
    const info = o.kind === 'Pod' ? PODS : o.kind === 'PersistentVolumeClaim' ? PERSISTENT_VOLUME_CLAIMS : o.kind === 'ConfigMap' ? CONFIG_MAPS : SECRETS;
    await client.create(info, o);
  }
  const timeout = setTimeout(() => {
    process.stderr.write(`timed out: pod ${pod.metadata.name} not Running after 60 s\n`);
    process.exit(1);
  }, 60_000);
  await running;
  clearTimeout(timeout);
  const ms = performance.now() - began;
  watch.abort();
  return ms;
}

export function plainPod(name: string, o: PodOptions): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: o.image, command: o.command }] } } as KubeObject;
}

/** A claim and a pod mounting it with the shared ConfigMap and Secret. */
function volumePod(name: string, o: PodOptions): KubeObject[] {
  const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${name}-data`, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
  const pod = plainPod(name, o);
  pod.spec!.volumes = [
    { name: 'config', configMap: { name: 'bench-config' } },
    { name: 'secret', secret: { secretName: 'bench-secret' } },
    { name: 'data', persistentVolumeClaim: { claimName: `${name}-data` } },
  ];
  pod.spec!.containers[0].volumeMounts = [
    { name: 'config', mountPath: '/etc/config' },
    { name: 'secret', mountPath: '/etc/secret' },
    { name: 'data', mountPath: '/data' },
  ];
  return [claim as KubeObject, pod];
}

/** `count` pods of each kind, one at a time, alternating which goes first. */
export async function benchVolumeStartup(client: RestClient, count: number, o: PodOptions): Promise<VolumeStartup> {
  await client.create(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench-config', namespace: 'default' }, data: { 'app.conf': 'mode=bench\n', other: 'x' } } as KubeObject);
  await client.create(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-secret', namespace: 'default' }, stringData: { password: 'bench' } } as KubeObject);
  const out: VolumeStartup = { plain: [], volumes: [] };
  for (let i = 0; i < count; i++) {
    const plain = () => timeToRunning(client, [plainPod(`plain-${i}`, o)]).then((ms) => out.plain.push(ms));
    const volumes = () => timeToRunning(client, volumePod(`volumes-${i}`, o)).then((ms) => out.volumes.push(ms));
    if (i % 2 === 0) {
      await plain();
      await volumes();
    } else {
      await volumes();
      await plain();
    }
  }
  out.plain.sort((a, b) => a - b);
  out.volumes.sort((a, b) => a - b);
  return out;
}
