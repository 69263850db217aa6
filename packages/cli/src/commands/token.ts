// `skiff token create|list|delete`: bootstrap tokens for joining hosts (ADR 0019), kept as the
// Secrets `bootstrap-token-<id>` in kube-system as kubeadm keeps them. `create` prints the join
// string `K10<CA hash>::<id>.<secret>` that `skiff agent --token` (or `skiff join`) takes.
// Their options and help here; the client loads only when one runs (actions/token.ts).
import type { Command } from 'commander';

export interface Common {
  server?: string;
  kubeconfig?: string;
}
export type TokenCreateOptions = Common & { ttl: string; description?: string };

/** kubeadm's default --ttl. */
const DEFAULT_TTL = '24h';

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage bootstrap tokens, with which hosts join the cluster (skiff agent --token)');
  const common = (c: Command) =>
    c.option('--server <url>', 'API server URL (default: the kubeconfig)').option('--kubeconfig <file>', 'kubeconfig of an admin (default: $KUBECONFIG, else the one skiff up wrote)');

  common(token.command('create'))
    .description('make a bootstrap token and print its join string, K10<CA hash>::<token>')
    .option('--ttl <duration>', 'how long the token is valid (0: never)', DEFAULT_TTL)
    .option('--description <text>', 'what the token is for')
    .action(async (o: TokenCreateOptions) => (await import('../actions/token.ts')).runTokenCreate(o));

  common(token.command('list'))
    .description('list the bootstrap tokens (their IDs; never their secrets)')
    .action(async (o: Common) => (await import('../actions/token.ts')).runTokenList(o));

  common(token.command('delete'))
    .description('delete a bootstrap token (by its ID, or the whole token): hosts can no longer join with it')
    .argument('<id...>', 'token IDs ([a-z0-9]{6}) or tokens')
    .action(async (ids: string[], o: Common) => (await import('../actions/token.ts')).runTokenDelete(ids, o));
}
