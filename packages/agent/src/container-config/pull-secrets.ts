// Registry credentials from imagePullSecrets, chosen as the kubelet's credential keyring does: a
// kubernetes.io/dockerconfigjson (or legacy dockercfg) Secret maps registry patterns to
// credentials; every entry matching the image's registry and path is a candidate, the most
// specific first, and the pull tries each in turn.
import type { KubeObject } from '@skiff/api';
import type { RegistryAuth } from '../runtime/types.ts';

const DEFAULT_REGISTRY = 'index.docker.io';

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
}

/** The registry host and path of an image reference (`nginx` is `index.docker.io/library/nginx`). */
export function parseImageRegistry(image: string): { host: string; path: string } {
  const noDigest = image.split('@')[0];
  const slash = noDigest.indexOf('/');
  const first = slash >= 0 ? noDigest.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : DEFAULT_REGISTRY;
  let path = hasHost ? noDigest.slice(slash + 1) : noDigest;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) path = path.slice(0, colon);
  if (!hasHost && !path.includes('/')) path = `library/${path}`;
  return { host, path };
}

/** The `auths` of a dockerconfigjson or dockercfg Secret; {} for any other Secret or bad data. */
export function dockerConfigEntries(secret: KubeObject): Record<string, DockerConfigEntry> {
  const s = secret as KubeObject & { type?: string; data?: Record<string, string> };
  try {
    if (s.type === 'kubernetes.io/dockerconfigjson' && s.data?.['.dockerconfigjson']) {
      return (JSON.parse(Buffer.from(s.data['.dockerconfigjson'], 'base64').toString('utf8')) as { auths?: Record<string, DockerConfigEntry> }).auths ?? {};
    }
    if (s.type === 'kubernetes.io/dockercfg' && s.data?.['.dockercfg']) {
      return JSON.parse(Buffer.from(s.data['.dockercfg'], 'base64').toString('utf8')) as Record<string, DockerConfigEntry>;
    }
  } catch {
    return {};
  }
  return {};
}

/**
 * The credentials for pulling `image`, most specific match first, from the pod's pull secrets in
 * their order. A key matches when its host equals the image's (Docker Hub's aliases count as one)
 * and its path, if any, is a prefix of the image's path at a `/` boundary.
 */
export function selectPullCredentials(image: string, secrets: KubeObject[]): RegistryAuth[] {
  const target = parseImageRegistry(image);
  const matches: { specificity: number; order: number; auth: RegistryAuth }[] = [];
  let order = 0;
  for (const secret of secrets) {
    for (const [key, entry] of Object.entries(dockerConfigEntries(secret))) {
      const m = parseKey(key);
      if (!m || normaliseHost(m.host) !== normaliseHost(target.host)) continue;
      if (m.path && target.path !== m.path && !target.path.startsWith(`${m.path}/`)) continue;
      const { username, password } = entry.username !== undefined || entry.password !== undefined ? entry : decodeAuth(entry.auth);
      matches.push({ specificity: m.path.length, order: order++, auth: { username, password, serveraddress: key } });
    }
  }
  return matches.sort((a, b) => b.specificity - a.specificity || a.order - b.order).map((m) => m.auth);
}

/** A docker config key: `host[/path]`, optionally with a scheme (`https://index.docker.io/v1/`). */
function parseKey(key: string): { host: string; path: string } | undefined {
  const rest = key.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (!rest) return undefined;
  const slash = rest.indexOf('/');
  const host = slash >= 0 ? rest.slice(0, slash) : rest;
  let path = slash >= 0 ? rest.slice(slash + 1) : '';
  // Docker Hub's legacy key names its API version, not a repository.
  if (normaliseHost(host) === DEFAULT_REGISTRY && /^v\d+$/.test(path)) path = '';
  return { host, path };
}

const normaliseHost = (h: string) => (h === 'docker.io' || h === 'registry-1.docker.io' || h === 'index.docker.io' ? DEFAULT_REGISTRY : h.toLowerCase());

function decodeAuth(auth: string | undefined): { username?: string; password?: string } {
  if (!auth) return {};
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? {} : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
