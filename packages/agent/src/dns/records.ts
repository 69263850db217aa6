// Pure: the cluster's DNS records from Services and their EndpointSlices, and the answer to one question, as
// CoreDNS's kubernetes plugin gives them:
//   SVC.NS.svc.ZONE                 A     the ClusterIP, or every ready endpoint of a headless Service
//   _PORT._PROTO.SVC.NS.svc.ZONE    SRV   per named port: the Service name, or each endpoint's name
//   HOST.SVC.NS.svc.ZONE            A     an endpoint with a hostname (a pod with hostname+subdomain)
//   A-B-C-D.SVC.NS.svc.ZONE         A     every endpoint of a headless Service, by its dashed address
//   SVC.NS.svc.ZONE (ExternalName)  CNAME the external name
// A name that exists with no record of the asked type is NODATA (NOERROR, no answers); a name in
// the zone that does not exist, NXDOMAIN; both with the zone's SOA, as CoreDNS answers them.
import { groupSlicesByService, type KubeObject } from '@skiff/api';

export const DEFAULT_ZONE = 'cluster.local';
/** CoreDNS's kubernetes plugin answers with a TTL of 5 seconds by default. */
export const TTL = 5;

export type RecordData =
  | { type: 'A'; address: string }
  | { type: 'SRV'; target: string; port: number; priority: number; weight: number }
  | { type: 'CNAME'; target: string };

export interface DnsAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  records: { name: string; data: RecordData }[];
}

interface SliceEndpoint {
  addresses?: string[];
  hostname?: string;
  conditions?: { ready?: boolean };
}
interface Slice {
  endpoints?: SliceEndpoint[];
  ports?: { name?: string; port?: number | null; protocol?: string }[];
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');
const dashed = (ip: string) => ip.replace(/\./g, '-');

export class DnsIndex {
  readonly zone: string;
  /** name -> records at that name. */
  private readonly records = new Map<string, RecordData[]>();
  /** Names that exist without records of their own (e.g. NS.svc.ZONE): NODATA, not NXDOMAIN. */
  private readonly nonTerminals = new Set<string>();

  constructor(zone = DEFAULT_ZONE) {
    this.zone = norm(zone);
  }

  /** True when `name` is in the cluster's zone (otherwise it is forwarded upstream). */
  inZone(name: string): boolean {
    const n = norm(name);
    return n === this.zone || n.endsWith(`.${this.zone}`);
  }

  lookup(name: string, type: string): DnsAnswer {
    const n = norm(name);
    const here = this.records.get(n);
    if (!here) return { rcode: this.nonTerminals.has(n) || n === this.zone ? 'NOERROR' : 'NXDOMAIN', records: [] };
    const cname = here.find((r) => r.type === 'CNAME');
    if (cname && type !== 'CNAME') return { rcode: 'NOERROR', records: [{ name: n, data: cname }] };
    const matching = here.filter((r) => r.type === type || type === 'ANY');
    return { rcode: 'NOERROR', records: matching.map((data) => ({ name: n, data })) };
  }

  private add(name: string, data: RecordData): void {
    const n = norm(name);
    const list = this.records.get(n) ?? [];
    list.push(data);
    this.records.set(n, list);
    // Every ancestor inside the zone exists.
    let parent = n;
    while (parent.includes('.') && parent !== this.zone) {
      parent = parent.slice(parent.indexOf('.') + 1);
      if (parent.length >= this.zone.length) this.nonTerminals.add(parent);
    }
  }

  /** Builds the index from every Service and EndpointSlice. */
  static build(services: readonly KubeObject[], endpointSlices: readonly KubeObject[], zone = DEFAULT_ZONE): DnsIndex {
    const index = new DnsIndex(zone);
    const slicesOf = groupSlicesByService(endpointSlices);
    for (const svc of services) {
      const ns = svc.metadata.namespace!;
      const base = `${svc.metadata.name}.${ns}.svc.${index.zone}`;
      const spec = svc.spec ?? {};
      index.nonTerminals.add(`${ns}.svc.${index.zone}`);
      if (spec.type === 'ExternalName') {
        if (spec.externalName) index.add(base, { type: 'CNAME', target: norm(spec.externalName) });
        continue;
      }
      const headless = !spec.clusterIP || spec.clusterIP === 'None';
      const slices = (slicesOf.get(`${ns}/${svc.metadata.name}`) ?? []) as unknown as Slice[];
      if (!headless) {
        index.add(base, { type: 'A', address: spec.clusterIP });
        for (const p of (spec.ports ?? []) as { name?: string; port: number; protocol?: string }[]) {
          if (p.name) index.add(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, { type: 'SRV', target: base, port: p.port, priority: 0, weight: 100 });
        }
        continue;
      }
      // Headless: the ready endpoints themselves (a missing `ready` means ready).
      const seen = new Set<string>();
      for (const sl of slices) {
        for (const e of sl.endpoints ?? []) {
          if (e.conditions?.ready === false) continue;
          for (const ip of e.addresses ?? []) {
            const host = `${e.hostname ?? dashed(ip)}.${base}`;
            if (!seen.has(ip)) {
              seen.add(ip);
              index.add(base, { type: 'A', address: ip });
            }
            index.add(host, { type: 'A', address: ip });
            for (const p of sl.ports ?? []) {
              if (p.name && typeof p.port === 'number') index.add(`_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`, { type: 'SRV', target: host, port: p.port, priority: 0, weight: 100 });
            }
          }
        }
      }
      // A headless Service without ready endpoints still exists: NODATA, not NXDOMAIN.
      if (seen.size === 0) index.nonTerminals.add(base);
    }
    return index;
  }
}
