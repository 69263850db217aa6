import type { Command } from 'commander';
import { RESOURCES } from '@skiff/api';
import { isNotFound } from '@skiff/client';
import { SCHEDULER_ENDPOINT_ANNOTATION, SCHEDULER_LEASE, type ExplanationJSON } from '@skiff/scheduler';
import { cliClient } from '../kubeconfig.ts';
import { formatExplanation } from '../render/explain.ts';

const LEASES = RESOURCES.find((r) => r.group === 'coordination.k8s.io' && r.plural === 'leases')!;
const DEFAULT_SCHEDULER = 'http://127.0.0.1:10259';

/**
 * The active scheduler's endpoint: --scheduler, else $SKIFF_SCHEDULER, else what the leader wrote on
 * its Lease (it may have fallen back to a free port, or run in another server), else the default.
 */
async function schedulerEndpoint(o: { scheduler?: string; server?: string }): Promise<string> {
  if (o.scheduler) return o.scheduler;
  if (process.env.SKIFF_SCHEDULER) return process.env.SKIFF_SCHEDULER;
  try {
    const lease = await cliClient(o.server).client.get(LEASES, SCHEDULER_LEASE.namespace, SCHEDULER_LEASE.name);
    const advertised = lease.metadata.annotations?.[SCHEDULER_ENDPOINT_ANNOTATION];
    if (lease.spec?.holderIdentity && advertised) return advertised;
  } catch (err) {
    if (!isNotFound(err)) throw new Error(`cannot read the scheduler's Lease from the API server (--scheduler sets the endpoint): ${(err as Error).message}`);
  }
  return DEFAULT_SCHEDULER;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description("show why the scheduler put a pod where it did, or why it is pending: every node's verdict and every score")
    .argument('<pod>', 'pod/NAME or NAME')
    .option('-n, --namespace <ns>', 'namespace of the pod', 'default')
    .option('--scheduler <url>', `the scheduler's endpoint (default: $SKIFF_SCHEDULER, else the one the active scheduler advertises on Lease ${SCHEDULER_LEASE.namespace}/${SCHEDULER_LEASE.name}, else ${DEFAULT_SCHEDULER})`)
    .option('--server <url>', 'API server URL, to find the scheduler (default: kubeconfig from skiff up, else http://127.0.0.1:6443)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (pod: string, opts: { namespace: string; scheduler?: string; server?: string; output: string }) => {
      const name = pod.replace(/^(pods?|po)\//, '');
      const scheduler = await schedulerEndpoint(opts);
      let res: Response;
      try {
        res = await fetch(`${scheduler}/explain/${encodeURIComponent(opts.namespace)}/${encodeURIComponent(name)}`);
      } catch {
        throw new Error(`cannot reach the scheduler at ${scheduler} (is skiff server running? --scheduler sets the address)`);
      }
      if (res.status === 404) throw new Error(`the scheduler has no record of pod ${opts.namespace}/${name} (it keeps the last attempt of pods it has tried to schedule since it started)`);
      if (!res.ok) throw new Error(`the scheduler answered ${res.status}: ${await res.text()}`);
      const e = (await res.json()) as ExplanationJSON;
      process.stdout.write(opts.output === 'json' ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e));
    });
}
