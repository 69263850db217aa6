// kubectl-like verbs for the everyday loop without kubectl: get, apply, delete, logs. Their
// options and help; the client loads only when one runs (actions/verbs.ts).
import type { Command } from 'commander';

export interface Common {
  server?: string;
  kubeconfig?: string;
  namespace: string;
}
export type GetOptions = Common & { allNamespaces?: boolean; selector?: string; output?: string };
export type ApplyOptions = Common & { filename: string };
export type DeleteOptions = Common & { gracePeriod?: string };
export type LogsOptions = Common & { container?: string; follow?: boolean; tail?: string; previous?: boolean };

const common = (c: Command) =>
  c
    .option('--server <url>', 'API server URL (default: kubeconfig from skiff up, else https://127.0.0.1:6443)')
    .option('--kubeconfig <file>', 'kubeconfig with the server, its CA and your credentials (default: $KUBECONFIG, else the one skiff up wrote)')
    .option('-n, --namespace <ns>', 'namespace', 'default');

export function registerVerbs(program: Command): void {
  common(program.command('get'))
    .description('list objects of a resource (or one by name) as the server\'s table, or -o wide|json|name')
    .argument('<resource>', 'pods, deploy, svc, nodes, ...')
    .argument('[name]')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <selector>', 'label selector')
    .option('-o, --output <format>', 'table (default), wide, json or name')
    .action(async (res: string, name: string | undefined, o: GetOptions) => (await import('../actions/verbs.ts')).runGet(res, name, o));

  common(program.command('apply'))
    .description('create or update the objects in a YAML/JSON file (server-side apply, field manager "skiff")')
    .requiredOption('-f, --filename <file>', 'file with one or more objects, - for standard input')
    .action(async (o: ApplyOptions) => (await import('../actions/verbs.ts')).runApply(o));

  common(program.command('delete'))
    .description('delete objects by name')
    .argument('<resource>')
    .argument('<names...>')
    .option('--grace-period <s>', 'seconds to let pods stop (0 = at once)')
    .action(async (res: string, names: string[], o: DeleteOptions) => (await import('../actions/verbs.ts')).runDelete(res, names, o));

  common(program.command('logs'))
    .description("print a pod container's logs")
    .argument('<pod>')
    .option('-c, --container <name>', 'container (default: the only one)')
    .option('-f, --follow', 'keep streaming')
    .option('--tail <n>', 'only the last n lines')
    .option('-p, --previous', 'the previous, terminated container')
    .action(async (pod: string, o: LogsOptions) => (await import('../actions/verbs.ts')).runLogs(pod, o));
}
