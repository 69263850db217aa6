// `skiff token create|list|delete`: bootstrap tokens for joining hosts (ADR 0019), kept as the
// Secrets `bootstrap-token-<id>` in kube-system as kubeadm keeps them. `create` prints the join
// string `K10<CA hash>::<id>.<secret>` that `skiff agent --token` (or `skiff join`) takes.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_PATTERN, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapSecretName, bootstrapTokenSecret, caHash, formatJoinString, newBootstrapToken, parseGoDuration, SECRETS, type KubeObject, type Secret } from '@skiff/api';
import { isNotFound, RestClient } from '@skiff/client';
import { clientOptions, resolveServer } from '../kubeconfig.ts';

interface Common {
  server?: string;
  kubeconfig?: string;
}

/** kubeadm's default --ttl. */
const DEFAULT_TTL = '24h';

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

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage bootstrap tokens, with which hosts join the cluster (skiff agent --token)');
  const common = (c: Command) =>
    c.option('--server <url>', 'API server URL (default: the kubeconfig)').option('--kubeconfig <file>', 'kubeconfig of an admin (default: $KUBECONFIG, else the one skiff up wrote)');

  common(token.command('create'))
    .description('make a bootstrap token and print its join string, K10<CA hash>::<token>')
    .option('--ttl <duration>', 'how long the token is valid (0: never)', DEFAULT_TTL)
    .option('--description <text>', 'what the token is for')
    .action(async (o: Common & { ttl: string; description?: string }) => {
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
    });

  common(token.command('list'))
    .description('list the bootstrap tokens (their IDs; never their secrets)')
    .action(async (o: Common) => {
      const { client } = connect(o);
      try {
        const list = await client.list(SECRETS, { namespace: BOOTSTRAP_TOKEN_NAMESPACE, fieldSelector: `type=${BOOTSTRAP_TOKEN_SECRET_TYPE}` });
        const rows = list.items.map((s) => tokenRow(s as unknown as Secret, new Date()));
        process.stdout.write(rows.length ? table([['ID', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS'], ...rows]) : 'no bootstrap tokens\n');
      } finally {
        client.close();
      }
    });

  common(token.command('delete'))
    .description('delete a bootstrap token (by its ID, or the whole token): hosts can no longer join with it')
    .argument('<id...>', 'token IDs ([a-z0-9]{6}) or tokens')
    .action(async (ids: string[], o: Common) => {
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
    });
}
