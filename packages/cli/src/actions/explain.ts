// What `skiff explain` does: asks the active scheduler's endpoint for its record of a pod's last
// scheduling attempt and prints it.
import { LEASES } from '@skiff/api';
import { isNotFound } from '@skiff/client';
import { SCHEDULER_ENDPOINT_ANNOTATION, SCHEDULER_LEASE, type ExplanationJSON } from '@skiff/scheduler';
import { cliClient } from '../kubeconfig.ts';
import { formatExplanation } from '../render/explain.ts';
import { DEFAULT_SCHEDULER } from '../component-ports.ts';
import type { ExplainOptions } from '../commands/explain.ts';

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

export async function runExplain(pod: string, opts: ExplainOptions): Promise<void> {
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
}
