import * as dnsPacket from 'dns-packet';
import { computeAnswer } from './answer.ts';
import { DnsIndex } from './records.ts';

const index = DnsIndex.build(
  [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'pg', port: 5432 }] } }],
  [],
);
const ask = (name: string, type: dnsPacket.RecordType) => {
  const wire = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  const res = computeAnswer(dnsPacket.decode(wire), index);
  return res && dnsPacket.decode(dnsPacket.encode(res));
};

describe('DNS answers on the wire', () => {
  test('an A record, authoritative, with the query id and TTL 5', () => {
    const r = ask('db.default.svc.cluster.local', 'A')!;
    expect(r).toMatchObject({ id: 7, rcode: 'NOERROR', flag_aa: true, flag_rd: true, flag_ra: true });
    expect(r.answers).toEqual([expect.objectContaining({ type: 'A', name: 'db.default.svc.cluster.local', ttl: 5, data: '10.96.0.20' })]);
  });

  test('SRV carries the target address in the additional section', () => {
    const r = ask('_pg._tcp.db.default.svc.cluster.local', 'SRV')!;
    expect(r.answers?.[0]).toMatchObject({ type: 'SRV', data: { port: 5432, target: 'db.default.svc.cluster.local' } });
    expect(r.additionals).toEqual([expect.objectContaining({ type: 'A', data: '10.96.0.20' })]);
  });

  test('NXDOMAIN and NODATA carry the zone SOA; names outside the zone are not answered here', () => {
    const nx = ask('nope.default.svc.cluster.local', 'A')!;
    expect(nx).toMatchObject({ rcode: 'NXDOMAIN', answers: [] });
    expect(nx.authorities?.[0]).toMatchObject({ type: 'SOA', name: 'cluster.local' });
    const nodata = ask('db.default.svc.cluster.local', 'AAAA')!;
    expect(nodata).toMatchObject({ rcode: 'NOERROR', answers: [] });
    expect(nodata.authorities?.[0]).toMatchObject({ type: 'SOA' });
    expect(ask('example.org', 'A')).toBeUndefined();
  });
});
