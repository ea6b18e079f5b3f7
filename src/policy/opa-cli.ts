import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { EntitlementDiffError } from "../errors/errors.js";

/** Keep in step with scripts/ensure-opa.sh, which installs this version. */
export const PINNED_OPA_VERSION = "1.22.2";

/** The pinned OPA CLI is missing, the wrong version, or a command of it failed. Exit 69 (EX_UNAVAILABLE). */
export class OpaCliError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "OpaCliError";
}

const located = new Map<string, string>();

/**
 * Absolute path of the pinned OPA CLI, found the way scripts/ensure-opa.sh finds it: `OPA_BIN`
 * when set (it must be the pinned version), else `opa` on PATH, else `$(go env GOPATH)/bin/opa`
 * (or GOBIN). Does not install: the error says to run the script, which does.
 */
export function locateOpa(env: NodeJS.ProcessEnv = process.env): string {
  const key = `${env.OPA_BIN ?? ""}\0${env.PATH ?? ""}`;
  const cached = located.get(key);
  if (cached) return cached;
  const found = findPinnedOpa(env);
  located.set(key, found);
  return found;
}

function findPinnedOpa(env: NodeJS.ProcessEnv): string {
  if (env.OPA_BIN) {
    const version = opaVersion(env.OPA_BIN);
    if (version === PINNED_OPA_VERSION) return path.resolve(env.OPA_BIN);
    throw new OpaCliError(
      `OPA_BIN=${env.OPA_BIN} is not OPA v${PINNED_OPA_VERSION} (found: ${version ?? "not an executable opa"})`,
    );
  }
  const candidates = [...onPath("opa", env), ...goBinCandidates(env)];
  const pinned = candidates.find((bin) => opaVersion(bin) === PINNED_OPA_VERSION);
  if (pinned) return path.resolve(pinned);
  const seen = candidates.map((bin) => `${bin} (${opaVersion(bin) ?? "unusable"})`).join(", ") || "none";
  throw new OpaCliError(
    `OPA v${PINNED_OPA_VERSION} not found (looked at: ${seen}); install it with: bash scripts/ensure-opa.sh`,
  );
}

/** The version `opa version` reports, or undefined when the file is not a runnable opa. */
export function opaVersion(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return /^Version:\s*(\S+)/m.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => path.join(dir, name))
    .filter(isExecutable);
}

function goBinCandidates(env: NodeJS.ProcessEnv): string[] {
  try {
    const [gobin = "", gopath = ""] = execFileSync("go", ["env", "GOBIN", "GOPATH"], {
      encoding: "utf8",
      env,
      stdio: ["ignore", "pipe", "ignore"],
    }).split("\n");
    const dir = gobin.trim() || path.join(gopath.split(path.delimiter)[0]?.trim() ?? "", "bin");
    const bin = path.join(dir, "opa");
    return isExecutable(bin) ? [bin] : [];
  } catch {
    return [];
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface OpaRunOptions {
  cwd?: string;
  /** Written to the command's stdin. */
  input?: string;
}

/** Runs the pinned CLI and returns its stdout; a non-zero exit throws with stderr in the message. */
export function runOpa(args: readonly string[], options: OpaRunOptions = {}): string {
  const bin = locateOpa();
  try {
    return execFileSync(bin, args, {
      cwd: options.cwd,
      input: options.input,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (err) {
    const failure = err as { status?: number | null; stderr?: string; stdout?: string; message: string };
    const detail = (failure.stderr || failure.stdout || failure.message).trim();
    throw new OpaCliError(`opa ${args.join(" ")} failed (exit ${failure.status ?? "?"}):\n${detail}`);
  }
}
