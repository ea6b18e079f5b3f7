import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const POLICY_DIR = path.join(REPO_ROOT, "policies");
export const COMMITTED_BUNDLE = path.join(POLICY_DIR, "bundle.tar.gz");
export const SHAPES_FIXTURE = path.join(REPO_ROOT, "test/fixtures/policy/shapes");

export const SHAPES_ENTRYPOINTS = [
  "fixture/decision",
  "fixture/bare",
  "fixture/sometimes",
  "fixture/no_reasons",
  "fixture/bad_allow",
  "fixture/bad_reasons",
  "fixture/bad_string",
  "fixture/conflict",
  "fixture/heavy",
  "fixture/unimplemented",
];

export interface BuildOptions {
  src?: string;
  out: string;
  entrypoints?: readonly string[];
}

/** Builds a bundle with scripts/build-policies.sh, the one definition of how bundles are built. */
export function buildBundle(options: BuildOptions): void {
  const args = [path.join(REPO_ROOT, "scripts/build-policies.sh"), "--out", options.out];
  if (options.src) args.push("--src", options.src);
  for (const entrypoint of options.entrypoints ?? []) args.push("--entrypoint", entrypoint);
  runScript(args);
}

/** Runs a bash script from the repository root; a failure carries its stderr. */
export function runScript(args: readonly string[]): string {
  try {
    return execFileSync("bash", args, {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const failure = err as { status?: number | null; stdout?: string; stderr?: string };
    throw new Error(
      `bash ${args.join(" ")} exited ${failure.status ?? "?"}\n${failure.stdout ?? ""}\n${failure.stderr ?? ""}`,
    );
  }
}

export interface TempDir {
  path: string;
  file(name: string): string;
  remove(): void;
}

export function makeTempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(tmpdir(), `entitlement-diff-${prefix}-`));
  return {
    path: dir,
    file: (name) => path.join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
