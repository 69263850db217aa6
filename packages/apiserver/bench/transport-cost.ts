// HTTPS with a client certificate against plain HTTP, part of bench:apiserver (alone: --only tls):
// one skiff server, driven on its plain-HTTP loopback port (--insecure-port) and over HTTPS with
// the admin client certificate, creates and then GETs of one pod.
//
// The two transports are measured in alternating rounds whose order flips each round (plain then
// HTTPS, HTTPS then plain, ...), and the ratio reported is the median of the rounds'. Measuring
// one transport's run after the other's is not fair: a run of creates leaves the server work to
// finish after it (its WAL checkpoint, the revision log's compaction, the collection of a grown
// heap), which lands on whichever run comes next. Measured back to back, HTTPS GETs straight after a
// run of HTTPS creates came out at 0.52x of plain GETs that had a run against another server in
// between; after 10 s of creates, HTTPS GETs measured first gave 0.77x, measured second 0.93x. Each kind also gets an unmeasured
// warm-up on both transports first, and the server's own CPU per request is printed beside the
// rates, the figure that stays meaningful when the benchmark's client and other work share the cores.
// The helpers are apiserver.ts's, passed in.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import { cpuMs } from './proc-cpu.ts';

interface Server { url: string; proc: ChildProcess; dir: string; secureUrl?: string }

export interface TransportCostDeps {
  load(opts: autocannon.Options): Promise<autocannon.Result>;
  warm(opts: autocannon.Options): Promise<unknown>;
  send(url: string, method: string, body?: string): Promise<{ status: number; text: string }>;
  podBody: string;
  roundSeconds: number;
}

const ROUNDS = 5; // odd, so the median is a measured round

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface TransportFigures { plain: number; https: number; ratio: number; rounds: number[]; cpuPlainUs: number; cpuHttpsUs: number; p99Https: number }

export async function transportCost(d: TransportCostDeps, s: Server): Promise<{ create: TransportFigures; get: TransportFigures }> {
  const tlsOptions = { cert: readFileSync(join(s.dir, 'pki', 'admin.crt')), key: readFileSync(join(s.dir, 'pki', 'admin.key')) };
  const one = await d.send(`${s.url}/api/v1/namespaces/default/pods`, 'POST', d.podBody.replace('"generateName":"bench-"', '"name":"bench-get-tls"'));
  if (one.status !== 201) throw new Error(`create bench-get-tls: ${one.status} ${one.text}`);
  const targets = (k: 'create' | 'get'): autocannon.Options[] => {
    const path = k === 'create' ? '/api/v1/namespaces/default/pods' : '/api/v1/namespaces/default/pods/bench-get-tls';
    const req = k === 'create' ? { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: d.podBody } : {};
    return [
      { url: `${s.url}${path}`, ...req, duration: d.roundSeconds },
      { url: `${s.secureUrl}${path}`, ...req, tlsOptions, duration: d.roundSeconds },
    ];
  };
  const measure = async (k: 'create' | 'get'): Promise<TransportFigures> => {
    const t = targets(k);
    for (const o of t) await d.warm({ ...o, duration: 2 });
    const rates: number[][] = [[], []];
    const cpu = [0, 0];
    const count = [0, 0];
    let p99Https = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const before = cpuMs(s.proc.pid!);
        const res = await d.load(t[i]);
        cpu[i] += cpuMs(s.proc.pid!) - before;
        count[i] += res.requests.total;
        rates[i].push(res.requests.average);
        if (i === 1) p99Https = res.latency.p99;
      }
    }
    const rounds = rates[1].map((v, i) => v / rates[0][i]);
    return {
      plain: median(rates[0]),
      https: median(rates[1]),
      ratio: median(rounds),
      rounds,
      cpuPlainUs: (cpu[0] * 1000) / count[0],
      cpuHttpsUs: (cpu[1] * 1000) / count[1],
      p99Https,
    };
  };
  const create = await measure('create');
  const get = await measure('get');
  const fmt = (n: number) => n.toFixed(0).padStart(7);
  console.log(`\nHTTPS + admin client certificate against plain HTTP, one server, ${ROUNDS} rounds of ${d.roundSeconds} s alternating (order flips each round)`);
  console.log('                    plain HTTP (median)   HTTPS (median)   ratio, median of rounds (aim >= 0.85x)   p99 HTTPS');
  for (const [label, f] of [['creates/s', create], ['GETs/s', get]] as const) {
    console.log(`${label.padEnd(20)}${fmt(f.plain)}               ${fmt(f.https)}          ${f.ratio.toFixed(2)}x (${f.rounds.map((x) => x.toFixed(2)).join(', ')})              ${f.p99Https.toFixed(2)} ms`);
  }
  console.log('server CPU per request  plain HTTP      HTTPS       ratio plain/HTTPS');
  for (const [label, f] of [['create', create], ['GET', get]] as const) {
    console.log(`${label.padEnd(24)}${f.cpuPlainUs.toFixed(0).padStart(5)} µs      ${f.cpuHttpsUs.toFixed(0).padStart(5)} µs    ${(f.cpuPlainUs / f.cpuHttpsUs).toFixed(2)}x`);
  }
  return { create, get };
}
