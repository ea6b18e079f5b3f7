/**
 * One error base for everything the project reports to a person; each carries the exit code
 * the CLI uses (sysexits.h numbers, so CI scripts can tell a bad config from a failed gate).
 */
export abstract class EntitlementDiffError extends Error {
  abstract readonly exitCode: number;
}

/** Where in which file a problem is. `path` is the path inside the document, e.g. `issuers.legacy.audience`. */
export interface Location {
  file: string;
  path?: string;
  line?: number;
  column?: number;
}

export function formatLocation(loc: Location): string {
  const at = loc.line === undefined ? "" : `:${loc.line}${loc.column === undefined ? "" : `:${loc.column}`}`;
  return `${loc.file}${at}${loc.path ? ` (at ${loc.path})` : ""}`;
}

export interface ConfigProblem extends Location {
  message: string;
}

/** A configuration, rules or policy file that cannot be used. Exit 78 (EX_CONFIG). */
export class ConfigError extends EntitlementDiffError {
  readonly exitCode = 78;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${formatLocation(p)}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** Wrong command-line usage. Exit 64 (EX_USAGE). */
export class UsageError extends EntitlementDiffError {
  readonly exitCode = 64;
  override name = "UsageError";
}

/** An input file that cannot be read at all (missing, unreadable). Exit 66 (EX_NOINPUT). */
export class InputError extends EntitlementDiffError {
  readonly exitCode = 66;
  override name = "InputError";
}

/**
 * A command that worked and whose answer is "no": a gate that did not pass (exit 1, or 2 for
 * insufficient evidence), a promotion it refused. The message is printed as it is, without an
 * error name: it is a verdict, not a fault.
 */
export class Verdict extends EntitlementDiffError {
  override name = "Verdict";
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
