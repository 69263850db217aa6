// GET /cacerts: the cluster CA's certificate, to anyone (as k3s serves it). A joining agent fetches
// it before it trusts the server and checks it against the hash in its join string (issue 12 §3).
import type { FastifyInstance } from 'fastify';
import { notFoundPath } from '../errors/status.ts';

export function registerCaRoute(app: FastifyInstance, caCert: string | undefined): void {
  app.get('/cacerts', (_req, reply) => {
    if (!caCert) return reply.code(404).type('application/json').send(JSON.stringify(notFoundPath().toStatus()));
    return reply.type('application/x-pem-file').send(caCert);
  });
}
