// An authorizer's answer, as Kubernetes' authorizer.Decision: allow, deny, or no opinion (the
// next authorizer decides); a reason says why, for the 403's message.
export type Decision = { kind: 'allow' } | { kind: 'deny'; reason: string } | { kind: 'none'; reason: string };

export const ALLOW: Decision = Object.freeze({ kind: 'allow' });
export const NO_OPINION: Decision = Object.freeze({ kind: 'none', reason: '' });

export function noOpinion(reason: string): Decision {
  return { kind: 'none', reason };
}
