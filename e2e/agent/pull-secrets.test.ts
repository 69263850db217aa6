// imagePullSecrets on real Docker against a real registry that wants credentials (Debian's
// docker-registry with an htpasswd file, started here on a free loopback port, which Docker
// reaches over plain HTTP): a pod without credentials cannot pull (ErrImagePull, then
// ImagePullBackOff); with a dockerconfigjson Secret made by `kubectl create secret
// docker-registry` it pulls and runs; wrong credentials do not.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '@skiff/apiserver/testing';
import { containerStatus, docker, podEvents, podManifest, until } from '../support/cluster.ts';
import { podVerbs, useCluster } from '../support/use-cluster.ts';

const run = promisify(execFile);
const NS = 'default';
const NODES = [{ name: 'e2e-pull-secrets-1', ip: '127.0.33.1' }];
const USER = 'skiff';
const PASSWORD = 'pull-secret-test';

const cluster = useCluster({ nodes: NODES });
const { create, pod } = podVerbs(cluster, NS);

let dir = '';
let registry: ChildProcess | undefined;
let image = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-e2e-registry-'));
  const [port] = await freePorts(1);
  const host = `127.0.0.1:${port}`;
  const { stdout: htpasswd } = await run('htpasswd', ['-Bbn', USER, PASSWORD]);
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  writeFileSync(join(dir, 'config.yml'), [
    'version: 0.1',
    'log: {level: error}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}}`,
    `http: {addr: "${host}"}`,
    `auth: {htpasswd: {realm: skiff-test, path: ${join(dir, 'htpasswd')}}}`,
    '',
  ].join('\n'));
  // Its log (refused logins are expected here) only with SKIFF_E2E_LOG.
  registry = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', process.env.SKIFF_E2E_LOG ? 'inherit' : 'ignore'] });
  await until('the registry answering (401 without credentials)', async () => (await fetch(`http://${host}/v2/`)).status === 401, { timeoutMs: 15_000, intervalMs: 100 });
  // Push the test image with credentials kept in a Docker config of this test's own.
  image = `${host}/private/busybox:1`;
  const env = { ...process.env, DOCKER_CONFIG: join(dir, 'docker') };
  await new Promise<void>((resolve, reject) => {
    const c = spawn('docker', ['login', host, '-u', USER, '--password-stdin'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker login exited ${code}`))));
    c.stdin.end(PASSWORD);
  });
  await docker(['tag', 'skiff/busybox:1', image]);
  await run('docker', ['push', image], { env });
  await docker(['rmi', image]);
}, 60_000);

afterAll(async () => {
  registry?.kill();
  // The pulled copy (its container may still be there: -f untags it all the same).
  await docker(['rmi', '-f', image]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const waiting = (name: string, reasons: string[]) =>
  until(`${name} waiting in ${reasons.join(' or ')}`, async () => {
    const s = containerStatus(await pod(name))?.state.waiting;
    return s && reasons.includes(s.reason) ? s : undefined;
  }, { timeoutMs: 30_000 });

test('without credentials the pull is refused; with a docker-registry Secret it succeeds; wrong credentials fail', async () => {
  await create(podManifest('anonymous', NS, { image, imagePullPolicy: 'Always', command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 0 }));
  const refused = await waiting('anonymous', ['ErrImagePull', 'ImagePullBackOff']);
  expect(refused.message).toMatch(/no basic auth credentials|unauthorized/);

  const host = image.split('/')[0];
  await cluster.kubectl.ok(['create', 'secret', 'docker-registry', 'regcred', `--docker-server=${host}`, `--docker-username=${USER}`, `--docker-password=${PASSWORD}`]);
  await cluster.kubectl.ok(['create', 'secret', 'docker-registry', 'wrongcred', `--docker-server=${host}`, `--docker-username=${USER}`, '--docker-password=wrong']);
  await create(podManifest('with-secret', NS, { image, imagePullPolicy: 'Always', command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 0, imagePullSecrets: [{ name: 'regcred' }] }));
  await create(podManifest('wrong-secret', NS, { image, imagePullPolicy: 'Always', command: ['sleep', '3600'] }, { terminationGracePeriodSeconds: 0, imagePullSecrets: [{ name: 'wrongcred' }] }));

  await until('with-secret running', async () => containerStatus(await pod('with-secret'))?.state.running, { timeoutMs: 30_000 });
  expect(await podEvents(cluster.client, NS, 'with-secret')).toContainEqual(expect.objectContaining({ reason: 'Pulled', message: expect.stringMatching(new RegExp(`^Successfully pulled image "${image.replace(/[.]/g, '\\.')}" in `)) }));
  const wrong = await waiting('wrong-secret', ['ErrImagePull', 'ImagePullBackOff']);
  expect(wrong.message).toMatch(/unauthorized|authentication required/);
}, 90_000);
