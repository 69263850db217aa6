// Health and metrics endpoints: /healthz, /livez, /readyz answer "ok" while the server serves;
// /metrics is the Prometheus text exposition.
import type { FastifyInstance } from 'fastify';
import type { ApiMetrics } from '../metrics/metrics.ts';

export function registerHealthRoutes(app: FastifyInstance, metrics: ApiMetrics): void {
  for (const path of ['/healthz', '/livez', '/readyz']) {
    app.get(path, (_req, reply) => {
      reply.type('text/plain; charset=utf-8').send('ok');
    });
    app.get(`${path}/ping`, (_req, reply) => {
      reply.type('text/plain; charset=utf-8').send('ok');
    });
  }
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
