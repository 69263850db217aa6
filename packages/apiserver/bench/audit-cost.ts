// The audit log's cost, part of bench:apiserver: two skiff servers side by side in one run, one
// without an audit log and one with `--audit-log-path` (Metadata level, every request), both
// driven over HTTPS with the admin client certificate: creates/s and GETs/s, and the ratio.
// The helpers are apiserver.ts's (process start, autocannon load), passed in.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { cpuMs } from './proc-cpu.ts';

interface Server { url: string; proc: ChildProcess; dir: string; secureUrl?: string }

export interface AuditCostDeps {
  start(args: string[]): Promise<Server>;
  stop(s: Server): void;
  load(opts: autocannon.Options): Promise<autocannon.Result>;
  warm(opts: autocannon.Options): Promise<unknown>;
  send(url: string, method: string, body?: string): Promise<{ status: number; text: string }>;
  cli: string;
  podBody: string;
  roundSeconds: number;
}

const ROUNDS = 5;


export async function auditCost(d: AuditCostDeps): Promise<void> {
  const off = await d.start([d.cli, 'server']);
  // The log goes beside the server's data (its own temporary directory).
  const on = await d.start([d.cli, 'server', '--audit-log-path', 'AUDIT_IN_DATA_DIR']);
  try {
    // Rounds alternate between the two servers so that load from elsewhere on the machine falls
    // on both alike; the ratio reported is the median of the rounds'.
    const servers = [off, on];
    const targets = servers.map((s) => {
      const tlsOptions = { cert: readFileSync(join(s.dir, 'pki', 'admin.crt')), key: readFileSync(join(s.dir, 'pki', 'admin.key')) };
      return {
        create: { url: `${s.secureUrl}/api/v1/namespaces/default/pods`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: d.podBody, tlsOptions, duration: d.roundSeconds },
        get: { url: `${s.secureUrl}/api/v1/namespaces/default/pods/bench-get`, tlsOptions, duration: d.roundSeconds },
      };
    });
    for (const [i, s] of [off, on].entries()) {
      await d.warm({ ...targets[i].create, duration: 2 });
      const one = await d.send(`${s.url}/api/v1/namespaces/default/pods`, 'POST', d.podBody.replace('"generateName":"bench-"', '"name":"bench-get"'));
      if (one.status !== 201) throw new Error(`create bench-get: ${one.status} ${one.text}`);
    }
    const fmt = (n: number) => n.toFixed(0).padStart(7);
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`\naudit log cost: HTTPS with the admin certificate, ${ROUNDS} alternating rounds of ${d.roundSeconds} s each`);
    console.log('                    no audit (median)   audit log, Metadata (median)   ratio (median of rounds)   p99 audit (last)');
    const cpuLines: string[] = [];
    for (const k of ['create', 'get'] as const) {
      const off: number[] = [];
      const on: number[] = [];
      // The servers' own CPU time per request: what the audit log costs, whatever else the machine runs.
      const cpu = [0, 0];
      const count = [0, 0];
      let last: autocannon.Result | undefined;
      for (let r = 0; r < ROUNDS; r++) {
        for (const i of [0, 1]) {
          const before = cpuMs(servers[i].proc.pid!);
          const res = await d.load(targets[i][k]);
          cpu[i] += cpuMs(servers[i].proc.pid!) - before;
          count[i] += res.requests.total;
          (i === 0 ? off : on).push(res.requests.average);
          last = res;
        }
      }
      const ratios = on.map((v, i) => v / off[i]);
      const label = k === 'create' ? 'creates/s' : 'GETs/s';
      console.log(`${label.padEnd(20)}${fmt(median(off))}              ${fmt(median(on))}                      ${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(', ')})   ${ms(last!.latency.p99)}`);
      const per = cpu.map((c, i) => (c * 1000) / count[i]);
      cpuLines.push(`${(k === 'create' ? 'create' : 'GET').padEnd(20)}${per[0].toFixed(0).padStart(7)} µs           ${per[1].toFixed(0).padStart(7)} µs                    +${(per[1] - per[0]).toFixed(0)} µs (${((per[1] / per[0] - 1) * 100).toFixed(0)}%)`);
    }
    console.log('server CPU per request  no audit          audit log                  cost of the audit event');
    for (const l of cpuLines) console.log(l);
    console.log(`audit log written: ${(statSync(join(on.dir, 'audit.log')).size / 1e6).toFixed(1)} MB`);
  } finally {
    d.stop(off);
    d.stop(on);
  }
}
