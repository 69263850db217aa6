import * as dnsPacket from 'dns-packet';
import { AnswerCache } from './answer-cache.ts';

const query = (id: number, name: string) => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] });
const response = (id: number, name: string, address: string) =>
  dnsPacket.encode({ type: 'response', id, flags: dnsPacket.AUTHORITATIVE_ANSWER, questions: [{ type: 'A', name }], answers: [{ type: 'A', name, ttl: 5, data: address }] });

test('a repeated query gets the cached response with its own ID; another spelling or question misses', () => {
  const cache = new AnswerCache();
  cache.set(query(1, 'db.default.svc.cluster.local'), response(1, 'db.default.svc.cluster.local', '10.96.0.20'));
  const hit = cache.get(query(0xbeef, 'db.default.svc.cluster.local'))!;
  expect(dnsPacket.decode(hit)).toMatchObject({ id: 0xbeef, answers: [expect.objectContaining({ data: '10.96.0.20' })] });
  // The cached bytes are not handed out: a reply changed by its sender leaves the cache as it was.
  hit.fill(0);
  expect(dnsPacket.decode(cache.get(query(2, 'db.default.svc.cluster.local'))!)).toMatchObject({ id: 2 });
  expect(cache.get(query(3, 'DB.default.svc.cluster.local'))).toBeUndefined();
  expect(cache.get(query(3, 'web.default.svc.cluster.local'))).toBeUndefined();
  expect(cache.get(Buffer.from([1, 2, 3]))).toBeUndefined();
});

test('bounded: past max entries the oldest is dropped; clear() empties it', () => {
  const cache = new AnswerCache(2);
  for (const n of ['a', 'b', 'c']) cache.set(query(1, `${n}.default.svc.cluster.local`), response(1, `${n}.default.svc.cluster.local`, '10.96.0.1'));
  expect(cache.size).toBe(2);
  expect(cache.get(query(1, 'a.default.svc.cluster.local'))).toBeUndefined();
  expect(cache.get(query(1, 'c.default.svc.cluster.local'))).toBeDefined();
  cache.clear();
  expect(cache.get(query(1, 'c.default.svc.cluster.local'))).toBeUndefined();
});
