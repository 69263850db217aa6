// bench:apiserver --only components --parts — what the components cost the API server thread, in
// parts. Each round measures, on a fresh server each: the server alone; alone beside a stand-in
// client (packages/client/bench/stand-in-components.ts, at nice 10 as the components' process) that
// only watches every pod; one that also parses and caches them (the components' shared informer);
// one that also sends the scheduler's reports (its paced FailedScheduling Events and
// PodScheduled=False patches); and the real scheduler and controller manager. The API server
// thread's CPU per create in each, against alone, says what each layer adds; what the real
// components add beyond the last stand-in is everything else they do (their TLS client identities
// and RBAC lookups, their CPU beside the API server, their other requests). Medians; the order of
// the five rotates each round.
// Usage: pnpm bench:apiserver --only components --parts [--rounds R] [--duration S]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { arg, catchUpMs, median, startServer, stopServer, warmAndMeasure, type Round } from './components.ts';

const STAND_IN = fileURLToPath(new URL('../../client/bench/stand-in-components.ts', import.meta.url));
const PARTS = ['alone', 'watch', 'cache', 'reports', 'components'] as const;
type Part = (typeof PARTS)[number];

/** Starts the stand-in in `mode` against the server's admin kubeconfig; resolves with its pid once its watch is open. */
function startStandIn(dir: string, mode: string): Promise<{ pid: number; stop: () => void }> {
  // The client library reads JSON kubeconfigs; the server writes YAML.
  const kubeconfig = join(dir, 'admin.kubeconfig.json');
  writeFileSync(kubeconfig, JSON.stringify(YAML.parse(readFileSync(join(dir, 'admin.kubeconfig'), 'utf8'))), { mode: 0o600 });
  const proc = spawn('nice', ['-n', '10', process.execPath, STAND_IN, kubeconfig, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      // `nice` execs node: the pid is the stand-in's own.
      if (out.includes('ready')) resolve({ pid: proc.pid!, stop: () => proc.kill('SIGKILL') });
    });
    proc.on('exit', (code) => reject(new Error(`the stand-in (${mode}) exited early (${code}): ${out}`)));
  });
}

async function once(part: Part, duration: number): Promise<Round> {
  const s = await startServer(part === 'components');
  let standIn: { pid: number; stop: () => void } | undefined;
  try {
    if (part !== 'alone' && part !== 'components') standIn = await startStandIn(s.dir, part);
    const r = await warmAndMeasure(s, duration, standIn?.pid);
    if (part === 'components') r.catchUp = await catchUpMs(s);
    return r;
  } finally {
    standIn?.stop();
    stopServer(s);
  }
}

const apiThread = (r: Round) => r.cpuByKind.get('api server thread') ?? 0;
const beside = (r: Round) => (r.cpuByKind.get('stand-in') ?? 0) + (r.cpuByKind.get('components process') ?? 0);

export async function benchComponentParts(): Promise<void> {
  const duration = arg('--duration', 8);
  const rounds = arg('--rounds', 3);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const results = new Map<Part, Round[]>(PARTS.map((p) => [p, []]));
  for (let i = 0; i < rounds; i++) {
    const order = [...PARTS.slice(i % PARTS.length), ...PARTS.slice(0, i % PARTS.length)];
    for (const part of order) results.get(part)!.push(await once(part, duration));
    console.log(`  round ${i + 1}: ${PARTS.map((p) => { const r = results.get(p)![i]; return `${p} ${r.creates.toFixed(0)}/s api ${apiThread(r).toFixed(0)} µs, waited ${r.waited.toFixed(0)} ms/s`; }).join('; ')}`);
  }
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const alone = results.get('alone')!;
  const aloneRate = median(alone.map((r) => r.creates));
  const aloneApi = median(alone.map(apiThread));
  console.log(`components on, in parts (medians of ${rounds} x ${duration} s; load average ${loadBefore} -> ${loadAfter}):`);
  console.log(`  ${'beside the server'.padEnd(31)} ${'creates/s'.padStart(9)} ${'ratio'.padStart(6)} ${'API thread µs/create'.padStart(24)} ${'waited ms/s'.padStart(12)} ${'CPU beside µs/create'.padStart(21)}`);
  for (const part of PARTS) {
    const rs = results.get(part)!;
    const rate = median(rs.map((r) => r.creates));
    const api = median(rs.map(apiThread));
    const label = { alone: 'nothing (alone)', watch: 'stand-in: a watch of every pod', cache: 'stand-in: + parsed and cached', reports: 'stand-in: + paced reports', components: 'the scheduler and controllers' }[part];
    const added = `${api - aloneApi >= 0 ? '+' : ''}${(api - aloneApi).toFixed(0)}`;
    console.log(`  ${label.padEnd(31)} ${rate.toFixed(0).padStart(9)} ${`${(rate / aloneRate).toFixed(2)}x`.padStart(6)} ${`${api.toFixed(0)} (${added})`.padStart(24)} ${median(rs.map((r) => r.waited)).toFixed(0).padStart(12)} ${median(rs.map(beside)).toFixed(0).padStart(21)}`);
  }
}
