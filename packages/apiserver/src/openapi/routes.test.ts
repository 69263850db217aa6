import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { buildOpenApi } from './documents.ts';
import { registerOpenApiRoutes } from './routes.ts';

let app: FastifyInstance;
const docs = buildOpenApi();
beforeAll(async () => {
  app = Fastify();
  registerOpenApiRoutes(app, { documents: docs });
  await app.ready();
});
afterAll(() => app.close());

describe('OpenAPI routes', () => {
  it('serves the v3 root', async () => {
    const res = await app.inject('/openapi/v3');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache, private');
    expect(res.json()).toEqual(docs.root);
  });

  it('serves a document by its hashed URL as immutable', async () => {
    const url = docs.root.paths['apis/apps/v1'].serverRelativeURL;
    const res = await app.inject(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, immutable');
    expect(res.headers.etag).toBe(`"${docs.byKey.get('apis/apps/v1')!.hash}"`);
    expect(res.json().openapi).toBe('3.0.0');
  });

  it('serves the current document without a hash, uncached', async () => {
    const res = await app.inject('/openapi/v3/api/v1');
    expect(res.headers['cache-control']).toBe('no-cache, private');
    expect(res.body).toBe(docs.byKey.get('api/v1')!.body.toString());
  });

  it('redirects a stale hash to the current one', async () => {
    const res = await app.inject('/openapi/v3/api/v1?hash=0123');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(docs.root.paths['api/v1'].serverRelativeURL);
  });

  it('answers 304 to If-None-Match', async () => {
    const res = await app.inject({ url: '/openapi/v3/api/v1', headers: { 'if-none-match': `"${docs.byKey.get('api/v1')!.hash}"` } });
    expect(res.statusCode).toBe(304);
  });

  it.each(['/openapi/v3/apis/nope/v1', '/openapi/v3/api/v2', '/openapi/v2'])('answers 404 Status for %s', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});
