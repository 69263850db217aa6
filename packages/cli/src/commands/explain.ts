import type { Command } from 'commander';
import type { ExplanationJSON } from '@skiff/scheduler';
import { formatExplanation } from '../render/explain.ts';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description("show why the scheduler put a pod where it did, or why it is pending: every node's verdict and every score")
    .argument('<pod>', 'pod/NAME or NAME')
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .option('--scheduler <url>', "the scheduler's endpoint", process.env.SKIFF_SCHEDULER ?? 'http://127.0.0.1:10259')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (pod: string, opts: { namespace: string; scheduler: string; output: string }) => {
      const name = pod.replace(/^(pods?|po)\//, '');
      let res: Response;
      try {
        res = await fetch(`${opts.scheduler}/explain/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(name)}`);
      } catch {
        throw new Error(`cannot reach the scheduler at ${opts.scheduler} (is skiff server running? --scheduler sets the address)`);
      }
      if (res.status === 404) throw new Error(`the scheduler has no record of pod ${opts.namespace}/${name} (it keeps the last attempt of pods it has tried to schedule since it started)`);
      if (!res.ok) throw new Error(`the scheduler answered ${res.status}: ${await res.text()}`);
      const e = (await res.json()) as ExplanationJSON;
      process.stdout.write(opts.output === 'json' ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e));
    });
}
