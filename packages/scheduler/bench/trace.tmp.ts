import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@skiff/api';
import { Informer, RestClient } from '@skiff/client';
import { makeNode, makePod } from '../src/testing/fixtures.ts';
import { forEachLimit, NODES, PODS } from '../src/testing/harness.ts';
const N = Number(process.argv[2]), M = Number(process.argv[3]);
function child(script: string, arg: string, re: RegExp): Promise<{ proc: any; line: string }> {
  const proc = spawn(process.execPath, [...(script.includes('sched') ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []), join(import.meta.dirname, script), arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res) => { let out = ''; proc.stdout!.on('data', (d) => { out += d; const m = re.exec(out); if (m) res({ proc, line: m[1] }); }); });
}
const api = await child('run-apiserver.ts', mkdtempSync(join(tmpdir(), 'tr-')), /listening on (\S+)/);
const client = new RestClient({ server: api.line, maxConnections: 64 });
await forEachLimit(Array.from({ length: N }, (_, i) => i), 64, (i) => client.create(NODES, makeNode(`node-${i}`, { cpu: '4', memory: '32Gi' }) as any));
const sch = await child('run-scheduler.ts', api.line, /ready (\S+)/);
let created = 0, bound = 0;
const w = new Informer<KubeObject>(client, PODS, { fieldSelector: 'spec.nodeName!=', freeze: false });
w.addEventHandler({ onAdd: () => bound++ });
w.start(); await w.waitForSync();
const t0 = performance.now(); const c0 = process.cpuUsage();
const timer = setInterval(async () => {
  const m = await (await fetch(sch.line + '/metrics')).text();
  const g = (re: RegExp) => re.exec(m)?.[1];
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)}s created ${created} bound ${bound} active ${g(/pending_pods\{queue="active"\} (\d+)/)} attempts ${g(/attempts_total\{result="scheduled"\} (\d+)/)} drivercpu ${((process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6).toFixed(1)}`);
}, 1000);
await forEachLimit(Array.from({ length: M }, (_, i) => i), 32, async (i) => { await client.create(PODS, makePod(`pod-${i}`, { cpu: '100m', memory: '500Mi' }) as any); created++; });
while (bound < M) await new Promise((r) => setTimeout(r, 100));
clearInterval(timer);
console.log('total', (performance.now() - t0) / 1000);
sch.proc.kill('SIGTERM'); await new Promise((r) => sch.proc.on('exit', r)); api.proc.kill('SIGKILL'); process.exit(0);
