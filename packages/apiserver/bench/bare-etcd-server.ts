// The baseline for `bench:apiserver --datastore etcd`: a bare fastify server that does what skiff's
// create and GET do to etcd, with the same client library (etcd3) and nothing else: a create is
// one put (no transaction, no validation, no defaulting), a GET one range.
// Usage: node bare-etcd-server.ts HOST:PORT[,HOST:PORT...]  — prints "listening on http://127.0.0.1:PORT".
import Fastify from 'fastify';
import { Etcd3 } from 'etcd3';
import { randomUUID } from 'node:crypto';

const hosts = (process.argv[2] ?? '127.0.0.1:2379').split(',').map((h) => `http://${h}`);
const client = new Etcd3({ hosts, grpcOptions: { 'grpc.max_receive_message_length': 512 * 1024 * 1024 } });
const key = (ns: string, name: string) => Buffer.from(`/bare/pods/${ns}/${name}`);

const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
app.post('/api/v1/namespaces/:ns/pods', async (req, reply) => {
  const { ns } = req.params as { ns: string };
  const obj = req.body as { metadata: { name?: string; generateName?: string } };
  const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${randomUUID()}`;
  obj.metadata.name = name;
  const text = JSON.stringify(obj);
  await client.kv.put({ key: key(ns, name), value: Buffer.from(text) });
  return reply.code(201).type('application/json').send(text);
});
app.get('/api/v1/namespaces/:ns/pods/:name', async (req, reply) => {
  const { ns, name } = req.params as { ns: string; name: string };
  const r = await client.kv.range({ key: key(ns, name) });
  if (r.kvs.length === 0) return reply.code(404).send({ kind: 'Status', code: 404 });
  return reply.type('application/json').send(r.kvs[0].value.toString('utf8'));
});
app.listen({ host: '127.0.0.1', port: 0 }).then((url) => {
  process.stdout.write(`listening on ${url}\n`);
});
