// `skiff server` refuses bad flags and a bad environment before it writes anything: every bad
// value is named in one message, the exit code is 1, and the data directory stays as it was (no
// pki/, no database). Runs the real CLI; nothing listens (every case is refused), but like the other
// CLI tests it runs under the docker lock.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKIFF, useSkiffServers } from './support/skiff-server.ts';

const servers = useSkiffServers('skiff-refusals-');

/** Runs `skiff server --data-dir DIR/data ARGS` (DIR/data made empty first unless `makeDataDir` is false). */
function refused(args: (dir: string) => string[], env: Record<string, string> = {}, makeDataDir = true) {
  const dir = servers.tempDir();
  const data = join(dir, 'data');
  if (makeDataDir) mkdirSync(data);
  const r = spawnSync(SKIFF, ['server', '--data-dir', data, '--port', '0', '--no-scheduler', '--no-controllers', ...args(dir)], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SKIFF_HOME: dir, ...env },
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, data, written: existsSync(data) ? readdirSync(data) : undefined };
}

const HEADER = 'skiff: refusing to start (nothing was written): a bad setting:\n';

test('a bad SKIFF_SQLITE_WAL_MAX_BYTES: refused before the data directory is even made', () => {
  const r = refused(() => [], { SKIFF_SQLITE_WAL_MAX_BYTES: 'banana' }, false);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`${HEADER}  SKIFF_SQLITE_WAL_MAX_BYTES="banana": expected a positive number of bytes or "off"\n`);
  expect(r.stdout).toBe('');
  expect(r.written).toBeUndefined();
}, 60_000);

const BAD_POLICY = 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n';

// One bad value each: [what, its flags (given the temp dir), a line of the message].
const cases: [string, (dir: string) => string[], string][] = [
  ['--port', () => ['--port', '70000'], '--port "70000": not a port number (0 to 65535)'],
  ['--insecure-port', () => ['--insecure-port', 'http'], '--insecure-port "http": not a port number (0 to 65535)'],
  ['--scheduler-port', () => ['--scheduler-port', '-1'], '--scheduler-port "-1": not a port number (0 to 65535)'],
  ['--host', () => ['--host', 'my host'], '--host "my host": not an IP address (or localhost) to bind'],
  ['--advertise-address', () => ['--advertise-address', '127.0.0.5'], '--advertise-address "127.0.0.5": 127.0.0.5 is loopback, link-local or unspecified: pods cannot reach it'],
  ['--tls-san', () => ['--tls-san', 'ok.example', '--tls-san', 'Bad_Name'], '--tls-san "Bad_Name": neither an IP address nor a DNS name: a lowercase RFC 1123 subdomain'],
  ['--cluster-cidr', () => ['--cluster-cidr', '10.244.0.0/33'], '--cluster-cidr "10.244.0.0/33": invalid cluster CIDR "10.244.0.0/33"'],
  ['--service-cluster-ip-range', () => ['--service-cluster-ip-range', '10.96.0.0/8'], '--service-cluster-ip-range "10.96.0.0/8": invalid service CIDR "10.96.0.0/8": want an IPv4 CIDR from /12 to /28'],
  ['--authorization-mode', () => ['--authorization-mode', 'RBAC,Webhook'], '--authorization-mode "RBAC,Webhook": authorization-mode "Webhook" is not supported by skiff'],
  ['--max-requests-inflight', () => ['--max-requests-inflight', '1e3'], '--max-requests-inflight "1e3": expected a whole number, 0 or more'],
  ['--max-mutating-requests-inflight', () => ['--max-mutating-requests-inflight', 'lots'], '--max-mutating-requests-inflight "lots": expected a whole number, 0 or more'],
  ['--audit-log-maxsize', () => ['--audit-log-maxsize', '1.5'], '--audit-log-maxsize "1.5": expected a whole number, 0 or more'],
  ['--audit-log-maxbackup', () => ['--audit-log-maxbackup', 'all'], '--audit-log-maxbackup "all": expected a whole number, 0 or more'],
  ['a missing --token-auth-file', (d) => ['--token-auth-file', join(d, 'none.csv')], 'none.csv": cannot read it: ENOENT'],
  ['a malformed --token-auth-file', (d) => (writeFileSync(join(d, 't.csv'), 'tok,alice,uid-1\nonlyonefield\n', { mode: 0o600 }), ['--token-auth-file', join(d, 't.csv')]), 't.csv, line 2: expected token,user,uid[,"group1,group2"]'],
  ['a missing --audit-policy-file', (d) => ['--audit-log-path', join(d, 'audit.log'), '--audit-policy-file', join(d, 'none.yaml')], 'none.yaml": cannot read it: ENOENT'],
  ['a bad --audit-policy-file', (d) => (writeFileSync(join(d, 'p.yaml'), BAD_POLICY), ['--audit-log-path', join(d, 'audit.log'), '--audit-policy-file', join(d, 'p.yaml')]), 'p.yaml: rules[0].level must be one of None, Metadata, Request, RequestResponse'],
  ['--datastore-endpoint', () => ['--datastore-endpoint', 'mysql://db:3306'], '--datastore-endpoint: expected etcd://host:port[,host:port...], got "mysql://db:3306"'],
  ['etcd TLS files without an endpoint', (d) => ['--datastore-cafile', join(d, 'ca.crt')], '--datastore-cafile/--datastore-certfile/--datastore-keyfile need --datastore-endpoint'],
  ['an unreadable --datastore-cafile', (d) => ['--datastore-endpoint', 'etcd://127.0.0.1:2379', '--datastore-cafile', join(d, 'none.crt')], '--datastore-cafile: cannot read'],
];

test.each(cases)('%s: refused, named, nothing written', (_what, args, line) => {
  const r = refused(args);
  expect(r.status).toBe(1);
  expect(r.stderr.startsWith(HEADER)).toBe(true);
  expect(r.stderr).toContain(line);
  expect(r.stdout).toBe('');
  expect(r.written).toEqual([]);
}, 60_000);

test('several bad values at once: every one is named in the one message', () => {
  const r = refused((d) => ['--port', 'x', '--cluster-cidr', 'nope', '--token-auth-file', join(d, 'none.csv'), '--authorization-mode', 'Foo'], { SKIFF_SQLITE_WAL_MAX_BYTES: '-5' });
  expect(r.status).toBe(1);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toBe('skiff: refusing to start (nothing was written): 5 bad settings:');
  expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual(['--port "x"', '--cluster-cidr "nope"', '--authorization-mode "Foo"', expect.stringMatching(/^--token-auth-file ".*none\.csv"$/), 'SKIFF_SQLITE_WAL_MAX_BYTES="-5"']);
  expect(r.written).toEqual([]);
}, 60_000);

test('`skiff server install` refuses a bad server flag before it writes the unit', () => {
  const dir = servers.tempDir();
  const r = spawnSync(SKIFF, ['server', 'install', '--root', join(dir, 'root'), '--port', 'banana', '--max-requests-inflight', 'many'], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe('skiff: refusing to install (nothing was written): 2 bad settings:\n  --port "banana": not a port number (0 to 65535)\n  --max-requests-inflight "many": expected a whole number, 0 or more\n');
  expect(existsSync(join(dir, 'root'))).toBe(false);
}, 60_000);
