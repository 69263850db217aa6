// The volume manager on a real filesystem (tmpfs mounts need root, which the agent and these tests have).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import { computeHostPathCheck } from './host-path.ts';
import { isMountPoint, mountsUnder } from './host-mounts.ts';
import { VolumeError, VolumeManager } from './manager.ts';

let root: string;
let manager: VolumeManager;
const configMaps = new Map<string, KubeObject>();
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'skiff-volumes-'));
  manager = new VolumeManager({
    rootDir: join(root, 'agent'),
    nodeName: 'n1',
    nodeIP: '127.0.0.1',
    objects: { configMap: async (_ns, n) => configMaps.get(n), secret: async () => undefined },
    log: () => undefined,
  });
});
afterEach(async () => {
  await manager.cleanupOrphans(new Set());
  rmSync(root, { recursive: true, force: true });
});

const pod = (volumes: unknown[], extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' }, spec: { containers: [], volumes, ...extra } }) as KubeObject;

test('emptyDir: a directory writable by every user; medium Memory: a tmpfs of sizeLimit; both go with the pod', async () => {
  const ready = await manager.setUp(pod([{ name: 'disk', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
  const disk = ready.get('disk')!.source;
  const mem = ready.get('mem')!.source;
  expect(statSync(disk).mode & 0o7777).toBe(0o777);
  expect(isMountPoint(disk)).toBe(false);
  expect(isMountPoint(mem)).toBe(true);
  expect(execFileSync('findmnt', ['-n', '-o', 'FSTYPE,OPTIONS', mem], { encoding: 'utf8' })).toMatch(/^tmpfs .*size=1024k/);
  expect(() => writeFileSync(join(mem, 'big'), Buffer.alloc(2 * 1024 * 1024))).toThrow(/ENOSPC/);
  // Setting up again (a later sync, an agent restart) changes nothing.
  await manager.setUp(pod([{ name: 'disk', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
  expect(mountsUnder(mem)).toEqual([mem]);
  await manager.tearDown('uid-1');
  expect(existsSync(disk)).toBe(false);
  expect(mountsUnder(join(root, 'agent'))).toEqual([]);
});

test('fsGroup: an emptyDir owned by the group, setgid', async () => {
  const ready = await manager.setUp(pod([{ name: 'd', emptyDir: {} }], { securityContext: { fsGroup: 3000 } }));
  const st = statSync(ready.get('d')!.source);
  expect(st.gid).toBe(3000);
  expect(st.mode & 0o7777).toBe(0o2777);
});

test('hostPath type checks, with the kubelet messages', async () => {
  const file = join(root, 'f');
  writeFileSync(file, 'x');
  await expect(manager.setUp(pod([{ name: 'h', hostPath: { path: file, type: 'Directory' } }]))).rejects.toThrow(
    new VolumeError('h', `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${file} is not a directory`),
  );
  const made = join(root, 'made');
  const ready = await manager.setUp(pod([{ name: 'd', hostPath: { path: made, type: 'DirectoryOrCreate' } }, { name: 'f', hostPath: { path: join(root, 'newfile'), type: 'FileOrCreate' } }]));
  expect(statSync(made).isDirectory()).toBe(true);
  expect(statSync(join(root, 'newfile')).isFile()).toBe(true);
  expect(ready.get('d')).toEqual({ type: 'bind', source: made, hostDir: made, readOnly: false });
  const cases: [string, string, Parameters<typeof computeHostPathCheck>[2], string | undefined][] = [
    ['File', '/x', 'directory', 'hostPath type check failed: /x is not a file'],
    ['Socket', '/x', 'file', 'hostPath type check failed: /x is not a socket file'],
    ['CharDevice', '/x', 'missing', 'hostPath type check failed: /x is not a character device'],
    ['BlockDevice', '/x', 'char', 'hostPath type check failed: /x is not a block device'],
    ['Directory', '/x', 'missing', 'hostPath type check failed: /x is not a directory'],
    ['Bogus', '/x', 'file', 'Bogus is an invalid volume type'],
    ['', '/x', 'socket', undefined],
    ['CharDevice', '/dev/null', 'char', undefined],
  ];
  for (const [type, path, kind, error] of cases) expect(computeHostPathCheck(path, type, kind).error).toBe(error);
  expect(computeHostPathCheck('/dev/null', 'CharDevice', 'char')).toEqual({});
});

test('a configMap volume is read-only and written through ..data; a missing one fails the set-up', async () => {
  await expect(manager.setUp(pod([{ name: 'c', configMap: { name: 'cfg' } }]))).rejects.toThrow('MountVolume.SetUp failed for volume "c" : configmap "cfg" not found');
  configMaps.set('cfg', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v1' } } as unknown as KubeObject);
  const p = pod([{ name: 'c', configMap: { name: 'cfg' } }]);
  const ready = await manager.setUp(p);
  const dir = ready.get('c')!.source;
  expect(ready.get('c')!.readOnly).toBe(true);
  expect(readFileSync(join(dir, 'k'), 'utf8')).toBe('v1');
  configMaps.set('cfg', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v2' } } as unknown as KubeObject);
  expect(manager.podsReading('configMap', 'ns', 'cfg')).toHaveLength(1);
  await manager.refresh(p);
  expect(readFileSync(join(dir, 'k'), 'utf8')).toBe('v2');
  // A subPath of a key binds the file of the current version (k -> ..data/k -> ..<timestamp>/k).
  const [m] = manager.mountsFor({ volumeMounts: [{ name: 'c', mountPath: '/etc/k', subPath: 'k' }] }, ready);
  expect(m.source).toMatch(/\/\.\.\d{4}_\d\d_\d\d_[^/]+\/k$/);
  expect(readFileSync(m.source, 'utf8')).toBe('v2');
  expect(m.readOnly).toBe(true);
});

test('subPath: made inside a writable volume with its mode; never outside the volume', async () => {
  const ready = await manager.setUp(pod([{ name: 'd', emptyDir: {} }]));
  const [m] = manager.mountsFor({ volumeMounts: [{ name: 'd', mountPath: '/data', subPath: 'a/b', readOnly: true }] }, ready);
  const src = ready.get('d')!.source;
  expect(m).toEqual({ type: 'bind', source: join(src, 'a/b'), target: '/data', readOnly: true });
  expect(statSync(join(src, 'a/b')).mode & 0o777).toBe(0o777);
  symlinkSync('/etc', join(src, 'escape'));
  expect(() => manager.mountsFor({ volumeMounts: [{ name: 'd', mountPath: '/x', subPath: 'escape' }] }, ready)).toThrow(/not within volume path/);
  expect(() => manager.mountsFor({ volumeMounts: [{ name: 'd', mountPath: '/x', subPath: '../x' }] }, ready)).toThrow(/without '\.\.'/);
});

test('orphaned pod directories (deleted while the agent was down) are removed, mounts first', async () => {
  await manager.setUp(pod([{ name: 'mem', emptyDir: { medium: 'Memory' } }]));
  mkdirSync(join(root, 'agent', 'pods', 'live'), { recursive: true });
  expect(await manager.cleanupOrphans(new Set(['live']))).toEqual(['uid-1']);
  expect(existsSync(join(root, 'agent', 'pods', 'uid-1'))).toBe(false);
  expect(existsSync(join(root, 'agent', 'pods', 'live'))).toBe(true);
});
