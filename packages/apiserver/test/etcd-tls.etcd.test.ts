// `skiff server` on an etcd that serves clients over TLS only and requires client certificates
// (issue 11: `--datastore-endpoint` with TLS options for etcd, named like k3s's). Certificates
// come from a throwaway CA made with the cluster's own X.509 code. What is checked: the server
// starts, and writes, reads, lists and watches (etcd's KV calls and its watch stream, both over
// TLS); and each way of being refused ends the server with a message that says so: no client
// certificate, a client certificate from another CA, a server certificate the given CA did not
// sign, plain `etcd://` without TLS flags, and TLS flags for a plain listener.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@skiff/api';
import { client, pod, readWatch } from './support/server.ts';
import { ChildServerExitedError, SKIFF_MAIN, startChildServer, startEtcdCluster, type ChildServer, type EtcdCluster } from '../src/testing/index.ts';

const PODS = '/api/v1/namespaces/default/pods';

let dir: string;
let cluster: EtcdCluster;
/** PEM file paths: the etcd CA and a client pair it signed; another CA and a client pair of its own. */
const files: Record<'ca' | 'clientCert' | 'clientKey' | 'otherCa' | 'otherCert' | 'otherKey', string> = {} as never;
const running = new Set<ChildServer<string>>();

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-etcd-tls-'));
  const ca = await createCertificateAuthority('etcd-ca');
  const other = await createCertificateAuthority('other-ca');
  const asCa = (p: KeyPair) => ({ cert: p.cert, key: createPrivateKey(p.key) });
  const server = await issueCertificate(asCa(ca), { commonName: 'etcd', usage: 'server', sans: ['127.0.0.1', 'localhost'] });
  const clientPair = await issueCertificate(asCa(ca), { commonName: 'skiff-apiserver', usage: 'client' });
  const otherClient = await issueCertificate(asCa(other), { commonName: 'skiff-apiserver', usage: 'client' });
  files.ca = write('ca.crt', ca.cert);
  files.clientCert = write('client.crt', clientPair.cert);
  files.clientKey = write('client.key', clientPair.key);
  files.otherCa = write('other-ca.crt', other.cert);
  files.otherCert = write('other-client.crt', otherClient.cert);
  files.otherKey = write('other-client.key', otherClient.key);
  cluster = await startEtcdCluster(1, { tls: { cert: write('server.crt', server.cert), key: write('server.key', server.key), ca: files.ca, clientCertAuth: true } });
}, 60_000);

afterAll(async () => {
  await Promise.all([...running].map((s) => s.stop('SIGKILL')));
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `skiff server` with these datastore flags: its URL once it listens, or its exit code and stderr. */
async function startServer(flags: string[]): Promise<{ url: string } | { code: number | null; stderr: string }> {
  try {
    // A refusal ends the server once its retries give up: well within the tests' 60 s.
    const server = await startChildServer([SKIFF_MAIN, 'server', ...flags, '--port', '0', '--insecure-port', '0', '--no-scheduler', '--no-controllers', '--data-dir', mkdtempSync(join(dir, 'server-'))], { timeoutMs: 50_000 });
    running.add(server);
    return { url: server.ready };
  } catch (e) {
    if (!(e instanceof ChildServerExitedError) || e.timedOut) throw e;
    return { code: e.code, stderr: e.stderr };
  }
}

const endpoint = () => cluster.endpoint;

test('over TLS with a client certificate: the server writes, reads, lists and watches', async () => {
  const started = await startServer(['--datastore-endpoint', endpoint(), '--datastore-cafile', files.ca, '--datastore-certfile', files.clientCert, '--datastore-keyfile', files.clientKey]);
  if (!('url' in started)) throw new Error(`server exited (${started.code}): ${started.stderr}`);
  const api = client(started.url);
  const created = await api('POST', PODS, pod('tls-1'));
  expect(created.status).toBe(201);
  const got = await api('GET', `${PODS}/tls-1`);
  expect(got.status).toBe(200);
  expect(got.body.metadata.uid).toBe(created.body.metadata.uid);
  const list = await api('GET', PODS);
  expect(list.body.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['tls-1']);
  // The watch stream is a second gRPC stream over the same TLS connection settings.
  const watching = readWatch(`${started.url}${PODS}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, (ev) => ev.length >= 1);
  await watching.opened;
  const second = await api('POST', PODS, pod('tls-2'));
  expect(second.status).toBe(201);
  const { events } = await watching;
  expect(events.map((e) => `${e.type}:${e.object.metadata.name}:${e.object.metadata.resourceVersion}`)).toEqual([`ADDED:tls-2:${second.body.metadata.resourceVersion}`]);
}, 60_000);

describe('refused by etcd or by its certificate: the server does not start, and says why', () => {
  const refused = async (flags: string[]) => {
    const r = await startServer(flags);
    if ('url' in r) throw new Error(`the server started at ${r.url}`);
    expect(r.code).not.toBe(0);
    return r.stderr;
  };

  test.concurrent('no client certificate, where etcd requires one', async () => {
    const stderr = await refused(['--datastore-endpoint', endpoint(), '--datastore-cafile', files.ca]);
    expect(stderr).toMatch(/etcd at 127\.0\.0\.1:\d+ did not answer \(etcd asks for a client certificate \(--client-cert-auth\): give --datastore-certfile and --datastore-keyfile\): .*bad certificate/);
  }, 60_000);

  test.concurrent('a client certificate signed by another CA', async () => {
    const stderr = await refused(['--datastore-endpoint', endpoint(), '--datastore-cafile', files.ca, '--datastore-certfile', files.otherCert, '--datastore-keyfile', files.otherKey]);
    expect(stderr).toMatch(/did not answer \(etcd refused the client certificate: it must be signed by a CA in etcd's --trusted-ca-file/);
  }, 60_000);

  test.concurrent("etcd's certificate not signed by the CA given", async () => {
    const stderr = await refused(['--datastore-endpoint', endpoint(), '--datastore-cafile', files.otherCa, '--datastore-certfile', files.clientCert, '--datastore-keyfile', files.clientKey]);
    expect(stderr).toMatch(/did not answer \(etcd's certificate is not signed by the CA in --datastore-cafile\): .*unable to verify/);
  }, 60_000);

  test.concurrent('plain etcd:// without TLS flags, to a member that speaks TLS only', async () => {
    const stderr = await refused(['--datastore-endpoint', endpoint()]);
    expect(stderr).toMatch(/did not answer \(if etcd serves TLS, give --datastore-cafile/);
  }, 60_000);

  test.concurrent('TLS flags for an address that speaks plain HTTP', async () => {
    // The member's plain metrics listener stands in for a plain etcd: the handshake fails the same way.
    const plain = new URL(cluster.members[0].healthUrl).host;
    const stderr = await refused(['--datastore-endpoint', `etcd://${plain}`, '--datastore-cafile', files.ca, '--datastore-certfile', files.clientCert, '--datastore-keyfile', files.clientKey]);
    expect(stderr).toMatch(/did not answer \(etcd does not speak TLS there/);
  }, 60_000);
});
