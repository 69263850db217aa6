// PodLogOptions from the query of pods/log, checked as Kubernetes' ValidatePodLogOptions does
// before anything reaches the node agent: int64 numbers (400 otherwise), then 422 Invalid for
// tailLines < 0, sinceSeconds < 1, limitBytes < 1, a sinceTime that is not RFC 3339, or both
// sinceSeconds and sinceTime.
import type { FieldCause } from '@skiff/api';
import { invalid } from '../errors/status.ts';
import { boolParam } from './bool-param.ts';
import { int64Param } from './int-param.ts';
import type { Query } from './query.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function checkPodLogOptions(q: Query, podName: string): void {
  const causes: FieldCause[] = [];
  for (const flag of ['follow', 'previous', 'timestamps', 'insecureSkipTLSVerifyBackend']) boolParam(q[flag], flag);
  const tailLines = int64Param(q.tailLines, 'tailLines');
  const sinceSeconds = int64Param(q.sinceSeconds, 'sinceSeconds');
  const limitBytes = int64Param(q.limitBytes, 'limitBytes');
  if (tailLines !== undefined && tailLines < 0) causes.push({ reason: 'FieldValueInvalid', field: 'tailLines', message: `Invalid value: ${tailLines}: must be greater than or equal to 0` });
  if (sinceSeconds !== undefined && sinceSeconds < 1) causes.push({ reason: 'FieldValueInvalid', field: 'sinceSeconds', message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
  if (limitBytes !== undefined && limitBytes < 1) causes.push({ reason: 'FieldValueInvalid', field: 'limitBytes', message: `Invalid value: ${limitBytes}: must be greater than 0` });
  const sinceTime = q.sinceTime;
  if (sinceTime !== undefined && sinceTime !== '' && (!RFC3339.test(sinceTime) || Number.isNaN(Date.parse(sinceTime)))) {
    causes.push({ reason: 'FieldValueInvalid', field: 'sinceTime', message: `Invalid value: ${JSON.stringify(sinceTime)}: must be an RFC 3339 time` });
  }
  if (sinceSeconds !== undefined && sinceTime) causes.push({ reason: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  if (causes.length > 0) throw invalid({ plural: 'podlogoptions', group: '', kind: 'PodLogOptions' }, podName, causes);
}
