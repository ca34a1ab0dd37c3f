/**
 * A file-name pattern such as `{patient}_{record}_{column}.jpg` as a regular expression: each
 * `{name}` field matches one or more characters other than `/` (shortest first), everything else
 * matches literally. `fields` lists the field names in capture-group order.
 */
export function compileNamePattern(pattern: string): { readonly regex: RegExp; readonly fields: readonly string[] } {
  const fields: string[] = [];
  const source = pattern.replace(/\{(\w+)\}|([^{]+|\{)/g, (_, name: string | undefined, literal: string | undefined) => {
    if (name !== undefined) {
      fields.push(name);
      return '([^/]+?)';
    }
    return literal!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return { regex: new RegExp(`^${source}$`), fields };
}
