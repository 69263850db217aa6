// Kubernetes' probe thresholds: a result flips to failure after failureThreshold consecutive
// failures and back to success after successThreshold consecutive successes.

export interface ProbeSettings {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface ProbeTally {
  /** The current verdict: undefined until the first decision. */
  result: boolean | undefined;
  successes: number;
  failures: number;
}

export const EMPTY_TALLY: ProbeTally = { result: undefined, successes: 0, failures: 0 };

export function tally(prev: ProbeTally, ok: boolean, s: Pick<ProbeSettings, 'successThreshold' | 'failureThreshold'>): ProbeTally {
  const successes = ok ? prev.successes + 1 : 0;
  const failures = ok ? 0 : prev.failures + 1;
  let result = prev.result;
  if (ok && successes >= s.successThreshold) result = true;
  if (!ok && failures >= s.failureThreshold) result = false;
  return { result, successes, failures };
}

export function settingsOf(probe: Partial<ProbeSettings>): ProbeSettings {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    timeoutSeconds: probe.timeoutSeconds ?? 1,
    successThreshold: probe.successThreshold ?? 1,
    failureThreshold: probe.failureThreshold ?? 3,
  };
}
