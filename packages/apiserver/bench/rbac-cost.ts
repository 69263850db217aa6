// Authorization's cost, part of bench:apiserver (alone: --only rbac): one skiff server, driven over
// HTTPS as the admin (system:masters: allowed without a lookup) and as a user RBAC authorizes
// (`edit` through a RoleBinding in default) while 1,000 RoleBindings and 200 ClusterRoleBindings
// of other users sit in the store (the lookup goes by subject, ADR 0018). Rounds alternate between
// the two users so that load from elsewhere on the machine falls on both alike; the ratio reported
// is the median of the rounds'. The helpers are apiserver.ts's, passed in.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { issueCertificate, loadCertificateAuthority } from '../src/auth/pki.ts';

interface Server { url: string; proc: ChildProcess; dir: string; secureUrl?: string }

export interface RbacCostDeps {
  start(args: string[]): Promise<Server>;
  stop(s: Server): void;
  load(opts: autocannon.Options): Promise<autocannon.Result>;
  send(url: string, method: string, body?: string): Promise<{ status: number; text: string }>;
  cli: string;
  podBody: string;
  roundSeconds: number;
}

const ROUNDS = 4;
const RBAC = 'rbac.authorization.k8s.io';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, role: string, user: string): string {
  return JSON.stringify({ apiVersion: `${RBAC}/v1`, kind, metadata: { name }, roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: RBAC, kind: 'User', name: user }] });
}

export async function rbacCost(d: RbacCostDeps): Promise<void> {
  const s = await d.start([d.cli, 'server']);
  try {
    for (let i = 0; i < 1000; i++) await d.send(`${s.url}/apis/${RBAC}/v1/namespaces/default/rolebindings`, 'POST', binding('RoleBinding', `other-${i}`, 'edit', `other-${i}`));
    for (let i = 0; i < 200; i++) await d.send(`${s.url}/apis/${RBAC}/v1/clusterrolebindings`, 'POST', binding('ClusterRoleBinding', `other-${i}`, 'view', `other-${i}`));
    const bound = await d.send(`${s.url}/apis/${RBAC}/v1/namespaces/default/rolebindings`, 'POST', binding('RoleBinding', 'bench-user', 'edit', 'bench-user'));
    if (bound.status !== 201) throw new Error(`bind bench-user: ${bound.status} ${bound.text}`);
    const one = await d.send(`${s.url}/api/v1/namespaces/default/pods`, 'POST', d.podBody.replace('"generateName":"bench-"', '"name":"bench-get"'));
    if (one.status !== 201) throw new Error(`create bench-get: ${one.status} ${one.text}`);
    const user = await issueCertificate(loadCertificateAuthority(join(s.dir, 'pki')), { commonName: 'bench-user', usage: 'client' });
    const users = [
      { cert: readFileSync(join(s.dir, 'pki', 'admin.crt'), 'utf8'), key: readFileSync(join(s.dir, 'pki', 'admin.key'), 'utf8') },
      { cert: user.cert, key: user.key },
    ];
    const creates: number[][] = [[], []];
    const gets: number[][] = [[], []];
    const p99: number[][] = [[], []];
    for (let round = 0; round < ROUNDS; round++) {
      for (const u of [0, 1]) {
        const c = await d.load({ url: `${s.secureUrl}/api/v1/namespaces/default/pods`, method: 'POST', headers: { 'content-type': 'application/json' }, body: d.podBody, tlsOptions: users[u], duration: d.roundSeconds });
        creates[u].push(c.requests.average);
        const g = await d.load({ url: `${s.secureUrl}/api/v1/namespaces/default/pods/bench-get`, tlsOptions: users[u], duration: d.roundSeconds });
        gets[u].push(g.requests.average);
        p99[u].push(g.latency.p99);
      }
    }
    const ratios = (xs: number[][]) => xs[1].map((v, i) => v / xs[0][i]);
    const fmt = (n: number) => n.toFixed(0).padStart(7);
    console.log(`\nauthorization cost: HTTPS, ${ROUNDS} alternating rounds of ${d.roundSeconds} s each; 1,200 bindings of other users in the store`);
    console.log('                    admin, system:masters (median)   RBAC user, edit (median)   ratio (median of rounds)');
    console.log(`creates/s           ${fmt(median(creates[0]))}                          ${fmt(median(creates[1]))}                  ${median(ratios(creates)).toFixed(2)}x (${ratios(creates).map((r) => r.toFixed(2)).join(', ')})`);
    console.log(`GETs/s              ${fmt(median(gets[0]))}                          ${fmt(median(gets[1]))}                  ${median(ratios(gets)).toFixed(2)}x (${ratios(gets).map((r) => r.toFixed(2)).join(', ')})`);
    console.log(`GET p99             ${median(p99[0]).toFixed(2)} ms                         ${median(p99[1]).toFixed(2)} ms`);
  } finally {
    d.stop(s);
  }
}
