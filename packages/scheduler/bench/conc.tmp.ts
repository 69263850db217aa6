import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient } from '@skiff/client';
import { makePod } from '../src/testing/fixtures.ts';
import { forEachLimit, PODS } from '../src/testing/harness.ts';
const proc = spawn(process.execPath, [join(import.meta.dirname, 'run-apiserver.ts'), mkdtempSync(join(tmpdir(), 'c-'))], { stdio: ['ignore', 'pipe', 'inherit'] });
const url: string = await new Promise((res) => { let o = ''; proc.stdout!.on('data', (d) => { o += d; const m = /listening on (\S+)/.exec(o); if (m) res(m[1]); }); });
const cpu = () => { const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
let k = 0;
for (const c of [8, 32, 128]) {
  const client = new RestClient({ server: url, maxConnections: c });
  const c0 = cpu(); const t = performance.now(); const n = 2000; const c1 = process.cpuUsage();
  await forEachLimit(Array.from({ length: n }, () => k++), c, (i) => client.create(PODS, makePod(`p${i}`, { cpu: '100m' }) as any));
  const s = (performance.now() - t) / 1000;
  console.log(`conc ${c}: ${(n / s).toFixed(0)} creates/s, server cpu ${((cpu() - c0) / s * 100).toFixed(0)}%, client cpu ${((process.cpuUsage(c1).user + process.cpuUsage(c1).system) / 1e6 / s * 100).toFixed(0)}%`);
  client.close();
}
proc.kill('SIGKILL');
