// POST /apis/authentication.k8s.io/v1/selfsubjectreviews: who the server takes the caller for
// (`kubectl auth whoami`), read from the one place authentication records it.
import type { FastifyInstance } from 'fastify';
import { requestUser } from '../auth/user.ts';

export function registerSelfSubjectReview(app: FastifyInstance): void {
  app.post('/apis/authentication.k8s.io/v1/selfsubjectreviews', (req, reply) => {
    const u = requestUser(req);
    const userInfo: Record<string, unknown> = { username: u.username, groups: u.groups };
    if (u.uid) userInfo.uid = u.uid;
    if (u.extra && Object.keys(u.extra).length) userInfo.extra = u.extra;
    return reply.code(201).send({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo } });
  });
}
