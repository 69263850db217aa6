// GET /version, /api, /apis, /api/v1, /apis/{group}, /apis/{group}/{version}.
// Every body is serialised once at registration: kubectl asks for them on each invocation.
import { formatTime } from '@skiff/api';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptsAs } from '../tables/accept.ts';
import { buildDiscovery } from './documents.ts';
import type { DiscoveryDocuments } from './documents.ts';
import { notFoundPath } from '../errors/status.ts';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const JSON_TYPE = 'application/json';
const AGGREGATED = { as: 'APIGroupDiscoveryList', g: 'apidiscovery.k8s.io', v: 'v2' };

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** What `GET /version` answers; minor 32 makes the kubectl dispatcher run its bundled 1.32. */
export function versionInfo(buildDate = formatTime()): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-skiff',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate,
    goVersion: '',
    compiler: 'skiff',
    platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/**
 * A body serialised once, with its ETag. Kept as a Buffer: fastify leaves the Content-Type of a
 * Buffer alone, while for a string it rewrites `;v=v2` as `; v="v2"; charset=utf-8`, which kubectl
 * does not recognise as aggregated discovery.
 */
interface Prepared {
  body: Buffer;
  etag: string;
}

function prepare(doc: unknown): Prepared {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

function send(req: FastifyRequest, reply: FastifyReply, doc: Prepared, contentType: string): FastifyReply {
  reply.header('Cache-Control', 'no-cache, private').header('Vary', 'Accept').header('ETag', doc.etag);
  if (req.headers['if-none-match'] === doc.etag) return reply.code(304).send();
  return reply.type(contentType).send(doc.body);
}

// The catalog's 404 for an unknown path, serialised once.
const NOT_FOUND = Buffer.from(JSON.stringify(notFoundPath().toStatus()));

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('Cache-Control', 'no-cache, private').type(JSON_TYPE).send(NOT_FOUND);
}

export interface DiscoveryOptions {
  /** Prebuilt documents (tests); defaults to the registry's. */
  documents?: DiscoveryDocuments;
  version?: VersionInfo;
}

export function registerDiscoveryRoutes(app: FastifyInstance, opts: DiscoveryOptions = {}): void {
  const docs = opts.documents ?? buildDiscovery();
  const version = prepare(opts.version ?? versionInfo());
  const groupList = prepare(docs.groupList);
  const aggregatedCore = prepare(docs.aggregatedCore);
  const aggregatedApis = prepare(docs.aggregatedApis);
  const groups = new Map([...docs.groups].map(([name, g]) => [name, prepare(g)]));
  const resourceLists = new Map([...docs.resourceLists].map(([gv, l]) => [gv, prepare(l)]));

  // Clients ask for both (client-go's discovery sends `/version/`), and kube-apiserver serves both.
  app.get('/version', (req, reply) => send(req, reply, version, JSON_TYPE));
  app.get('/version/', (req, reply) => send(req, reply, version, JSON_TYPE));

  app.get('/api', (req, reply) => {
    if (acceptsAs(req.headers.accept, AGGREGATED)) return send(req, reply, aggregatedCore, AGGREGATED_DISCOVERY_CONTENT_TYPE);
    // serverAddressByClientCIDRs echoes the address the client used, so this one is built per request.
    const apiVersions = prepare({
      kind: 'APIVersions',
      versions: docs.coreVersions,
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.host }],
    });
    return send(req, reply, apiVersions, JSON_TYPE);
  });

  app.get('/apis', (req, reply) => {
    if (acceptsAs(req.headers.accept, AGGREGATED)) return send(req, reply, aggregatedApis, AGGREGATED_DISCOVERY_CONTENT_TYPE);
    return send(req, reply, groupList, JSON_TYPE);
  });

  app.get<{ Params: { version: string } }>('/api/:version', (req, reply) => {
    const list = resourceLists.get(req.params.version);
    // Named group-versions contain a slash, so a core version never collides with them.
    return list && !req.params.version.includes('/') ? send(req, reply, list, JSON_TYPE) : notFound(reply);
  });

  app.get<{ Params: { group: string } }>('/apis/:group', (req, reply) => {
    const g = groups.get(req.params.group);
    return g ? send(req, reply, g, JSON_TYPE) : notFound(reply);
  });

  app.get<{ Params: { group: string; version: string } }>('/apis/:group/:version', (req, reply) => {
    const list = resourceLists.get(`${req.params.group}/${req.params.version}`);
    return list ? send(req, reply, list, JSON_TYPE) : notFound(reply);
  });
}
