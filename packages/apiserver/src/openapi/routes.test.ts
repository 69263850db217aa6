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

  it.each(['/openapi/v3/apis/nope/v1', '/openapi/v3/api/v2'])('answers 404 Status for %s', async (url) => {
    const res = await app.inject(url);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('serves /openapi/v2 as JSON, and as protobuf to client-go, with one ETag', async () => {
    const json = await app.inject('/openapi/v2');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().swagger).toBe('2.0');
    const pb = await app.inject({ url: '/openapi/v2', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(pb.statusCode).toBe(200);
    expect(pb.headers['content-type']).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    expect(pb.rawPayload.equals(docs.v2().protobuf)).toBe(true);
    expect(pb.headers.etag).toBe(json.headers.etag);
    const again = await app.inject({ url: '/openapi/v2', headers: { 'if-none-match': json.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });

  it('answers 406 Status to /openapi/v2 in a form it does not serve', async () => {
    const res = await app.inject({ url: '/openapi/v2', headers: { accept: 'application/yaml' } });
    expect(res.statusCode).toBe(406);
    expect(res.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
  });
});
