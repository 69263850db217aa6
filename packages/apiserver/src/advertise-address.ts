// The address an API server advertises in the `kubernetes` Endpoints (kube-apiserver's
// --advertise-address): the one pods and other cluster members reach it at.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Why `address` cannot be advertised, or undefined when it can. Kubernetes' Endpoints validation
 * refuses the same: pods cannot reach a loopback, link-local or unspecified address of the server.
 */
export function advertiseAddressProblem(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const a = address.toLowerCase();
  if (family === 4 && (/^127\./.test(a) || a === '0.0.0.0' || /^169\.254\./.test(a))) return `${address} is loopback, link-local or unspecified: pods cannot reach it`;
  if (family === 6 && (a === '::1' || a === '::' || a.startsWith('fe80:'))) return `${address} is loopback, link-local or unspecified: pods cannot reach it`;
  return undefined;
}

/**
 * kube-apiserver's default when it binds every address: the first IPv4 address of the interface
 * that holds the default route (ChooseHostInterface). Undefined when there is none.
 */
export function defaultRouteAddress(routes = readRoutes()): string | undefined {
  const line = routes.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).find((f) => f[1] === '00000000' && f[7] === '00000000');
  const iface = line?.[0];
  return iface ? networkInterfaces()[iface]?.find((i) => i.family === 'IPv4' && !i.internal)?.address : undefined;
}

function readRoutes(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}
