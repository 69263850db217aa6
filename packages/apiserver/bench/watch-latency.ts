// Watch delivery latency: N watchers on one namespace's pods; pods are created at a steady rate
// and each delivery's latency is measured from the moment its create request was sent.
import { request, Agent } from 'node:http';

interface Options { server: string; watchers: number; events: number; ratePerSecond: number; podBody: string }
interface Result { deliveries: number; p50: number; p99: number; max: number }

export async function watchDeliveryLatency(o: Options): Promise<Result> {
  const ns = 'watchbench';
  await post(`${o.server}/api/v1/namespaces`, JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: o.watchers + 10 });
  const closers: (() => void)[] = [];
  let ready = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < o.watchers; i++) {
      const req = request(`${o.server}/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=0`, { agent }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch: ${res.statusCode}`));
        if (++ready === o.watchers) resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const m = /"name":"(wl-\d+)"/.exec(line);
            if (m && line.startsWith('{"type":"ADDED"')) {
              const t = sentAt.get(m[1]);
              if (t !== undefined) latencies.push(now - t);
            }
          }
        });
      });
      req.on('error', reject);
      req.end();
      closers.push(() => req.destroy());
    }
  });
  const interval = 1000 / o.ratePerSecond;
  const start = performance.now();
  for (let i = 0; i < o.events; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const name = `wl-${i}`;
    sentAt.set(name, performance.now());
    await post(`${o.server}/api/v1/namespaces/${ns}/pods`, o.podBody.replace('"generateName":"bench-"', `"name":"${name}"`));
  }
  const expected = o.events * o.watchers;
  const deadline = performance.now() + 30_000;
  while (latencies.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  closers.forEach((c) => c());
  agent.destroy();
  if (latencies.length < expected) throw new Error(`only ${latencies.length} of ${expected} deliveries arrived`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { deliveries: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] };
}

function post(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode! < 300 ? resolve() : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
