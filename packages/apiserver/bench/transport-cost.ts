// HTTPS with a client certificate against plain HTTP, part of bench:apiserver (alone: --only tls):
// one skiff server, driven on its plain-HTTP loopback port (--insecure-port) and over HTTPS with
// the admin client certificate, creates and then GETs of one pod.
//
// The two transports are measured in alternating rounds whose order flips each round (plain then
// HTTPS, HTTPS then plain, ...; an even number, so each goes first as often), each run starting
// from a settled server (its CPU idle), and the ratio reported is that of the mean rates over all
// rounds. Measuring one transport's run after the other's is not fair: a run of creates leaves the
// server work to finish after it (its WAL checkpoint, which cannot reset a WAL written to without
// pause, the revision log's compaction, the collection of a grown heap), and that work lands on
// whichever run comes next. Measured back to back, HTTPS GETs straight after a run of HTTPS
// creates came out at 0.52x of plain GETs that had a run against another server in between;
// after 10 s of creates, HTTPS GETs measured first gave 0.77x, measured second 0.93x; and creates
// alternating without the settling gave per-round ratios of 0.60-0.90 when HTTPS went second and
// 0.75-1.02 when it went first. Each kind also gets an unmeasured warm-up on both transports
// first, and the server's own CPU per request is printed beside the rates, the figure that stays
// meaningful when the benchmark's client and other work share the cores.
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

const ROUNDS = 6; // even: each transport goes first as often

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Waits until the server's process has been idle (under 5% of a core) for 300 ms; at most 60 s. */
async function settled(pid: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  let idleSince = Date.now();
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = cpuMs(pid);
    if (now - last > 5) idleSince = Date.now();
    last = now;
    if (Date.now() - idleSince >= 300) return;
  }
  throw new Error(`the server (pid ${pid}) did not settle within 60 s`);
}

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
        await settled(s.proc.pid!);
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
      plain: mean(rates[0]),
      https: mean(rates[1]),
      ratio: mean(rates[1]) / mean(rates[0]),
      rounds,
      cpuPlainUs: (cpu[0] * 1000) / count[0],
      cpuHttpsUs: (cpu[1] * 1000) / count[1],
      p99Https,
    };
  };
  const create = await measure('create');
  const get = await measure('get');
  const fmt = (n: number) => n.toFixed(0).padStart(7);
  console.log(`\nHTTPS + admin client certificate against plain HTTP, one server, ${ROUNDS} rounds of ${d.roundSeconds} s alternating (order flips each round; each run from a settled server)`);
  console.log('                    plain HTTP (mean)     HTTPS (mean)     ratio of the means (aim >= 0.85x), rounds   p99 HTTPS');
  for (const [label, f] of [['creates/s', create], ['GETs/s', get]] as const) {
    console.log(`${label.padEnd(20)}${fmt(f.plain)}               ${fmt(f.https)}          ${f.ratio.toFixed(2)}x (${f.rounds.map((x) => x.toFixed(2)).join(', ')})              ${f.p99Https.toFixed(2)} ms`);
  }
  console.log('server CPU per request  plain HTTP      HTTPS       ratio plain/HTTPS');
  for (const [label, f] of [['create', create], ['GET', get]] as const) {
    console.log(`${label.padEnd(24)}${f.cpuPlainUs.toFixed(0).padStart(5)} µs      ${f.cpuHttpsUs.toFixed(0).padStart(5)} µs    ${(f.cpuPlainUs / f.cpuHttpsUs).toFixed(2)}x`);
  }
  return { create, get };
}
