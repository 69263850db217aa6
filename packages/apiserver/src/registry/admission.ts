// Validating admission that depends on who writes (kube-apiserver's admission chain, after
// defaulting and validation): RBAC's escalation checks and NodeRestriction. Writes the server
// makes itself carry no user and are not checked.
import type { KubeObject } from '@skiff/api';
import type { UserInfo } from '../auth/user.ts';
import type { ResourceRef } from '../errors/status.ts';

export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The storage key (`pods`, `rbac.authorization.k8s.io/roles`). */
  resource: string;
  ref: ResourceRef;
  /** '' for the main resource, `status`, ... */
  subresource: string;
  namespace: string;
  name: string;
  /** The object to be stored (CREATE, UPDATE). */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  old?: KubeObject;
  user: UserInfo;
}

/** Throws an ApiError (403) to refuse. */
export type ValidatingAdmission = (a: AdmissionAttributes) => void;

/** Runs each in order. */
export function admissionChain(plugins: ValidatingAdmission[]): ValidatingAdmission {
  return (a) => {
    for (const p of plugins) p(a);
  };
}
