// securityContext on real Docker: users and groups, runAsNonRoot refused with Kubernetes' message,
// capabilities, read-only root filesystem, no-new-privileges; lifecycle hooks (postStart, preStop
// before the stop signal) and termination messages.
import { containerStatus, docker, dockerIds, podEvents, podManifest, PODS, recordPods, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const NS = 'default';
const NODES = [{ name: 'e2e-security-1', ip: '127.0.8.1' }];

const cluster = useCluster({ nodes: NODES });

const { create, pod } = podVerbs(cluster, NS);
const succeeded = (name: string) =>
  until(`${name} Succeeded`, async () => {
    const p = await pod(name);
    if (p.status?.phase === 'Failed') throw new Error(`${name} failed: ${JSON.stringify(p.status.containerStatuses)}`);
    return p.status?.phase === 'Succeeded' ? p : undefined;
  });
const logs = (name: string) => cluster.kubectl.ok(['logs', name]);

test('runAsUser, runAsGroup, supplementalGroups and fsGroup set the process identity; the container overrides the pod', async () => {
  await create(podManifest('ids', NS, { command: ['sh', '-c', 'id -u; id -g; id -G'] }, { restartPolicy: 'Never', securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 } }));
  await create(podManifest('ids-override', NS, { command: ['sh', '-c', 'id -u; id -g'], securityContext: { runAsUser: 1001 } }, { restartPolicy: 'Never', securityContext: { runAsUser: 1000, runAsGroup: 3000 } }));
  await succeeded('ids');
  const [uid, gid, groups] = (await logs('ids')).split('\n');
  expect([uid, gid, groups.split(' ').sort()]).toEqual(['1000', '3000', ['2000', '3000', '4000']]);
  await succeeded('ids-override');
  expect(await logs('ids-override')).toBe('1001\n3000\n');
}, 30_000);

test('runAsNonRoot refuses an image that runs as root (CreateContainerConfigError, Kubernetes message) and allows a non-root user', async () => {
  await create(podManifest('rootful', NS, { command: ['sleep', '1000'] }, { securityContext: { runAsNonRoot: true } }));
  const p = await until('rootful waiting in CreateContainerConfigError', async () => {
    const p = await pod('rootful');
    return containerStatus(p)?.state.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
  });
  const uid = p.metadata.uid;
  expect(containerStatus(p)!.state.waiting!.message).toBe(`container has runAsNonRoot and image will run as root (pod: "rootful_default(${uid})", container: main)`);
  expect(await cluster.kubectl.ok(['get', 'pod', 'rootful', '--no-headers'])).toMatch(/^rootful\s+0\/1\s+CreateContainerConfigError\s+0/);
  const events = await podEvents(cluster.client, NS, 'rootful');
  expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'Failed', message: `Error: container has runAsNonRoot and image will run as root (pod: "rootful_default(${uid})", container: main)` }));
  await create(podManifest('nonroot', NS, { command: ['id', '-u'] }, { restartPolicy: 'Never', securityContext: { runAsNonRoot: true, runAsUser: 65534 } }));
  await succeeded('nonroot');
  expect(await logs('nonroot')).toBe('65534\n');
}, 30_000);

test('capabilities add/drop, privileged, readOnlyRootFilesystem and allowPrivilegeEscalation=false reach the process', async () => {
  const show = 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; touch /probe-file 2>&1 || echo read-only';
  await create(podManifest('caps', NS, { command: ['sh', '-c', show], securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false } }, { restartPolicy: 'Never' }));
  await create(podManifest('plain', NS, { command: ['sh', '-c', show] }, { restartPolicy: 'Never' }));
  await create(podManifest('priv', NS, { command: ['sh', '-c', show], securityContext: { privileged: true } }, { restartPolicy: 'Never' }));
  await succeeded('caps');
  const caps = await logs('caps');
  expect(caps).toMatch(/^CapEff:\s+0000000000000400$/m); // only CAP_NET_BIND_SERVICE (bit 10)
  expect(caps).toMatch(/^NoNewPrivs:\s+1$/m);
  expect(caps).toMatch(/^Seccomp:\s+2$/m); // the runtime's default profile (docs/adr/0010)
  expect(caps).toMatch(/Read-only file system/);
  await succeeded('plain');
  const plain = await logs('plain');
  expect(plain).toMatch(/^CapEff:\s+00000000a80425fb$/m); // Docker's default set
  expect(plain).toMatch(/^NoNewPrivs:\s+0$/m);
  expect(plain).not.toMatch(/read-only|Read-only/);
  // This machine's Docker cannot start privileged containers at all (its own capability bounding
  // set lacks CAP_SYS_RESOURCE: runc fails with "unable to apply caps"), so what is checked is what
  // the engine was asked for.
  const [privId] = await until('a container for priv', async () => {
    const ids = await dockerIds(['--filter', 'label=io.kubernetes.pod.name=priv', '--filter', `label=dev.skiff.node=${NODES[0].name}`]);
    return ids.length ? ids : undefined;
  });
  const hc = JSON.parse(await docker(['inspect', '-f', '{{json .HostConfig}}', privId])) as { Privileged: boolean; SecurityOpt: string[] | null };
  expect(hc.Privileged).toBe(true);
  expect(hc.SecurityOpt).toContain('seccomp=unconfined');
}, 30_000);

test('termination messages: the file at terminationMessagePath, and the log tail with FallbackToLogsOnError', async () => {
  await create(podManifest('msg', NS, { command: ['sh', '-c', 'echo -n "all done" > /dev/termination-log; exit 3'] }, { restartPolicy: 'Never' }));
  await create(podManifest('msg-path', NS, { command: ['sh', '-c', 'echo -n custom > /tmp/why'], terminationMessagePath: '/tmp/why', securityContext: { runAsUser: 1000 } }, { restartPolicy: 'Never' }));
  await create(podManifest('msg-logs', NS, { command: ['sh', '-c', 'for i in $(seq 1 100); do echo line $i; done; exit 1'], terminationMessagePolicy: 'FallbackToLogsOnError' }, { restartPolicy: 'Never' }));
  const failed = (name: string) => until(`${name} finished`, async () => {
    const p = await pod(name);
    return p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded' ? p : undefined;
  });
  expect(containerStatus(await failed('msg'))!.state.terminated).toMatchObject({ exitCode: 3, reason: 'Error', message: 'all done' });
  expect(containerStatus(await failed('msg-path'))!.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed', message: 'custom' });
  const fromLogs = (containerStatus(await failed('msg-logs'))!.state.terminated as { message?: string }).message!;
  // The last 80 lines of the log.
  expect(fromLogs.split('\n').filter(Boolean)).toEqual(Array.from({ length: 80 }, (_, i) => `line ${i + 21}`));
}, 30_000);

test('preStop runs before the stop signal; a failing postStart kills the container (FailedPostStartHook)', async () => {
  // The hook and the TERM trap both write into the termination message file: its order is the order they ran in.
  const script = 'trap "echo TERM >> /dev/termination-log; exit 0" TERM; echo started; while true; do sleep 0.1; done';
  await create(podManifest('hooks', NS, {
    command: ['sh', '-c', script],
    lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /dev/termination-log'] } } },
  }, { terminationGracePeriodSeconds: 10 }));
  await until('hooks running', async () => containerStatus(await pod('hooks'))?.state.running);
  const seen = recordPods(cluster.client, NS, 'metadata.name=hooks');
  try {
    await cluster.client.delete(PODS, NS, 'hooks', {});
    const last = await until('the terminated status of hooks', async () => seen.versions.map((v) => containerStatus(v)?.state.terminated as { message?: string } | undefined).find((t) => t?.message));
    expect(last.message).toBe('prestop\nTERM\n');
  } finally {
    seen.stop();
  }

  await create(podManifest('poststart', NS, { command: ['sleep', '1000'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 1'] } } } }, { restartPolicy: 'Never', terminationGracePeriodSeconds: 1 }));
  const p = await until('poststart failed', async () => {
    const p = await pod('poststart');
    return p.status?.phase === 'Failed' ? p : undefined;
  });
  expect(containerStatus(p)!.state.terminated).toBeDefined();
  const events = await podEvents(cluster.client, NS, 'poststart');
  expect(events).toContainEqual(expect.objectContaining({ type: 'Warning', reason: 'FailedPostStartHook', message: 'PostStartHook failed' }));
}, 40_000);

test('seccompProfile: the runtime default without one or with RuntimeDefault, none with Unconfined (the container overrides the pod)', async () => {
  const show = ['sh', '-c', 'grep "^Seccomp:" /proc/self/status'];
  await create(podManifest('sc-pod-unconfined', NS, { command: show }, { restartPolicy: 'Never', securityContext: { seccompProfile: { type: 'Unconfined' } } }));
  await create(podManifest('sc-container-default', NS, { command: show, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, { restartPolicy: 'Never', securityContext: { seccompProfile: { type: 'Unconfined' } } }));
  await succeeded('sc-pod-unconfined');
  expect(await logs('sc-pod-unconfined')).toMatch(/^Seccomp:\s+0$/m);
  await succeeded('sc-container-default');
  expect(await logs('sc-container-default')).toMatch(/^Seccomp:\s+2$/m);
  // A Localhost profile that is not in the agent's seccomp directory: CreateContainerError.
  await create(podManifest('sc-missing', NS, { command: show, securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'absent.json' } } }, { restartPolicy: 'Never' }));
  const p = await until('sc-missing in CreateContainerError', async () => {
    const p = await pod('sc-missing');
    return containerStatus(p)?.state.waiting?.reason === 'CreateContainerError' ? p : undefined;
  });
  expect(containerStatus(p)!.state.waiting!.message).toMatch(/cannot load seccomp profile "absent.json"/);
}, 30_000);
