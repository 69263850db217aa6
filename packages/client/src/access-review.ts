// "May this user do that?", asked of the API server (a SubjectAccessReview): the one way a
// component outside the API server reuses its authorizer (kube-controller-manager's csrapproving
// asks the same). The caller needs `create subjectaccessreviews`.
import { SUBJECT_ACCESS_REVIEWS, type ResourceAttributes, type SubjectAccessReview } from '@skiff/api';
import type { RestClient } from './rest-client.ts';

export interface ReviewedSubject {
  user: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** Whether the server's authorizer allows `subject` the request `attributes` describes. */
export async function subjectAccessAllowed(client: RestClient, subject: ReviewedSubject, attributes: ResourceAttributes): Promise<boolean> {
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: {},
    spec: { ...subject, resourceAttributes: attributes },
  } as SubjectAccessReview;
  const answer = await client.create(SUBJECT_ACCESS_REVIEWS, review as never);
  return (answer as unknown as SubjectAccessReview).status?.allowed === true;
}
