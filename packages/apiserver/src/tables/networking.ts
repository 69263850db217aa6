// Ingresses (printers.go printIngress), with the columns of Kubernetes 1.32.
import { ageSince } from './duration.ts';
import { AGE_COLUMN, NAME_COLUMN, column } from './types.ts';
import type { Printer } from './types.ts';

/** Up to four hosts, then "+ N more..."; "*" when no rule names one (formatHosts). */
function formatHosts(rules: { host?: string }[]): string {
  const max = 4;
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

/** The load balancer's addresses, cut to 16 characters (ingressLoadBalancerStatusStringer, not wide). */
function formatAddress(ingress: { ip?: string; hostname?: string }[]): string {
  const text = ingress.flatMap((i) => [i.ip, i.hostname].filter((x): x is string => !!x)).join(',');
  return text.length > 16 ? `${text.slice(0, 16)}...` : text;
}

export const ingressPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells: (ing, now) => [
    ing.metadata.name ?? '',
    typeof ing.spec?.ingressClassName === 'string' ? ing.spec.ingressClassName : '<none>',
    formatHosts(ing.spec?.rules ?? []),
    formatAddress(ing.status?.loadBalancer?.ingress ?? []),
    (ing.spec?.tls ?? []).length ? '80, 443' : '80',
    ageSince(ing.metadata.creationTimestamp, now),
  ],
};
