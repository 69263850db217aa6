// What `skiff token create|list|delete` do, on the bootstrap-token Secrets in kube-system.
import { InvalidArgumentError } from 'commander';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_PATTERN, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapSecretName, bootstrapTokenSecret, caHash, formatJoinString, newBootstrapToken, parseGoDuration, SECRETS, type KubeObject, type Secret } from '@skiff/api';
import { isNotFound, RestClient } from '@skiff/client';
import { clientOptions, resolveServer } from '../kubeconfig.ts';
import type { Common, TokenCreateOptions } from '../commands/token.ts';

export function parseTtl(v: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(v);
  } catch {
    throw new InvalidArgumentError(`not a duration: ${v} (e.g. 24h, 90m, 0 for never)`);
  }
  if (ms < 0) throw new InvalidArgumentError(`a token's lifetime cannot be negative: ${v}`);
  if (ms > 0 && ms < 1000) throw new InvalidArgumentError(`a token's lifetime must be at least 1s (or 0 for never): ${v}`);
  return Math.floor(ms / 1000);
}

function connect(o: Common): { client: RestClient; ca?: string } {
  const s = resolveServer(o.server, o.kubeconfig);
  return { client: new RestClient({ ...clientOptions(s), userAgent: 'skiff-cli' }), ca: s.ca };
}

/** The cluster CA, from the kubeconfig or else from the server (over the connection the kubeconfig trusts). */
async function clusterCA(client: RestClient, fromKubeconfig: string | undefined): Promise<string> {
  if (fromKubeconfig) return fromKubeconfig;
  const res = await client.transport.request({ method: 'GET', path: '/cacerts', accept: 'application/x-pem-file' });
  return res.body;
}

const decode = (s: Secret, k: string) => (s.data?.[k] !== undefined ? Buffer.from(s.data[k], 'base64').toString('utf8') : undefined);

/** One `skiff token list` row (never the secret part). */
export function tokenRow(s: Secret, now: Date): string[] {
  const expiration = decode(s, 'expiration');
  const usages = ['authentication', 'signing'].filter((u) => decode(s, `usage-bootstrap-${u}`) === 'true').join(',');
  let ttl = '<forever>';
  if (expiration) {
    const left = Date.parse(expiration) - now.getTime();
    ttl = Number.isNaN(left) ? '<invalid>' : left <= 0 ? '<expired>' : `${Math.floor(left / 3_600_000)}h${Math.floor((left % 3_600_000) / 60_000)}m`;
  }
  return [decode(s, 'token-id') ?? '', ttl, expiration ?? '<never>', usages || '<none>', decode(s, 'description') ?? '<none>', decode(s, 'auth-extra-groups') ?? ''];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export async function runTokenCreate(o: TokenCreateOptions): Promise<void> {
  const ttlSeconds = parseTtl(o.ttl);
  const { client, ca } = connect(o);
  try {
    const pem = await clusterCA(client, ca);
    const t = newBootstrapToken();
    await client.create(SECRETS, bootstrapTokenSecret({ id: t.id, secret: t.secret, ttlSeconds: ttlSeconds || undefined, description: o.description }) as unknown as KubeObject);
    process.stdout.write(`${formatJoinString(caHash(pem), t.token)}\n`);
  } finally {
    client.close();
  }
}

export async function runTokenList(o: Common): Promise<void> {
  const { client } = connect(o);
  try {
    const list = await client.list(SECRETS, { namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
    const rows = list.items.map((s) => tokenRow(s as unknown as Secret, new Date()));
    process.stdout.write(rows.length ? table([['ID', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'], ...rows]) : 'no bootstrap tokens\n');
  } finally {
    client.close();
  }
}

export async function runTokenDelete(ids: string[], o: Common): Promise<void> {
  const { client } = connect(o);
  try {
    for (const given of ids) {
      const id = BOOTSTRAP_TOKEN_PATTERN.exec(given)?.[1] ?? given;
      if (!/^[a-z0-9]{6}$/.test(id)) throw new InvalidArgumentError(`not a token ID: ${JSON.stringify(given)} (6 characters [a-z0-9], or a whole token)`);
      try {
        await client.delete(SECRETS, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapSecretName(id));
      } catch (e) {
        if (isNotFound(e)) throw new Error(`bootstrap token "${id}" not found`);
        throw e;
      }
      process.stdout.write(`bootstrap token "${id}" deleted\n`);
    }
  } finally {
    client.close();
  }
}
