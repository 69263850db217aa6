// Defaults of ConfigMap-like kinds. A Secret's `stringData` is write-only: it is merged into `data`
// here (Kubernetes does it while converting the versioned object, so it also applies to patches)
// and never stored.

import { SECRET_TYPE_OPAQUE } from '../helpers/storage.ts';

type Obj = Record<string, any>;

export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = SECRET_TYPE_OPAQUE;
  const stringData = secret.stringData as Record<string, string> | undefined;
  delete secret.stringData;
  if (!stringData) return;
  const data: Record<string, string> = (secret.data ??= {});
  for (const k of Object.keys(stringData)) data[k] = Buffer.from(stringData[k], 'utf8').toString('base64');
}
