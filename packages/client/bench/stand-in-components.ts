// A stand-in for `skiff server`'s components (ADR 0022) in `bench:apiserver --only components
// --parts`: the API traffic of the scheduler and the controller manager under that benchmark,
// without their logic, one layer at a time, so that what the components cost the API server
// thread can be split into its parts:
//   watch    one watch of every pod, its bytes read and thrown away;
//   cache    a pods informer, as the components' shared one (every event parsed and cached,
//            managedFields dropped);
//   reports  the same, plus what the scheduler sends for each pod it cannot place: a Warning
//            FailedScheduling Event and a PodScheduled=False status patch, each stream paced at
//            kube-scheduler's default client rate (qps 50, burst 100) and dropped, not queued,
//            beyond a backlog of 1,000, as the scheduler's reports are.
// It talks to the API server over HTTPS with the credentials of a kubeconfig (the benchmark gives
// the server's admin.kubeconfig: system:masters skips the RBAC lookup the components' requests go
// through). Prints "ready" once its watch is open (its informer synced). Runs until killed.
// Usage: node stand-in-components.ts KUBECONFIG watch|cache|reports
import { RESOURCES, type Pod } from '@skiff/api';
import { BackgroundSender } from '../src/background-sender.ts';
import { EventRecorder } from '../src/event-recorder.ts';
import { loadKubeconfig } from '../src/kubeconfig.ts';
import { resourcePath } from '../src/paths.ts';
import { RestClient } from '../src/rest-client.ts';
import { SharedInformerFactory } from '../src/shared-informer-factory.ts';
import { dropManagedFields } from '../src/store.ts';

const PODS = RESOURCES.find((r) => r.plural === 'pods')!;
const [kubeconfig, mode] = process.argv.slice(2);
if (!kubeconfig || !['watch', 'cache', 'reports'].includes(mode)) throw new Error('usage: stand-in-components.ts KUBECONFIG watch|cache|reports');
const conn = loadKubeconfig(kubeconfig);
const fail = (what: string) => (err: unknown) => {
  process.stderr.write(`stand-in: ${what}: ${(err as Error)?.message ?? err}\n`);
  process.exit(1);
};

if (mode === 'watch') {
  const client = new RestClient({ ...conn, userAgent: 'stand-in-components' });
  const res = await client.transport.stream({ method: 'GET', path: `${resourcePath(PODS, {})}?watch=true&allowWatchBookmarks=true` });
  res.on('data', () => {});
  res.on('end', () => fail('watch')(new Error('the watch ended')));
  console.log('ready');
} else {
  const reader = new RestClient({ ...conn, userAgent: 'stand-in-informers' });
  const factory = new SharedInformerFactory(reader, { defaults: { onError: (err, ctx) => process.stderr.write(`stand-in: informer: ${ctx}: ${(err as Error)?.message ?? err}\n`), transform: dropManagedFields } });
  const pods = factory.informerFor(PODS);
  if (mode === 'reports') {
    const reportClient = new RestClient({ ...conn, userAgent: 'stand-in-scheduler', maxConnections: 4 });
    const paced = { maxInFlight: 4, maxPending: 1000, qps: 50, burst: 100 };
    const statuses = new BackgroundSender(paced);
    const events = new EventRecorder(reportClient, { ...paced, component: 'default-scheduler', instance: 'stand-in' });
    pods.addEventHandler({
      onAdd(obj) {
        const pod = obj as unknown as Pod;
        if (pod.spec?.nodeName) return;
        const { namespace = 'default', name = '' } = pod.metadata;
        const message = '0/0 nodes are available: no nodes registered.';
        events.record(obj, 'Warning', 'FailedScheduling', message);
        const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date().toISOString() };
        statuses.send(() => reportClient.patch(PODS, namespace, name, { status: { conditions: [condition] } }, 'strategic', { subresource: 'status' }));
      },
    });
  }
  factory.start();
  await factory.waitForCacheSync().catch(fail('sync'));
  console.log('ready');
}
