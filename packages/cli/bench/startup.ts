// bench:cli — how long a `skiff` invocation takes, against Node.js starting and doing nothing.
//
// In one run, in alternating rounds (the order of the commands turns each round):
//   baseline:  `node -e 0`, the floor under every invocation;
//   skiff --version, skiff --help: the command tree alone;
//   skiff get pods -A: a verb against a real `skiff server` (HTTPS, the admin kubeconfig it wrote),
//              started here on a free port in a temporary directory, without its components.
// Each process reports, as it exits, its own CPU time and the modules it loaded (a hook given
// with --import), so the figures say what loads as well as how long it takes. Prints the medians
// of wall time and CPU per command, and each against the baseline.
//
// Usage: pnpm bench:cli [--rounds N]   (default 10)

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { secureUrl, startChildServer } from '@skiff/apiserver/testing';

const args = process.argv.slice(2);
const ROUNDS = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 10;
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Reports the process's CPU time and the modules it loaded on stderr as it exits. */
const HOOK = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
let modules = 0;
registerHooks({ load(url, context, next) { if (!url.startsWith('node:')) modules++; return next(url, context); } });
process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\nBENCH ' + JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, modules }) + '\\n'); });
`)}`;

interface Sample { wallMs: number; cpuMs: number; modules: number }

function timed(argv: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', HOOK, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
      if (code !== 0 || !line) return reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr}`));
      resolve({ wallMs, ...(JSON.parse(line.slice(6)) as { cpuMs: number; modules: number }) });
    });
  });
}

/** `skiff server` on a free port in `dir`; resolves with its kubeconfig once it listens. */
async function startServer(dir: string): Promise<{ kubeconfig: string; stop: () => Promise<void> }> {
  const server = await startChildServer([MAIN, 'server', '--data-dir', dir, '--port', '0', '--no-scheduler', '--no-controllers'], { stderr: 'inherit', ready: secureUrl, timeoutMs: 60_000 });
  return { kubeconfig: join(dir, 'admin.kubeconfig'), stop: () => server.stop('SIGTERM') };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-cli-'));
const server = await startServer(dir);
try {
  const commands: [string, string[]][] = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ['skiff --version', [MAIN, '--version']],
    ['skiff --help', [MAIN, '--help']],
    ['skiff get pods -A', [MAIN, 'get', 'pods', '-A', '--kubeconfig', server.kubeconfig]],
  ];
  const samples = new Map<string, Sample[]>(commands.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? commands : [...commands].reverse();
    for (const [name, argv] of order) samples.get(name)!.push(await timed(argv));
  }
  const base = samples.get(commands[0][0])!;
  const baseWall = median(base.map((s) => s.wallMs));
  const baseCpu = median(base.map((s) => s.cpuMs));
  console.log(`bench:cli — medians of ${ROUNDS} alternating rounds (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
  for (const [name] of commands) {
    const s = samples.get(name)!;
    const wall = median(s.map((x) => x.wallMs));
    const cpu = median(s.map((x) => x.cpuMs));
    console.log(`  ${name.padEnd(22)} wall ${wall.toFixed(0).padStart(5)} ms (${(wall / baseWall).toFixed(1)}x node)   CPU ${cpu.toFixed(0).padStart(5)} ms (${(cpu / baseCpu).toFixed(1)}x node)   ${median(s.map((x) => x.modules))} modules`);
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
