// Defaults of ConfigMap-like kinds. A Secret's `stringData` is write-only: it is merged into `data`
// here (Kubernetes does it while converting the versioned object, so it also applies to patches)
// and never stored.

import type { Secret } from '../model/types.generated.ts';
import type { Incoming } from '../object.ts';
import { SECRET_TYPE_OPAQUE } from '../helpers/storage.ts';

export function defaultSecret(secret: Incoming<Secret>): void {
  if (!secret.type) secret.type = SECRET_TYPE_OPAQUE;
  const stringData = secret.stringData;
  delete secret.stringData;
  if (!stringData) return;
  const data = (secret.data ??= {});
  for (const [k, v] of Object.entries(stringData)) if (v !== undefined) data[k] = Buffer.from(v, 'utf8').toString('base64');
}
