import { computeServerSettings, type ServerFlags } from './server-settings.ts';

/** `skiff server`'s defaults, as commander hands them over. */
const DEFAULTS: ServerFlags = {
  dataDir: '/var/lib/skiff/data',
  host: '127.0.0.1',
  port: '6443',
  scheduler: true,
  controllers: true,
  clusterCidr: '10.244.0.0/16',
  serviceClusterIpRange: '10.96.0.0/16',
  tlsSan: [],
  auditLogMaxsize: '100',
  auditLogMaxbackup: '0',
  maxRequestsInflight: '400',
  maxMutatingRequestsInflight: '200',
  authorizationMode: 'Node,RBAC',
};

const files = (contents: Record<string, string>) => (path: string) => {
  if (!(path in contents)) throw new Error(`ENOENT: no such file, open '${path}'`);
  return Buffer.from(contents[path]);
};

test('the defaults are settings, every number parsed', () => {
  const { settings, problems } = computeServerSettings(DEFAULTS, { env: {}, readFile: files({}) });
  expect(problems).toBeUndefined();
  expect(settings).toMatchObject({ port: 6443, limits: { maxRequestsInflight: 400, maxMutatingRequestsInflight: 200 }, authorizationMode: ['Node', 'RBAC'], walMaxBytes: undefined, etcd: undefined, audit: undefined });
});

test('files named by flags are read and parsed; the environment moves the WAL bound', () => {
  const flags = { ...DEFAULTS, tokenAuthFile: '/t.csv', auditLogPath: '-', auditPolicyFile: '/p.yaml', auditLogMaxsize: '5', tlsSan: ['10.0.0.1', '*.example.com'] };
  const read = files({ '/t.csv': 'tok,alice,uid-1,"dev,ops"\n', '/p.yaml': 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n' });
  const { settings } = computeServerSettings(flags, { env: { SKIFF_SQLITE_WAL_MAX_BYTES: 'off' }, readFile: read });
  expect(settings!.staticTokens!.get('tok')).toEqual({ username: 'alice', uid: 'uid-1', groups: ['dev', 'ops'] });
  expect(settings!.audit).toEqual({ path: '-', policy: { rules: [{ level: 'None' }] }, maxSizeMB: 5, maxBackups: 0 });
  expect(settings!.walMaxBytes).toBe(Infinity);
});

test('every problem is listed, in flag order, the environment last', () => {
  const { problems } = computeServerSettings({ ...DEFAULTS, port: '', host: 'example.com', tokenAuthFile: '/none' }, { env: { SKIFF_SQLITE_WAL_MAX_BYTES: '0' }, readFile: files({}) });
  expect(problems).toEqual([
    '--port "": not a port number (0 to 65535)',
    '--host "example.com": not an IP address (or localhost) to bind',
    `--token-auth-file "/none": cannot read it: ENOENT: no such file, open '/none'`,
    'SKIFF_SQLITE_WAL_MAX_BYTES="0": expected a positive number of bytes or "off"',
  ]);
});

test('without readFile (skiff server install) files are not read, values still checked', () => {
  const { settings } = computeServerSettings({ ...DEFAULTS, tokenAuthFile: '/elsewhere.csv', datastoreEndpoint: 'etcd://10.0.0.2:2379', datastoreCafile: '/elsewhere/ca.crt' }, { env: {} });
  expect(settings!.staticTokens).toBeUndefined();
  expect(settings!.etcd).toEqual({ hosts: ['10.0.0.2:2379'], tls: undefined });
  expect(computeServerSettings({ ...DEFAULTS, maxRequestsInflight: '-1' }, { env: {} }).problems).toEqual(['--max-requests-inflight "-1": expected a whole number, 0 or more']);
});
