// Content negotiation for the Accept header forms kubectl sends, e.g.
//   application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json
//   application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json

export interface MediaRange {
  /** Lower-cased `type/subtype`, e.g. `application/json`. */
  type: string;
  /** Parameter names lower-cased; values as sent, unquoted. */
  params: Record<string, string>;
}

export function parseAccept(header: string | string[] | undefined): MediaRange[] {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return [];
  const ranges: MediaRange[] = [];
  for (const part of raw.split(',')) {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq <= 0) continue;
      params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    }
    ranges.push({ type: type.toLowerCase(), params });
  }
  return ranges;
}

function isJson(type: string): boolean {
  return type === 'application/json' || type === 'application/*' || type === '*/*';
}

/**
 * Whether the client offers to take a JSON body of the given `as`/`g`/`v` kind, e.g.
 * `as=Table;g=meta.k8s.io;v=v1`. Ranges with `q=0` are refused offers.
 */
export function acceptsAs(header: string | string[] | undefined, want: { as: string; g: string; v: string }): boolean {
  return parseAccept(header).some(
    (r) => isJson(r.type) && r.params.as === want.as && r.params.g === want.g && r.params.v === want.v && r.params.q !== '0',
  );
}

/** Whether the client asked for a server-side Table (`application/json;as=Table;v=v1;g=meta.k8s.io`). */
export function tableAccept(header: string | string[] | undefined): boolean {
  return acceptsAs(header, { as: 'Table', g: 'meta.k8s.io', v: 'v1' });
}
