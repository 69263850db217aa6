// The real kubectl (v1.32) against a real skiff API server and controller manager: ConfigMaps,
// Secrets, ServiceAccounts, PersistentVolumeClaims, PersistentVolumes and StorageClasses, as a
// user creates, lists, describes, prunes and consumes them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '@skiff/apiserver/testing';
import { createControllerManager, type ControllerManager } from '@skiff/controllers';
import { Kubectl } from './support/kubectl.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const fixtures = join(process.cwd(), 'e2e/fixtures');
let server: TestServer;
let kubectl: Kubectl;
let manager: ControllerManager;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  kubectl = new Kubectl(server.url);
  // pvc-protection: a pruned claim that no pod uses loses its finalizer and goes.
  manager = createControllerManager({ server: server.url, leaderElect: false, controllers: ['serviceaccount', 'pvc-protection'], log: () => {} });
  await manager.start();
  dir = mkdtempSync(join(tmpdir(), 'skiff-kinds-'));
});
afterAll(async () => {
  await manager.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = async (args: string[]) => JSON.parse(await kubectl.ok([...args, '-o', 'json']));
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

describe('kubectl create configmap', () => {
  test('--from-literal, --from-file and --from-env-file', async () => {
    expect(await kubectl.ok(['create', 'configmap', 'lit', '--from-literal=mode=prod', '--from-literal=level=3'])).toContain('configmap/lit created');
    expect((await json(['get', 'cm', 'lit'])).data).toEqual({ mode: 'prod', level: '3' });

    const conf = file('app.conf', 'listen 80;\nworkers 2;\n');
    const bin = file('blob.bin', Buffer.from([0, 1, 2, 255]));
    await kubectl.ok(['create', 'configmap', 'files', `--from-file=${conf}`, `--from-file=renamed.bin=${bin}`]);
    const files = await json(['get', 'configmap', 'files']);
    expect(files.data).toEqual({ 'app.conf': 'listen 80;\nworkers 2;\n' });
    expect(files.binaryData).toEqual({ 'renamed.bin': Buffer.from([0, 1, 2, 255]).toString('base64') });

    const env = file('app.env', '# comment\nDB_HOST=db\nDB_PORT=5432\n');
    await kubectl.ok(['create', 'configmap', 'env', `--from-env-file=${env}`]);
    expect((await json(['get', 'configmap', 'env'])).data).toEqual({ DB_HOST: 'db', DB_PORT: '5432' });

    const table = await kubectl.ok(['get', 'cm', 'lit', 'files', 'env']);
    expect(table).toMatch(/^NAME\s+DATA\s+AGE\n/);
    expect(table).toMatch(/\nfiles\s+2\s+\d+s/);
    expect(await kubectl.ok(['describe', 'configmap', 'lit'])).toMatch(/Name:\s+lit[\s\S]*Data\n====\n[\s\S]*mode:\n----\nprod/);
  });

  test('bad keys are refused by the server with every cause, and nothing is stored', async () => {
    // (kubectl create configmap checks keys itself; apply leaves it to the server.)
    const r = await kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badkey\ndata:\n  a/b: "1"\n  ..x: "2"\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The ConfigMap "badkey" is invalid:');
    expect(r.stderr).toContain("* data[..x]: Invalid value: \"..x\": must not start with '..'");
    expect(r.stderr).toContain("* data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
    expect((await kubectl.run(['get', 'cm', 'badkey'])).stderr).toContain('NotFound');
  });
});

describe('kubectl create secret', () => {
  test('generic, tls and docker-registry, with their types and keys', async () => {
    const key = file('id', 'ssh-secret\n');
    await kubectl.ok(['create', 'secret', 'generic', 'gen', '--from-literal=password=hunter2', `--from-file=id=${key}`]);
    const gen = await json(['get', 'secret', 'gen']);
    expect(gen.type).toBe('Opaque');
    expect(decode(gen.data.password)).toBe('hunter2');
    expect(decode(gen.data.id)).toBe('ssh-secret\n');

    await kubectl.ok(['create', 'secret', 'tls', 'web-tls', `--cert=${join(fixtures, 'tls.crt')}`, `--key=${join(fixtures, 'tls.key')}`]);
    const tls = await json(['get', 'secret', 'web-tls']);
    expect(tls.type).toBe('kubernetes.io/tls');
    expect(decode(tls.data['tls.crt'])).toBe(readFileSync(join(fixtures, 'tls.crt'), 'utf8'));

    await kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.local:5000', '--docker-username=me', '--docker-password=pw']);
    const reg = await json(['get', 'secret', 'regcred']);
    expect(reg.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(decode(reg.data['.dockerconfigjson'])).auths['registry.local:5000']).toMatchObject({ username: 'me', password: 'pw' });

    const table = await kubectl.ok(['get', 'secrets']);
    expect(table).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(table).toMatch(/\ngen\s+Opaque\s+2\s/);
    expect(table).toMatch(/\nregcred\s+kubernetes\.io\/dockerconfigjson\s+1\s/);
    expect(table).toMatch(/\nweb-tls\s+kubernetes\.io\/tls\s+2\s/);
    // describe shows sizes, never values.
    const described = await kubectl.ok(['describe', 'secret', 'gen']);
    expect(described).toMatch(/Type:\s+Opaque[\s\S]*password:\s+7 bytes/);
    expect(described).not.toContain('hunter2');
  });

  test('a typed Secret without its keys is a 422 with every cause', async () => {
    const r = await kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: half-tls\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: x\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Secret "half-tls" is invalid: data[tls.key]: Required value');
  });

  test('an immutable Secret refuses a change of data, and immutable cannot be unset', async () => {
    await kubectl.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: frozen\nimmutable: true\nstringData:\n  k: v1\n');
    const r = await kubectl.run(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: frozen\nimmutable: false\nstringData:\n  k: v2\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Secret "frozen" is invalid:');
    expect(r.stderr).toContain('* immutable: Forbidden: field is immutable when `immutable` is set');
    expect(r.stderr).toContain('* data: Forbidden: field is immutable when `immutable` is set');
    expect(decode((await json(['get', 'secret', 'frozen'])).data.k)).toBe('v1');
  });
});

describe('kubectl get cm,secret,sa,pvc,pv,sc', () => {
  test('lists every new kind by short name, with Kubernetes columns', async () => {
    await kubectl.ok(['create', 'namespace', 'team']);
    await until('the default ServiceAccount in team', async () => /\ndefault\s+0\s+\d+s/.test((await kubectl.run(['get', 'sa', '-n', 'team'])).stdout), 15_000);
    await kubectl.ok(['apply', '-f', '-'], [
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi',
      'apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv-data\nspec:\n  capacity:\n    storage: 2Gi\n  accessModes: [ReadWriteOnce]\n  hostPath:\n    path: /tmp/pv-data',
    ].join('\n---\n'));

    const out = await kubectl.ok(['get', 'cm,secret,sa,pvc,pv,sc']);
    expect(out).toMatch(/NAME\s+DATA\s+AGE\nconfigmap\/env\s+2/);
    expect(out).toMatch(/NAME\s+TYPE\s+DATA\s+AGE\n/);
    expect(out).toMatch(/NAME\s+SECRETS\s+AGE\nserviceaccount\/default\s+0/);
    expect(out).toMatch(/NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\npersistentvolumeclaim\/data\s+Pending\s+local\s+<unset>/);
    expect(out).toMatch(/NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\npersistentvolume\/pv-data\s+2Gi\s+RWO\s+Retain\s+Pending/);
    expect(out).toMatch(/NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\nstorageclass\.storage\.k8s\.io\/local \(default\)\s+skiff\.dev\/local\s+Delete\s+WaitForFirstConsumer\s+false/);
    expect(await kubectl.ok(['get', 'pvc', '-o', 'wide'])).toMatch(/VOLUMEMODE\n.*Filesystem/);
  });

  test('describe works for each kind', async () => {
    expect(await kubectl.ok(['describe', 'pvc', 'data'])).toMatch(/StorageClass:\s+local[\s\S]*Status:\s+Pending[\s\S]*VolumeMode:\s+Filesystem[\s\S]*Used By:\s+<none>/);
    expect(await kubectl.ok(['describe', 'pv', 'pv-data'])).toMatch(/Reclaim Policy:\s+Retain[\s\S]*Capacity:\s+2Gi[\s\S]*Type:\s+HostPath[\s\S]*Path:\s+\/tmp\/pv-data/);
    expect(await kubectl.ok(['describe', 'sc', 'local'])).toMatch(/IsDefaultClass:\s+Yes[\s\S]*Provisioner:\s+skiff\.dev\/local[\s\S]*VolumeBindingMode:\s+WaitForFirstConsumer/);
    expect(await kubectl.ok(['describe', 'sa', 'default', '-n', 'team'])).toMatch(/Name:\s+default\nNamespace:\s+team/);
  });

  test('watch prints a new ConfigMap', async () => {
    const w = kubectl.spawn(['get', 'cm', '-w']);
    try {
      await w.waitFor(/NAME\s+DATA\s+AGE/);
      await kubectl.ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
      await w.waitFor(/\nwatched\s+1\s/);
    } finally {
      w.child.kill();
    }
  });
});

describe('kubectl apply --prune', () => {
  const two = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  labels: {set: p}\ndata: {a: "1"}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: drop\n  labels: {set: p}\nstringData: {a: "2"}\n';
  const one = two.split('---')[0];

  test('-l with --prune-allowlist deletes what left the manifest', async () => {
    await kubectl.ok(['apply', '-f', '-'], two);
    const out = await kubectl.ok(['apply', '--prune', '-l', 'set=p', '--prune-allowlist=core/v1/ConfigMap', '--prune-allowlist=core/v1/Secret', '-f', '-'], one);
    expect(out).toContain('configmap/keep unchanged');
    expect(out).toContain('secret/drop pruned');
    expect((await kubectl.run(['get', 'secret', 'drop'])).stderr).toContain('NotFound');
  });

  test('-l without --prune-allowlist prunes kubectl\'s default kinds (a Secret, a PVC, a Deployment)', async () => {
    const claim = 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: drop-d\n  labels: {set: d}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n';
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: drop-d\n  labels: {set: d}\nspec:\n  selector: {matchLabels: {app: drop-d}}\n  template:\n    metadata: {labels: {app: drop-d}}\n    spec: {containers: [{name: c, image: skiff/busybox:1}]}\n';
    const base = two.replace(/set: p/g, 'set: d').replace('name: keep', 'name: keep-d').replace('name: drop', 'name: drop-d');
    await kubectl.ok(['apply', '-f', '-'], [base, claim, deployment].join('---\n'));
    const r = await kubectl.run(['apply', '--prune', '-l', 'set=d', '-f', '-'], base.split('---')[0]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.stdout).toContain('configmap/keep-d unchanged');
    expect(r.stdout).toContain('secret/drop-d pruned');
    expect(r.stdout).toContain('persistentvolumeclaim/drop-d pruned');
    expect(r.stdout).toContain('deployment.apps/drop-d pruned');
    await until('the pruned objects gone', async () => {
      const left = await kubectl.run(['get', 'secret,pvc,deployment', '-l', 'set=d', '-o', 'name']);
      return left.stdout.trim() === '';
    }, 15_000);
    expect(await kubectl.ok(['get', 'configmap', '-l', 'set=d', '-o', 'name'])).toBe('configmap/keep-d\n');
  });

  test('an ApplySet (kept in a Secret) prunes without an allow-list', async () => {
    const env = { KUBECTL_APPLYSET: 'true' };
    const a = two.replace(/set: p/g, 'set: q').replace('name: keep', 'name: keep-q').replace('name: drop', 'name: drop-q');
    const run = (stdin: string) => kubectl.ok(['apply', '-n', 'default', '--prune', '--applyset=myapp', '-f', '-'], stdin, env);
    await run(a);
    const out = await run(a.split('---')[0]);
    expect(out).toContain('secret/drop-q pruned');
    expect((await json(['get', 'secret', 'myapp'])).metadata.annotations['applyset.kubernetes.io/contains-group-kinds']).toBe('ConfigMap');
  });
});

describe('Ingress (networking.k8s.io/v1): stored for an ingress controller', () => {
  test('apply, get with kubectl\'s columns, and a Warning that nothing routes by it', async () => {
    const ing = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  ingressClassName: nginx\n  tls: [{hosts: [web.example.com], secretName: web-tls}]\n  rules:\n  - host: web.example.com\n    http:\n      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]\n';
    const r = await kubectl.run(['apply', '-f', '-'], ing);
    expect(r.stdout).toBe('ingress.networking.k8s.io/web created\n');
    expect(r.stderr).toContain('Warning: spec.rules is stored but not enforced');
    expect(await kubectl.ok(['get', 'ing', 'web'])).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nweb\s+nginx\s+web\.example\.com\s+80, 443\s+\d+s\n$/);
    const bad = await kubectl.run(['apply', '-f', '-'], ing.replace('name: web\nspec', 'name: bad\nspec').replace('pathType: Prefix', 'pathType: Regex'));
    expect(bad.stderr).toContain('spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex"');
    expect((await kubectl.run(['get', 'ing', 'bad'])).stderr).toContain('NotFound');
  });
});

describe('kubectl set env', () => {
  test('sets literal values and references to a ConfigMap and a Secret', async () => {
    await kubectl.ok(['create', 'deployment', 'web', '--image=skiff/busybox:1']);
    await kubectl.ok(['create', 'configmap', 'web-cfg', '--from-literal=MODE=prod']);
    await kubectl.ok(['create', 'secret', 'generic', 'web-sec', '--from-literal=TOKEN=abc']);
    await kubectl.ok(['set', 'env', 'deployment/web', '--from=configmap/web-cfg']);
    await kubectl.ok(['set', 'env', 'deployment/web', '--from=secret/web-sec', '--prefix=S_']);
    await kubectl.ok(['set', 'env', 'deployment/web', 'FOO=bar']);
    const env = (await json(['get', 'deployment', 'web'])).spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'MODE', valueFrom: { configMapKeyRef: { key: 'MODE', name: 'web-cfg' } } },
      { name: 'S_TOKEN', valueFrom: { secretKeyRef: { key: 'TOKEN', name: 'web-sec' } } },
      { name: 'FOO', value: 'bar' },
    ]);
    expect(await kubectl.ok(['set', 'env', 'deployment/web', '--list'])).toContain('# MODE from configmap web-cfg, key MODE');
    await kubectl.ok(['set', 'env', 'deployment/web', 'FOO-']);
    expect((await json(['get', 'deployment', 'web'])).spec.template.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['MODE', 'S_TOKEN']);
  });
});
