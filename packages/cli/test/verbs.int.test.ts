// The skiff executable's kubectl-like verbs against a real API server.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@skiff/apiserver/testing';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
let api: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-cli-'));
  api = await startTestServer();
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function skiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run([...args, '--server', api.url]);
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(SKIFF, args, { env: { ...process.env, SKIFF_HOME: dir } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('apply creates then configures; get prints the server table; delete removes', async () => {
  const file = join(dir, 'app.yaml');
  writeFileSync(
    file,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: skiff/busybox:1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n`,
  );
  expect((await skiff('apply', '-f', file)).stdout).toBe('deployment.apps/web created\nservice/web created\n');
  expect((await skiff('apply', '-f', file)).stdout).toBe('deployment.apps/web configured\nservice/web configured\n');
  const get = await skiff('get', 'deploy');
  expect(get.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+/);
  expect((await skiff('get', 'svc', '-A')).stdout).toMatch(/NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP[\s\S]*default\s+web\s+ClusterIP\s+10\.96\./);
  expect((await skiff('get', 'deploy', '-o', 'name')).stdout).toBe('deployment.apps/web\n');
  expect((await skiff('delete', 'deploy', 'web')).stdout).toBe('deployment.apps "web" deleted\n');
  const none = await skiff('get', 'deploy');
  expect(none.stderr).toBe('No resources found in default namespace.\n');
  // Eight runs of the executable, each loading every command's modules (about 2 s under CI's load):
  // 25 s in one CI run and over 30 s in the next.
}, 60_000);

test('bad input is a clear error and a non-zero exit', async () => {
  const unknown = await skiff('get', 'widgets');
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toMatch(/doesn't have a resource type "widgets"/);
  const missing = await skiff('delete', 'pod', 'nope');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toMatch(/pods "nope" not found/);
  const version = await run(['version']);
  expect(version.stdout).toMatch(/^skiff 0\.1\.0 \(Kubernetes API v1\.32/);
});
