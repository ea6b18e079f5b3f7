/** The verified JWT claims of one token. Only produced by identity/ after verification. */
export type Claims = Readonly<Record<string, unknown>>;

/** Reads a dot path (`realm_access.roles`) from a JSON-like value; undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
