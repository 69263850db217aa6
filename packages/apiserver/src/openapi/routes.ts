// GET /openapi/v3 and the per group-version documents. The documents are built at registration;
// a URL carrying the current `?hash=` is immutable and may be cached by clients for good.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildOpenApi } from './documents.ts';
import type { OpenApiDocument, OpenApiDocuments } from './documents.ts';
import { notFoundPath } from '../errors/status.ts';

// The catalog's 404 for an unknown path, serialised once.
const NOT_FOUND = Buffer.from(JSON.stringify(notFoundPath().toStatus()));

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('Cache-Control', 'no-cache, private').type('application/json').send(NOT_FOUND);
}

function sendDocument(req: FastifyRequest<{ Querystring: { hash?: string } }>, reply: FastifyReply, doc: OpenApiDocument | undefined): FastifyReply {
  if (!doc) return notFound(reply);
  const asked = req.query.hash;
  if (asked !== undefined && asked !== doc.hash) {
    // A stale hash: point at the current content rather than serve it under the old name.
    return reply.code(301).header('Cache-Control', 'no-cache, private').header('Location', `/openapi/v3/${doc.key}?hash=${doc.hash}`).send();
  }
  reply
    .header('ETag', `"${doc.hash}"`)
    .header('Vary', 'Accept')
    .header('Cache-Control', asked === undefined ? 'no-cache, private' : 'public, immutable')
    .header('Last-Modified', STARTED);
  if (asked !== undefined) reply.header('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
  if (req.headers['if-none-match'] === `"${doc.hash}"`) return reply.code(304).send();
  return reply.type('application/json').send(doc.body);
}

const STARTED = new Date().toUTCString();

export interface OpenApiOptions {
  /** Prebuilt documents (tests); defaults to the registry's. */
  documents?: OpenApiDocuments;
}

export function registerOpenApiRoutes(app: FastifyInstance, opts: OpenApiOptions = {}): void {
  const docs = opts.documents ?? buildOpenApi();
  const root = Buffer.from(JSON.stringify(docs.root));

  app.get('/openapi/v3', (_req, reply) => reply.header('Cache-Control', 'no-cache, private').type('application/json').send(root));

  app.get<{ Params: { version: string }; Querystring: { hash?: string } }>('/openapi/v3/api/:version', (req, reply) =>
    sendDocument(req, reply, docs.byKey.get(`api/${req.params.version}`)),
  );

  app.get<{ Params: { group: string; version: string }; Querystring: { hash?: string } }>('/openapi/v3/apis/:group/:version', (req, reply) =>
    sendDocument(req, reply, docs.byKey.get(`apis/${req.params.group}/${req.params.version}`)),
  );

  // Client-side apply asks for the Swagger 2.0 document too and carries on without it.
  app.get('/openapi/v2', (_req, reply) => notFound(reply));
}
