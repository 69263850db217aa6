// What the kubectl-like verbs do. They lean on the server: `get` prints the server-side Table,
// `apply` is server-side apply.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isNotFound, resourcePath, type KubeList } from '@skiff/client';
import { apiVersionOf, resourceByKind, type KubeObject } from '@skiff/api';
import { cliClient } from '../kubeconfig.ts';
import { formatTable } from '../render/table.ts';
import { objectRef, resolveResource } from '../resolve.ts';
import type { ApplyOptions, Common, DeleteOptions, GetOptions, LogsOptions } from '../commands/verbs.ts';

/** The server-side Table (meta.k8s.io/v1) that `get` prints. */
interface TableBody {
  columnDefinitions: { name: string; priority?: number }[];
  rows: { cells: unknown[]; object?: KubeObject }[];
}

const clientFor = (o: Common) => cliClient(o.server, o.kubeconfig);

export async function runGet(res: string, name: string | undefined, o: GetOptions): Promise<void> {
  const r = resolveResource(res);
  const { client } = clientFor(o);
  const ns = r.scope === 'Namespaced' && !o.allNamespaces ? o.namespace : undefined;
  const q = new URLSearchParams();
  if (o.selector) q.set('labelSelector', o.selector);
  if (name) q.set('fieldSelector', `metadata.name=${name}`);
  const path = resourcePath(r, { namespace: ns }) + (q.size ? `?${q}` : '');
  const json = o.output === 'json' || o.output === 'name';
  const res2 = await client.transport.request({ method: 'GET', path, accept: json ? 'application/json' : 'application/json;as=Table;v=v1;g=meta.k8s.io' }).finally(() => client.close());
  if (o.output === 'json') return void process.stdout.write(JSON.stringify(JSON.parse(res2.body), null, 2) + '\n');
  if (o.output === 'name') {
    const list = JSON.parse(res2.body) as KubeList;
    return void process.stdout.write(list.items.map((i) => objectRef(r, i.metadata.name!)).join('\n') + (list.items.length ? '\n' : ''));
  }
  const table = JSON.parse(res2.body) as TableBody;
  if (table.rows.length === 0) return void process.stderr.write(`No resources found${ns ? ` in ${ns} namespace` : ''}.\n`);
  const wide = o.output === 'wide';
  const cols = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => wide || !c.priority);
  const header = [...(o.allNamespaces && r.scope === 'Namespaced' ? ['NAMESPACE'] : []), ...cols.map(({ c }) => c.name.toUpperCase())];
  const rows = table.rows.map((row) => [
    ...(o.allNamespaces && r.scope === 'Namespaced' ? [row.object?.metadata.namespace ?? ''] : []),
    ...cols.map(({ i }) => cell(row.cells[i])),
  ]);
  process.stdout.write(formatTable(header, rows));
}

export async function runApply(o: ApplyOptions): Promise<void> {
  const { client } = clientFor(o);
  const text = readFileSync(o.filename === '-' ? 0 : o.filename, 'utf8');
  const docs = parseAllDocuments(text);
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${o.filename}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (!obj) continue;
    const r = resourceByKind(obj.apiVersion, obj.kind);
    if (!r) throw new Error(`${o.filename}: no resource for ${obj.apiVersion}/${obj.kind}`);
    if (apiVersionOf(r) !== obj.apiVersion) throw new Error(`${o.filename}: unexpected apiVersion ${obj.apiVersion}`);
    const ns = r.scope === 'Namespaced' ? (obj.metadata?.namespace ?? o.namespace) : undefined;
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${o.filename}: every object needs metadata.name`);
    let existed = true;
    try {
      await client.get(r, ns, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      existed = false;
    }
    await client.patch(r, ns, name, { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } }, 'apply', { fieldManager: 'skiff', force: true });
    process.stdout.write(`${objectRef(r, name)} ${existed ? 'configured' : 'created'}\n`);
  }
}

export async function runDelete(res: string, names: string[], o: DeleteOptions): Promise<void> {
  const r = resolveResource(res);
  const { client } = clientFor(o);
  const ns = r.scope === 'Namespaced' ? o.namespace : undefined;
  for (const name of names) {
    await client.delete(r, ns, name, o.gracePeriod !== undefined ? { gracePeriodSeconds: Number(o.gracePeriod) } : {});
    process.stdout.write(`${r.singular}${r.group ? `.${r.group}` : ""} "${name}" deleted\n`);
  }
}

export async function runLogs(pod: string, o: LogsOptions): Promise<void> {
  const { client } = clientFor(o);
  const q = new URLSearchParams();
  if (o.container) q.set('container', o.container);
  if (o.follow) q.set('follow', 'true');
  if (o.tail) q.set('tailLines', o.tail);
  if (o.previous) q.set('previous', 'true');
  const name = pod.replace(/^(pods?|po)\//, '');
  const res = await client.transport.stream({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(name)}/log?${q}` });
  for await (const chunk of res as AsyncIterable<Uint8Array>) process.stdout.write(chunk);
  client.close();
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '<none>';
  return String(v);
}

