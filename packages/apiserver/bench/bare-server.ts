// The baseline for bench:apiserver: a bare fastify + better-sqlite3 server that does the same
// inserts and reads as skiff's create and GET (JSON in, one row per object, JSON out), with the same
// SQLite pragmas, and nothing else: no validation, defaulting, revision log or watches.
// Usage: node bare-server.ts DATA_DIR  — prints "listening on http://127.0.0.1:PORT".
import Fastify from 'fastify';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const db = new Database(join(process.argv[2] ?? '.', 'bare.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.BENCH_SYNCHRONOUS ?? 'NORMAL'}`);
db.exec('CREATE TABLE IF NOT EXISTS objects (namespace TEXT, name TEXT, value TEXT, PRIMARY KEY (namespace, name))');
const insert = db.prepare('INSERT INTO objects (namespace, name, value) VALUES (?, ?, ?)');
const select = db.prepare('SELECT value FROM objects WHERE namespace = ? AND name = ?').pluck();

const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
app.post('/api/v1/namespaces/:ns/pods', (req, reply) => {
  const { ns } = req.params as { ns: string };
  const obj = req.body as { metadata: { name?: string; generateName?: string } };
  // A whole UUID: 8 hex characters collide (UNIQUE constraint) within a long run of inserts.
  const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${randomUUID()}`;
  obj.metadata.name = name;
  const text = JSON.stringify(obj);
  insert.run(ns, name, text);
  reply.code(201).type('application/json').send(text);
});
app.get('/api/v1/namespaces/:ns/pods/:name', (req, reply) => {
  const { ns, name } = req.params as { ns: string; name: string };
  const text = select.get(ns, name) as string | undefined;
  if (text === undefined) return reply.code(404).send({ kind: 'Status', code: 404 });
  reply.type('application/json').send(text);
});
app.listen({ host: '127.0.0.1', port: 0 }).then((url) => {
  process.stdout.write(`listening on ${url}\n`);
});
