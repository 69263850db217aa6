import type { ExplanationJSON } from './explain.ts';
import { buildEndpoint, listen } from './http.ts';
import { SchedulerMetrics } from './metrics.ts';

describe('endpoint', () => {
  const metrics = new SchedulerMetrics(() => ({ active: 2, backoff: 1, unschedulable: 3 }));
  const explanation = { pod: 'default/web-1', result: 'Scheduled', node: 'n1' } as ExplanationJSON;
  let healthy = true;
  const server = buildEndpoint({ metrics, healthy: () => healthy, explain: (ns, name) => (ns === 'default' && name === 'web-1' ? explanation : undefined) });
  let url = '';
  beforeAll(async () => {
    url = await listen(server, 0, '127.0.0.1');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  test('/explain/{namespace}/{pod}', async () => {
    const res = await fetch(`${url}/explain/default/web-1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(explanation);
    const missing = await fetch(`${url}/explain/default/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toMatch(/no scheduling attempt recorded for pod default\/nope/);
  });

  test('/metrics in Prometheus text, with queue lengths', async () => {
    metrics.attempts.inc({ result: 'scheduled' });
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/scheduler_schedule_attempts_total\{result="scheduled"\} 1/);
    expect(text).toMatch(/scheduler_pending_pods\{queue="unschedulable"\} 3/);
  });

  test('/healthz, unknown paths, other methods', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    healthy = false;
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
