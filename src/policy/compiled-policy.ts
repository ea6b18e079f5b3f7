import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors/errors.js";
import { isGzip, readTarGz } from "./bundle-archive.js";
import { isWasmModule } from "./wasm-memory-import.js";

/** The bytes an evaluator needs, read from an `opa build -t wasm` bundle or a bare policy.wasm. */
export interface CompiledPolicy {
  file: string;
  wasm: Buffer;
  /** The bundle's /data.json as stored; undefined for a bare .wasm (evaluated with data `{}`). */
  data: Buffer | undefined;
  /** sha256 hex over the Wasm bytes followed by the data.json bytes (when there is one). */
  sha256: string;
}

const DEFAULT_MODULE_PATH = "policy.wasm";
const DATA_PATH = "data.json";

export function readCompiledPolicy(file: string, entrypoint: string): CompiledPolicy {
  const bytes = readPolicyFile(file);
  if (isWasmModule(bytes)) return withDigest({ file, wasm: bytes, data: undefined });
  if (!isGzip(bytes)) {
    throw new ConfigError([
      { file, message: "neither an OPA bundle (.tar.gz from `opa build -t wasm`) nor a Wasm module (.wasm)" },
    ]);
  }
  const entries = readTarGz(bytes, file);
  const modulePath = wasmModulePath(entries, entrypoint, file);
  const wasm = entries.get(modulePath);
  if (!wasm || !isWasmModule(wasm)) {
    throw new ConfigError([
      { file, message: `the bundle has no Wasm module (${modulePath}); build it with \`opa build -t wasm\`` },
    ]);
  }
  return withDigest({ file, wasm, data: bundleData(entries, file) });
}

function readPolicyFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "file not found" : (err as Error).message;
    throw new ConfigError([{ file, message: `cannot read the policy bundle: ${reason}` }]);
  }
}

/** The manifest names the module per entrypoint; `opa build` always calls it /policy.wasm today. */
function wasmModulePath(entries: Map<string, Buffer>, entrypoint: string, file: string): string {
  const manifest = entries.get(".manifest");
  if (!manifest) return DEFAULT_MODULE_PATH;
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest.toString("utf8"));
  } catch (err) {
    throw new ConfigError([{ file, path: ".manifest", message: `not JSON: ${(err as Error).message}` }]);
  }
  const modules = (parsed as { wasm?: unknown }).wasm;
  if (!Array.isArray(modules)) return DEFAULT_MODULE_PATH;
  const match = modules.find((m: { entrypoint?: unknown }) => m?.entrypoint === entrypoint) as
    | { module?: unknown }
    | undefined;
  const path = typeof match?.module === "string" ? match.module : DEFAULT_MODULE_PATH;
  return path.replace(/^\/+/, "");
}

function bundleData(entries: Map<string, Buffer>, file: string): Buffer | undefined {
  // `opa build` merges every data file into the root /data.json; nested ones would be silently
  // ignored by the Wasm evaluator, so refuse them rather than evaluate with partial data.
  const nested = [...entries.keys()].filter(
    (name) => name !== DATA_PATH && /(^|\/)data\.(json|ya?ml)$/.test(name),
  );
  if (nested.length > 0) {
    throw new ConfigError([
      { file, message: `data files outside the bundle root are not supported: ${nested.join(", ")}` },
    ]);
  }
  const data = entries.get(DATA_PATH);
  if (data === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw new ConfigError([{ file, path: DATA_PATH, message: `not JSON: ${(err as Error).message}` }]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([
      { file, path: DATA_PATH, message: "the base data document must be a JSON object" },
    ]);
  }
  return data;
}

function withDigest(policy: Omit<CompiledPolicy, "sha256">): CompiledPolicy {
  const hash = createHash("sha256").update(policy.wasm);
  if (policy.data) hash.update(policy.data);
  return { ...policy, sha256: hash.digest("hex") };
}
