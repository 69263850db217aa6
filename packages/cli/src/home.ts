// Where skiff keeps a user's local cluster (data, logs, kubeconfig): $SKIFF_HOME, else ~/.skiff.
// A module of its own, light to load, because commands name it in their help.
import { join } from 'node:path';

export function skiffHome(): string {
  return process.env.SKIFF_HOME ?? join(process.env.HOME ?? '.', '.skiff');
}
