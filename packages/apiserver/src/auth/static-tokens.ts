// kube-apiserver's --token-auth-file: a CSV of `token,user,uid,"group1,group2"` (the groups
// column optional). Read once at start; a malformed line stops the server with its line number
// (never the token itself).
import type { UserInfo } from './user.ts';

/** Parses the file's text: token to identity. */
export function parseStaticTokens(text: string, source = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const fields = splitCsv(line);
    if (!fields || fields.length < 3 || !fields[0] || !fields[1]) {
      throw new Error(`${source}, line ${i + 1}: expected token,user,uid[,"group1,group2"]`);
    }
    if (tokens.has(fields[0])) throw new Error(`${source}, line ${i + 1}: duplicate token`);
    const groups = (fields[3] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    tokens.set(fields[0], { username: fields[1], uid: fields[2] || undefined, groups });
  }
  return tokens;
}

/** One CSV record: comma-separated fields, a field in double quotes may hold commas ("" is a quote). */
function splitCsv(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      if (i < line.length && line[i] !== ',') return undefined;
      i++;
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end < 0 ? line.length : end).trim());
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return out;
}
