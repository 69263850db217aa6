// IPv4 addresses and CIDRs as 32-bit numbers: the one implementation the node-IPAM controller,
// the ClusterIP allocator and the agent's network code share.

export interface IPv4CIDR {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function ipv4ToInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function intToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** Parses `a.b.c.d/p`; the address is masked to the network (10.244.3.7/16 -> 10.244.0.0/16). */
export function parseIPv4CIDR(cidr: string): IPv4CIDR | undefined {
  const [ip, p, ...rest] = cidr.split('/');
  if (rest.length || p === undefined || !/^\d{1,2}$/.test(p)) return undefined;
  const prefix = Number(p);
  const n = ipv4ToInt(ip);
  if (n === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: n - (n % size), prefix, size };
}

export const formatIPv4CIDR = (c: IPv4CIDR) => `${intToIPv4(c.base)}/${c.prefix}`;

export function cidrContains(c: IPv4CIDR, ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size;
}

/** The `index`-th address of the block (0 = network address). */
export const cidrAddress = (c: IPv4CIDR, index: number) => intToIPv4(c.base + index);
