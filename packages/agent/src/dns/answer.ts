// Pure: a DNS response (wire format, through dns-packet) to one query for the cluster's zone.
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { TTL, type DnsIndex } from './records.ts';

const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;
const NOTIMP = 4;

/** The zone's SOA, in the authority section of NXDOMAIN and NODATA answers (CoreDNS's shape). */
function soa(zone: string): Answer {
  return { type: 'SOA', name: zone, ttl: TTL, data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL } } as Answer;
}

/** The response to `query` from `index`; undefined when the question is outside the zone. */
export function computeAnswer(query: DecodedPacket, index: DnsIndex): Packet | undefined {
  const q = query.questions?.[0];
  const base = { type: 'response' as const, id: query.id, questions: query.questions };
  const rd = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
  if (!q) return { ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | NOTIMP };
  if (!index.inZone(q.name)) return undefined;
  if ((q.class ?? 'IN') !== 'IN') return { ...base, flags: rd | dnsPacket.RECURSION_AVAILABLE | NOTIMP };
  const found = index.lookup(q.name, q.type);
  const answers: Answer[] = found.records.map((r) => {
    switch (r.data.type) {
      case 'A':
        return { type: 'A', name: q.name, ttl: TTL, data: r.data.address } as Answer;
      case 'CNAME':
        return { type: 'CNAME', name: q.name, ttl: TTL, data: r.data.target } as Answer;
      case 'SRV':
        return { type: 'SRV', name: q.name, ttl: TTL, data: { target: r.data.target, port: r.data.port, priority: r.data.priority, weight: r.data.weight } } as Answer;
    }
  });
  // SRV answers carry the targets' addresses, as CoreDNS adds them.
  const additionals: Answer[] = [];
  for (const a of found.records) {
    if (a.data.type !== 'SRV') continue;
    for (const t of index.lookup(a.data.target, 'A').records) if (t.data.type === 'A') additionals.push({ type: 'A', name: a.data.target, ttl: TTL, data: t.data.address } as Answer);
  }
  const rcode = found.rcode === 'NXDOMAIN' ? NXDOMAIN : NOERROR;
  return {
    ...base,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | rd | dnsPacket.RECURSION_AVAILABLE | rcode,
    answers,
    additionals,
    authorities: answers.length ? [] : [soa(index.zone)],
  };
}

/** SERVFAIL for `query` (upstream unreachable, malformed upstream answer). */
export function servfail(query: DecodedPacket): Packet {
  return { type: 'response', id: query.id, questions: query.questions, flags: (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | SERVFAIL };
}
