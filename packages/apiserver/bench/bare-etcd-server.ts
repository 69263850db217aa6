// The baseline for `bench:apiserver --datastore etcd`: a bare fastify server that does what skiff's
// create and GET do to etcd, with the same client library (etcd3) and nothing else: a create is
// one put (no transaction, no validation, no defaulting), a GET one range. A second create route,
// /conditional/..., writes as skiff's create must: one transaction that puts only if the key does
// not exist yet (as kube-apiserver's create), so the two baselines show what the transaction
// itself costs etcd and the client.
// Usage: node bare-etcd-server.ts HOST:PORT[,HOST:PORT...]  — prints "listening on http://127.0.0.1:PORT".
import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Etcd3 } from 'etcd3';
import { randomUUID } from 'node:crypto';

const hosts = (process.argv[2] ?? '127.0.0.1:2379').split(',').map((h) => `http://${h}`);
const client = new Etcd3({ hosts, grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 } });
const key = (ns: string, name: string) => Buffer.from(`/bare/pods/${ns}/${name}`);

const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
const create = (conditional: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
  const { ns } = req.params as { ns: string };
  const obj = req.body as { metadata: { name?: string; generateName?: string } };
  const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${randomUUID()}`;
  obj.metadata.name = name;
  const text = JSON.stringify(obj);
  const k = key(ns, name);
  if (!conditional) await client.kv.put({ key: k, value: Buffer.from(text) });
  else {
    const r = await client.kv.txn({ compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key: k, value: Buffer.from(text) } }] });
    if (!r.succeeded) return reply.code(409).send({ kind: 'Status', code: 409 });
  }
  return reply.code(201).type('application/json').send(text);
};
app.post('/api/v1/namespaces/:ns/pods', create(false));
app.post('/conditional/api/v1/namespaces/:ns/pods', create(true));
app.get('/api/v1/namespaces/:ns/pods/:name', async (req, reply) => {
  const { ns, name } = req.params as { ns: string; name: string };
  const r = await client.kv.range({ key: key(ns, name) });
  if (r.kvs.length === 0) return reply.code(404).send({ kind: 'Status', code: 404 });
  return reply.type('application/json').send(r.kvs[0].value.toString('utf8'));
});
app.listen({ host: '127.0.0.1', port: 0 }).then((url) => {
  process.stdout.write(`listening on ${url}\n`);
});
