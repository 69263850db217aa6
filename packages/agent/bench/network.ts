// bench:network — the kernel service proxy and the cluster DNS against baselines, same run.
//
//   1. rules:   a real API server (port 0) holding S Services of E endpoints each; the agent's
//               kernel proxy (in a network namespace this bench makes, so the machine's rules are
//               untouched) follows them. Then C times: one EndpointSlice changes (one endpoint
//               replaced) and the time from the update request to the end of the `nft -f`
//               transaction that carries it is taken. Prints p50/p99/max and the input size, and the
//               time of the first full sync as the anchor (kube-proxy: about a second for a large cluster).
//   2. dns:     the agent's DNS server (following the same API server) against dnsmasq
//               (Debian's dnsmasq-base) answering the same names from a hosts file, each on its own
//               loopback address; one client sends Q queries with K in flight to each, in turn, and
//               prints queries per second, p50 and p99, and the ratio.
//   3. service: (with --docker, on the machine's Docker engine and kernel) one httpd pod behind a
//               ClusterIP Service on a one-node cluster with the kernel proxy; the same client sends
//               small GETs (a new connection each, K at a time, for D seconds) straight to the pod
//               IP and through the ClusterIP, alternating, 3 rounds; prints rate, p99 and the ratio.
//
// Usage: pnpm bench:network [--services S] [--endpoints E] [--changes C] [--queries Q] [--inflight K] [--docker [--seconds D]]
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import { ENDPOINT_SLICES, SERVICE_NAME_LABEL, SERVICES, type KubeObject } from '@skiff/api';
import { startApiServer } from '@skiff/apiserver';
import { RestClient } from '@skiff/client';
import { request } from 'node:http';
import { createControllerManager } from '@skiff/controllers';
import { createScheduler } from '@skiff/scheduler';
import { clusterTable, DockerRuntime, removeClusterRules, removeNodeNetwork, startAgent } from '../src/index.ts';
import { KernelProxy } from '../src/proxy/kernel-proxy.ts';
import { ClusterDns } from '../src/dns/server.ts';

const run = promisify(execFile);
const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const S = arg('--services', 1000);
const E = arg('--endpoints', 10);
const C = arg('--changes', 50);
const Q = arg('--queries', 20000);
const K = arg('--inflight', 32);
const SELF = fileURLToPath(import.meta.url);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

const addressOf = (i: number, k: number, gen: number) => `10.244.${(i * E + k + gen) % 250}.${1 + ((i + k + gen) % 250)}`;
const sliceOf = (i: number, gen: number): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `svc-${i}-bench`, namespace: 'default', labels: { [SERVICE_NAME_LABEL]: `svc-${i}` } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: E }, (_, k) => ({ addresses: [addressOf(i, k, gen)], conditions: { ready: true, serving: true, terminating: false } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

async function fillCluster(client: RestClient): Promise<void> {
  const batch = 50;
  for (let i = 0; i < S; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, S - i) }, async (_, j) => {
        const n = i + j;
        await client.create(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${n}`, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
        await client.create(ENDPOINT_SLICES, sliceOf(n, 0));
      }),
    );
  }
}

/** Part 1, inside a namespace of its own (this file re-runs itself there with --inside). */
async function benchRules(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-network-'));
  const server = await startApiServer({ dataDir: dir, port: 0 });
  const client = new RestClient({ server: server.url });
  try {
    await fillCluster(client);
    const proxy = new KernelProxy({ client, clusterCIDR: '10.244.0.0/16', batchMs: 0, log: (m) => process.stderr.write(`${m}\n`) });
    const began = performance.now();
    await proxy.start();
    const first = performance.now() - began;
    const listing = (await run('nft', ['list', 'table', 'ip', clusterTable('10.244.0.0/16')], { maxBuffer: 1 << 28 })).stdout.split('\n').map((l) => l.trim());
    const chains = listing.filter((l) => l.startsWith('chain ')).length;
    console.log(`rules: first full sync of ${S} Services x ${E} endpoints (one nftables table, ${chains} chains): ${ms(first)}`);
    const times: number[] = [];
    const sizes: number[] = [];
    for (let c = 1; c <= C; c++) {
      const i = Math.floor(Math.random() * S);
      const current = await client.get(ENDPOINT_SLICES, 'default', `svc-${i}-bench`);
      // One endpoint replaced: the last one of the slice changes its address.
      const endpoints = [...(current.endpoints as unknown[]).slice(0, E - 1), (sliceOf(i, c).endpoints as unknown[])[E - 1]];
      const synced = new Promise<{ inputBytes: number }>((resolve) => proxy.onSync((s) => s.inputBytes > 0 && resolve(s)));
      const t0 = performance.now();
      await client.update(ENDPOINT_SLICES, { ...current, endpoints });
      const s = await synced;
      times.push(performance.now() - t0);
      sizes.push(s.inputBytes);
    }
    console.log(`rules: EndpointSlice change -> rule live, ${C} changes: p50 ${ms(pct(times, 50))}, p99 ${ms(pct(times, 99))}, max ${ms(Math.max(...times))}; nft input ${pct(sizes, 50)} bytes (aim < 200 ms)`);
    proxy.stop();
  } finally {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends `total` queries for `names` with `inflight` outstanding; per-query latency. Unanswered after `timeoutMs`: counted as errors. */
async function load(address: string, port: number, names: string[], total: number, inflight: number, timeoutMs = 60_000): Promise<{ qps: number; p50: number; p99: number; errors: number }> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const pending = new Map<number, number>();
  const lat: number[] = [];
  let sent = 0;
  let errors = 0;
  let nextId = 1;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const send = () => {
    if (sent >= total) return;
    const id = nextId++ & 0xffff;
    sent++;
    pending.set(id, performance.now());
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: names[sent % names.length] }] }), port, address);
  };
  sock.on('message', (msg) => {
    const id = msg.readUInt16BE(0);
    const t = pending.get(id);
    if (t === undefined) return;
    pending.delete(id);
    lat.push(performance.now() - t);
    if ((msg[3] & 0xf) !== 0 || msg.readUInt16BE(6) === 0) errors++;
    if (lat.length === total) done();
    else send();
  });
  const t0 = performance.now();
  for (let i = 0; i < inflight; i++) send();
  const timeout = setTimeout(() => done(), timeoutMs);
  await finished;
  clearTimeout(timeout);
  const secs = (performance.now() - t0) / 1000;
  sock.close();
  errors += total - lat.length;
  return { qps: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), errors };
}

/** User + system CPU seconds a process has used (clock ticks of 10 ms). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function benchDns(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-dns-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  const client = new RestClient({ server: server.url });
  let dnsmasq: ChildProcess | undefined;
  let ours: ChildProcess | undefined;
  try {
    await fillCluster(client);
    const services = (await client.list(SERVICES, { namespace: 'default' })).items;
    const names = services.map((s) => `${s.metadata.name}.default.svc.cluster.local`);
    writeFileSync(join(dir, 'hosts'), services.map((s) => `${s.spec.clusterIP} ${s.metadata.name}.default.svc.cluster.local`).join('\n') + '\n');
    // The agent's DNS server runs in a process of its own, as dnsmasq does (here it would share
    // the event loop with the load generator and the API server).
    ours = spawn(process.execPath, [SELF, '--dns-server', server.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      ours!.stdout!.once('data', () => resolve());
      ours!.once('exit', (code) => reject(new Error(`the DNS server exited (${code})`)));
    });
    // dnsmasq logs "read HOSTS - N names" once it has bound its socket and loaded the hosts file:
    // that is the event to wait for (a query sent earlier is lost, and an exit, e.g. the address
    // in use, is reported with dnsmasq's own words instead of a silent timeout).
    dnsmasq = spawn('dnsmasq', ['--keep-in-foreground', '--log-facility=-', '--no-resolv', '--no-hosts', `--addn-hosts=${join(dir, 'hosts')}`, '--listen-address=127.0.53.2', '--bind-interfaces', '--port=5353', '--cache-size=10000', '--user=root', `--pid-file=${join(dir, 'dnsmasq.pid')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const dnsmasqLog: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dnsmasq did not load its hosts file within 10 s: ${dnsmasqLog.join('')}`)), 10_000);
      dnsmasq!.stderr!.on('data', (d: Buffer) => {
        dnsmasqLog.push(d.toString());
        if (/read \S+ - \d+ names/.test(dnsmasqLog.join(''))) {
          clearTimeout(timer);
          resolve();
        }
      });
      dnsmasq!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dnsmasq exited (${code}): ${dnsmasqLog.join('')}`));
      });
    });
    // Then both must answer a query (each try waits 250 ms for its reply).
    for (const addr of ['127.0.53.1', '127.0.53.2']) {
      const deadline = Date.now() + 10_000;
      while ((await load(addr, 5353, names.slice(0, 1), 1, 1, 250)).errors > 0) {
        if (Date.now() > deadline) throw new Error(`${addr}:5353 does not answer`);
      }
    }
    type Run = Awaited<ReturnType<typeof load>> & { cpuUs: number };
    // Each server's own CPU per query (/proc/PID/stat), which the machine's other work changes less than the rates.
    const measured = async (addr: string, pid: number): Promise<Run> => {
      const c0 = processCpuSeconds(pid);
      const r = await load(addr, 5353, names, Q, K);
      return { ...r, cpuUs: ((processCpuSeconds(pid) - c0) / Q) * 1e6 };
    };
    const rounds: { ours: Run; theirs: Run }[] = [];
    for (let r = 0; r < 3; r++) {
      // Alternate who goes first.
      const a = r % 2 === 0 ? await measured('127.0.53.1', ours.pid!) : undefined;
      const theirs = await measured('127.0.53.2', dnsmasq.pid!);
      const oursR = a ?? (await measured('127.0.53.1', ours.pid!));
      rounds.push({ ours: oursR, theirs });
    }
    const med = (f: (x: (typeof rounds)[number]) => number) => pct(rounds.map(f), 50);
    console.log(`dns: ${Q} A queries x 3 rounds, ${K} in flight, ${S} names (medians; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
    console.log(`  skiff agent DNS  ${med((x) => x.ours.qps).toFixed(0)} q/s   p50 ${ms(med((x) => x.ours.p50))}   p99 ${ms(med((x) => x.ours.p99))}   errors ${rounds.reduce((n, x) => n + x.ours.errors, 0)}   CPU ${med((x) => x.ours.cpuUs).toFixed(1)} µs/query`);
    console.log(`  dnsmasq          ${med((x) => x.theirs.qps).toFixed(0)} q/s   p50 ${ms(med((x) => x.theirs.p50))}   p99 ${ms(med((x) => x.theirs.p99))}   errors ${rounds.reduce((n, x) => n + x.theirs.errors, 0)}   CPU ${med((x) => x.theirs.cpuUs).toFixed(1)} µs/query`);
    console.log(`  ratio (skiff / dnsmasq) ${(med((x) => x.ours.qps) / med((x) => x.theirs.qps)).toFixed(2)}x (aim >= 0.5x, p99 < 2 ms)`);
  } finally {
    ours?.kill();
    dnsmasq?.kill();
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GETs with a new connection each, `inflight` at a time, for `seconds`; rate and p99. */
async function httpLoad(host: string, port: number, seconds: number, inflight: number): Promise<{ rps: number; p99: number; errors: number }> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = request({ host, port, path: '/index.html', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) lat.push(performance.now() - t);
          else errors++;
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (performance.now() < end) await one();
  }));
  return { rps: lat.length / ((performance.now() - t0) / 1000), p99: pct(lat, 99), errors };
}

async function benchService(): Promise<void> {
  const seconds = arg('--seconds', 5);
  const node = { name: `bench-network-${process.pid}`, ip: '127.0.56.1' };
  const clusterCIDR = '10.200.0.0/16';
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-svc-'));
  const server = await startApiServer({ dataDir: join(dir, 'data'), port: 0 });
  const client = new RestClient({ server: server.url });
  const quiet = () => {};
  const scheduler = createScheduler({ server: server.url, endpoint: false, leaderElection: false, log: quiet });
  const manager = createControllerManager({ server: server.url, leaderElect: false, clusterCIDR, log: quiet });
  const runtime = new DockerRuntime();
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    await scheduler.start();
    await manager.start();
    agent = await startAgent({ server: server.url, nodeName: node.name, nodeIP: node.ip, runtime, port: 0, serviceProxy: true, clusterCIDR, rootDir: join(dir, 'agent'), log: quiet });
    const PODS = { group: '', version: 'v1', plural: 'pods', scope: 'Namespaced' } as const;
    await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'httpd', image: 'skiff/busybox:1', command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] } });
    const svc: KubeObject = await client.create<KubeObject>(SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } });
    let podIP = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const p = await client.get(PODS, 'default', 'web');
      const ready = (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
      if (ready && p.status?.podIP && (await httpLoad(svc.spec.clusterIP, 80, 0.2, 1)).rps > 0) {
        podIP = p.status.podIP;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!podIP) throw new Error('the pod did not become reachable through its ClusterIP within 60 s');
    const K = arg('--concurrency', 8);
    const rounds: { direct: Awaited<ReturnType<typeof httpLoad>>; cluster: Awaited<ReturnType<typeof httpLoad>> }[] = [];
    for (let r = 0; r < 3; r++) {
      const first = r % 2 === 0 ? await httpLoad(podIP, 8080, seconds, K) : undefined;
      const cluster = await httpLoad(svc.spec.clusterIP, 80, seconds, K);
      const direct = first ?? (await httpLoad(podIP, 8080, seconds, K));
      rounds.push({ direct, cluster });
    }
    const med = (f: (x: (typeof rounds)[number]) => number) => pct(rounds.map(f), 50);
    console.log(`service: GET /index.html from busybox httpd, a new connection each, ${K} at a time, ${seconds} s x 3 rounds (medians)`);
    console.log(`  straight to the pod IP   ${med((x) => x.direct.rps).toFixed(0)} req/s   p99 ${ms(med((x) => x.direct.p99))}   errors ${rounds.reduce((n, x) => n + x.direct.errors, 0)}`);
    console.log(`  through the ClusterIP    ${med((x) => x.cluster.rps).toFixed(0)} req/s   p99 ${ms(med((x) => x.cluster.p99))}   errors ${rounds.reduce((n, x) => n + x.cluster.errors, 0)}`);
    console.log(`  ratio (ClusterIP / pod IP) ${(med((x) => x.cluster.rps) / med((x) => x.direct.rps)).toFixed(2)}x (aim >= 0.95x)`);
  } finally {
    await agent?.stop();
    await scheduler.stop();
    await manager.stop();
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=dev.skiff.node=${node.name}`]);
    const ids = stdout.split('\n').filter(Boolean);
    if (ids.length) await run('docker', ['rm', '-f', ...ids]);
    await removeNodeNetwork(runtime.engine, node.name);
    await removeClusterRules(clusterCIDR);
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.includes('--dns-server')) {
  const client = new RestClient({ server: args[args.indexOf('--dns-server') + 1] });
  const dns = new ClusterDns({ client, upstreams: [], log: () => {} });
  await dns.listen('127.0.53.1', 5353);
  process.stdout.write('ready\n');
} else if (args.includes('--only-dns')) {
  await benchDns();
} else if (args.includes('--docker')) {
  await benchService();
} else if (args.includes('--inside')) {
  await benchRules();
} else {
  console.log(`bench:network — ${S} Services x ${E} endpoints`);
  const ns = `skiff-bench-${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    await run('nsenter', [`--net=/var/run/netns/${ns}`, 'ip', 'link', 'set', 'lo', 'up']);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('nsenter', [`--net=/var/run/netns/${ns}`, process.execPath, SELF, '--inside', ...args], { stdio: 'inherit' });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`rules part exited ${code}`))));
    });
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
  await benchDns();
}
