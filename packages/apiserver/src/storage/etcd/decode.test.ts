// ./decode.ts must hand out exactly what etcd3's own decoder does: every answer of a real etcd
// on the paths it decodes goes through both here, and the two objects must be equal.
import { Etcd3 } from 'etcd3';
import type { IWatchResponse } from 'etcd3';
import { startEtcdCluster } from '../../testing/etcd-cluster.ts';
import type { EtcdCluster } from '../../testing/etcd-cluster.ts';
import { until } from '../../testing/until.ts';
import { fastDecoder } from './decode.ts';

let cluster: EtcdCluster;
beforeAll(async () => {
  cluster = await startEtcdCluster(1);
}, 30_000);
afterAll(() => cluster.stop());

interface Props {
  methodDefinition: { path: string; responseDeserialize: (buf: Buffer) => unknown };
}

test('Range, Txn and Watch answers decode to what etcd3 decodes, 64-bit fields included', async () => {
  const compared = new Map<string, number>();
  const mismatches: string[] = [];
  // Decodes every answer both ways, checks they agree, and hands on etcd3's.
  const both = (props: Props): Props => {
    const ours = fastDecoder(props.methodDefinition.path);
    if (!ours) return props;
    const theirs = props.methodDefinition.responseDeserialize;
    const path = props.methodDefinition.path;
    const responseDeserialize = (buf: Buffer) => {
      const a = theirs(buf);
      try {
        expect(ours(buf)).toEqual(a);
        compared.set(path, (compared.get(path) ?? 0) + 1);
      } catch (e) {
        mismatches.push(`${path}: ${(e as Error).message}`);
      }
      return a;
    };
    return { ...props, methodDefinition: { ...props.methodDefinition, responseDeserialize } };
  };
  const client = new Etcd3({ hosts: cluster.hosts.map((h) => `http://${h}`), grpcOptions: { callInvocationTransformer: both } });
  try {
    const events: IWatchResponse[] = [];
    const stream = await client.watchClient.watch();
    stream.on('data', (r: IWatchResponse) => events.push(r));
    stream.write({ create_request: { key: Buffer.from('/d/'), range_end: Buffer.from('/d0'), prev_kv: true, progress_notify: true } });
    await until('the watch created', () => events.some((e) => e.created));

    for (let i = 0; i < 5; i++) await client.put(`/d/k${i}`).value(`{"i":${i},"s":"é ✓"}`);
    await client.put('/d/k0').value('changed'); // a second version, a lease-less modify
    await client.kv.range({ key: Buffer.from('/d/'), range_end: Buffer.from('/d0') });
    await client.kv.range({ key: Buffer.from('/d/'), range_end: Buffer.from('/d0'), limit: 2 });
    await client.kv.range({ key: Buffer.from('/d/'), range_end: Buffer.from('/d0'), count_only: true });
    await client.kv.range({ key: Buffer.from('/none') });
    const key = Buffer.from('/d/k1');
    const created = { compare: [{ key, target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }], success: [{ request_put: { key, value: Buffer.from('x') } }], failure: [{ request_range: { key } }] };
    expect((await client.kv.txn(created)).succeeded).toBe(false); // failed: the range answer inside
    const fresh = Buffer.from('/d/k9');
    expect((await client.kv.txn({ ...created, compare: [{ ...created.compare[0], key: fresh }], success: [{ request_put: { key: fresh, value: Buffer.from('y') } }] })).succeeded).toBe(true);
    await client.delete().key('/d/k2');
    stream.write({ progress_request: {} });
    await until('every event and a progress notification', () => events.flatMap((e) => e.events).length === 8 && events.some((e) => !e.created && e.events.length === 0));
    stream.cancel();

    expect(mismatches).toEqual([]);
    expect(compared.get('/etcdserverpb.KV/Range')).toBe(4);
    expect(compared.get('/etcdserverpb.KV/Txn')).toBe(2);
    expect(compared.get('/etcdserverpb.Watch/Watch')).toBeGreaterThanOrEqual(events.length);
    // The headers carry etcd's random 64-bit member and cluster IDs: the slow path was taken too.
    const header = events[0].header;
    expect(BigInt(header.member_id)).toBeGreaterThan(0n);
    expect(typeof header.revision).toBe('string');
  } finally {
    client.close();
  }
});
