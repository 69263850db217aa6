// The cluster DNS server against a real API server: answers from the zone (cached by query) follow
// the Services, a cached answer never outlives the Service it came from, and TCP answers too.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { SERVICES } from '@skiff/api';
import { freePorts, startTestServer, until, type TestServer } from '@skiff/apiserver/testing';
import { RestClient } from '@skiff/client';
import { ClusterDns } from './server.ts';

let server: TestServer;
let client: RestClient;
let dns: ClusterDns;
let port: number;

beforeAll(async () => {
  server = await startTestServer();
  client = new RestClient({ server: server.url });
  [port] = await freePorts(1);
  dns = new ClusterDns({ client, upstreams: [], log: () => {} });
  await dns.listen('127.0.0.1', port);
});
afterAll(async () => {
  dns.stop();
  client.close();
  await server.close();
});

type Reply = dnsPacket.DecodedPacket & { rcode?: string };

function askUdp(id: number, name: string): Promise<Reply> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.close(), reject(new Error(`no answer for ${name}`))), 2000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(m));
    });
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

function askTcp(id: number, name: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    s.on('error', reject);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        s.destroy();
        resolve(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    s.write(dnsPacket.streamEncode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }));
  });
}

test('answers from the zone carry each query its own ID, and a deleted Service is gone from the answers (cache emptied)', async () => {
  await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { ports: [{ port: 5432 }] } });
  const name = 'db.default.svc.cluster.local';
  const first = await until('db resolves', async () => {
    const r = await askUdp(1, name);
    return r.rcode === 'NOERROR' && r.answers?.length ? r : undefined;
  });
  const ip = (first.answers![0] as { data: string }).data;
  expect(ip).toMatch(/^10\.96\./);
  // Again, from the cache: the same answer with this query's ID.
  const again = await askUdp(0x7777, name);
  expect(again).toMatchObject({ id: 0x7777, rcode: 'NOERROR', flag_aa: true, questions: [{ name, type: 'A' }], answers: [expect.objectContaining({ data: ip, ttl: 5 })] });
  expect(await askTcp(9, name)).toMatchObject({ id: 9, answers: [expect.objectContaining({ data: ip })] });

  await client.delete(SERVICES, 'default', 'db');
  const gone = await until('db is NXDOMAIN', async () => {
    const r = await askUdp(2, name);
    return r.rcode === 'NXDOMAIN' ? r : undefined;
  });
  expect(gone.answers).toEqual([]);
});
