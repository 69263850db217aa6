// The Service environment variables the kubelet gives every container (getServiceEnvVarMap and
// envvars.FromServices): for the `kubernetes` Service in `default` always, and for each Service of
// the pod's namespace when spec.enableServiceLinks is not false (Docker-link style):
//   WEB_SERVICE_HOST=10.96.0.10  WEB_SERVICE_PORT=80  WEB_SERVICE_PORT_HTTP=80
//   WEB_PORT=tcp://10.96.0.10:80  WEB_PORT_80_TCP=tcp://10.96.0.10:80
//   WEB_PORT_80_TCP_PROTO=tcp  WEB_PORT_80_TCP_PORT=80  WEB_PORT_80_TCP_ADDR=10.96.0.10
// Services without a ClusterIP (headless, ExternalName) give none.
import type { KubeObject } from '@skiff/api';

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
}

/** Kubernetes' "master services": their variables reach pods of every namespace. */
const MASTER_SERVICES = new Set(['kubernetes']);

const envName = (s: string) => s.toUpperCase().replaceAll('-', '_');

function hasClusterIP(s: KubeObject): boolean {
  const ip = s.spec?.clusterIP;
  return typeof ip === 'string' && ip !== '' && ip !== 'None';
}

/** The variables of one Service (FromServices), in Kubernetes' order. */
export function serviceVariables(service: KubeObject): [string, string][] {
  const ip: string = service.spec?.clusterIP;
  const ports = (service.spec?.ports ?? []) as ServicePort[];
  if (!hasClusterIP(service) || ports.length === 0) return [];
  const prefix = envName(service.metadata.name ?? '');
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip], [`${prefix}_SERVICE_PORT`, String(ports[0].port)]];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const hostPort = (port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${hostPort(p.port)}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([pp, url], [`${pp}_PROTO`, proto], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
  });
  return out;
}

/**
 * The Service variables of a pod in `namespace`. `default`'s `kubernetes` always; the namespace's
 * own Services only with service links on (a Service of the pod's namespace named `kubernetes`
 * then takes the name's place, as in the kubelet).
 */
export function computeServiceEnv(services: readonly KubeObject[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, KubeObject>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const name = s.metadata.name ?? '';
    if (s.metadata.namespace === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata.namespace === namespace && enableServiceLinks) chosen.set(name, s);
  }
  const out = new Map<string, string>();
  for (const name of [...chosen.keys()].sort()) for (const [k, v] of serviceVariables(chosen.get(name)!)) out.set(k, v);
  return out;
}
