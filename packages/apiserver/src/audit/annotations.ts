// What later stages tell the audit log about a request (Kubernetes' audit.AddAuditAnnotation and
// the impersonation filter's record of the real user): kept on the request itself, so a stage
// writes it whether or not an audit log is configured, and the event reads it when the response
// closes.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from '../auth/user.ts';

const ANNOTATIONS = Symbol('skiff.audit.annotations');
const IMPERSONATOR = Symbol('skiff.audit.impersonator');

interface Noted {
  [ANNOTATIONS]?: Record<string, string>;
  [IMPERSONATOR]?: UserInfo;
}

export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
export const REASON_ANNOTATION = 'authorization.k8s.io/reason';

export function addAuditAnnotation(req: IncomingMessage, key: string, value: string): void {
  const n = req as Noted;
  (n[ANNOTATIONS] ??= {})[key] = value;
}

export function auditAnnotations(req: IncomingMessage): Record<string, string> | undefined {
  return (req as Noted)[ANNOTATIONS];
}

/** The authenticated user of a request that impersonates another (the event's `user`; the other is `impersonatedUser`). */
export function recordImpersonator(req: IncomingMessage, user: UserInfo): void {
  (req as Noted)[IMPERSONATOR] = user;
}

export function impersonatorOf(req: IncomingMessage): UserInfo | undefined {
  return (req as Noted)[IMPERSONATOR];
}
