// GET /openapi/v3 and the per group-version documents, and GET /openapi/v2. The documents are built
// at registration; a v3 URL carrying the current `?hash=` is immutable and may be cached by clients for good.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { buildOpenApi } from './documents.ts';
import type { OpenApiDocument, OpenApiDocuments } from './documents.ts';
import { notAcceptable, notFoundPath } from '../errors/status.ts';

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

/** The registry's documents, built once per process (they depend on nothing else). */
let registryDocuments: OpenApiDocuments | undefined;

export function registerOpenApiRoutes(app: FastifyInstance, opts: OpenApiOptions = {}): void {
  const docs = opts.documents ?? (registryDocuments ??= buildOpenApi());
  const root = Buffer.from(JSON.stringify(docs.root));

  app.get('/openapi/v3', (_req, reply) => reply.header('Cache-Control', 'no-cache, private').type('application/json').send(root));

  app.get<{ Params: { version: string }; Querystring: { hash?: string } }>('/openapi/v3/api/:version', (req, reply) =>
    sendDocument(req, reply, docs.byKey.get(`api/${req.params.version}`)),
  );

  app.get<{ Params: { group: string; version: string }; Querystring: { hash?: string } }>('/openapi/v3/apis/:group/:version', (req, reply) =>
    sendDocument(req, reply, docs.byKey.get(`apis/${req.params.group}/${req.params.version}`)),
  );

  // Swagger 2.0 (v2.ts): protobuf for client-go (kubectl validates the review kinds against it,
  // client-side apply reads it), JSON for anyone else; no other form.
  app.get('/openapi/v2', (req, reply) => {
    const form = swaggerForm(req.headers.accept);
    if (!form) {
      const e = notAcceptable(req.headers.accept ?? '', ['application/json', ...V2_PROTOBUF]);
      return reply.code(406).header('Cache-Control', 'no-cache, private').type('application/json').send(JSON.stringify(e.toStatus()));
    }
    reply.header('ETag', `"${docs.v2().hash}"`).header('Vary', 'Accept').header('Cache-Control', 'no-cache, private').header('Last-Modified', STARTED);
    if (req.headers['if-none-match'] === `"${docs.v2().hash}"`) return reply.code(304).send();
    return form === 'protobuf' ? reply.type(V2_PROTOBUF_TYPE).send(docs.v2().protobuf) : reply.type('application/json').send(docs.v2().json);
  });
}

/**
 * The protobuf form's media types: client-go asks with the `@` spelling, which is no valid media type
 * (Go's mime parser, and fastify's, refuse it), so the reply is labelled with the dotted one, as
 * kube-apiserver's is; labelled with the `@` one, kubectl fails ("mime: unexpected content after
 * media subtype").
 */
const V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_PROTOBUF = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', V2_PROTOBUF_TYPE];

/** Which form of the v2 document an Accept header asks for: the first of its types skiff serves. */
function swaggerForm(accept: string | undefined): 'json' | 'protobuf' | undefined {
  if (!accept) return 'json';
  for (const type of accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase())) {
    if (V2_PROTOBUF.includes(type)) return 'protobuf';
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'json';
  }
  return undefined;
}
