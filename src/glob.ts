/** Globs as operators write them in selectors and allow/deny lists: `*` any run, `?` one character. */

/** An anchored regular expression for a glob; every other character matches itself. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}
