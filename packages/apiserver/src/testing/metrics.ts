// Reads the test server's own /metrics (Prometheus text), so a test can count what the server
// saw (lists, open watches) from outside instead of instrumenting a fake.

/**
 * The sum of every sample of `name` whose labels include `labels` (0 when there is none), e.g.
 * `metric(url, 'apiserver_request_total', { verb: 'list', resource: 'pods' })` over all codes.
 */
export async function metric(serverUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${serverUrl}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[3]);
  }
  return sum;
}
