// Resolves what a user types (`po`, `pods`, `deploy`, `deployment.apps`) to a registered resource.
import { RESOURCES, type ResourceInfo } from '@skiff/api';

export function resolveResource(word: string): ResourceInfo {
  const w = word.toLowerCase();
  const [name, group] = w.includes('.') ? [w.slice(0, w.indexOf('.')), w.slice(w.indexOf('.') + 1)] : [w, undefined];
  const found = RESOURCES.find(
    (r) => (group === undefined || r.group === group) && (r.plural === name || r.singular === name || r.shortNames.includes(name) || r.kind.toLowerCase() === name),
  );
  if (!found) throw new Error(`the server doesn't have a resource type "${word}" (known: ${RESOURCES.map((r) => r.plural).join(', ')})`);
  return found;
}

/** `deployment.apps/web`, `pod/web-1`: how kubectl names an object in its messages. */
export function objectRef(r: ResourceInfo, name: string): string {
  return `${r.singular}${r.group ? `.${r.group}` : ''}/${name}`;
}
