// Kubernetes' `$(VAR)` expansion (k8s.io/kubernetes third_party/forked/golang/expansion), used for
// env values, command and args: `$(NAME)` becomes NAME's value when NAME is defined and stays as
// written otherwise; `$$` is an escaped `$`; any other `$x` is kept as is.

/** Expands `$(NAME)` references in `input` from `vars`, exactly as the kubelet does. */
export function expandVars(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = readVariableName(input.slice(cursor + 1));
    out += isVar ? (vars.get(read) ?? `$(${read})`) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function readVariableName(rest: string): { read: string; isVar: boolean; advance: number } {
  if (rest[0] === '$') return { read: '$', isVar: false, advance: 1 }; // escaped operator
  if (rest[0] === '(') {
    const close = rest.indexOf(')', 1);
    if (close >= 0) return { read: rest.slice(1, close), isVar: true, advance: close + 1 };
    return { read: '$(', isVar: false, advance: 1 }; // incomplete reference: kept literally
  }
  // Not the start of a reference: the operator and the character after it, as written.
  return { read: `$${rest[0]}`, isVar: false, advance: 1 };
}
