/**
 * Absent and JSON null are the same thing to the condition language: "no value". Every
 * comparison with no value on either side is false (fail closed); only `exists` asks about it.
 */
export function isMissing(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}
