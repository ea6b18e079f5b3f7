import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { tokensFileFor } from "../paths.js";
import type { ExpectedManifest } from "./expected-manifest.js";
import { type DemoTrafficOptions, generateDemoTraffic } from "./traffic.js";

export interface DemoFilesResult {
  manifest: ExpectedManifest;
  lines: number;
  bytes: number;
  tokensSigned: number;
  elapsedMs: number;
}

/** Lines are written in chunks of about this many bytes, waiting for the stream to drain. */
const CHUNK_BYTES = 1 << 20;

/**
 * Writes the demo events (NDJSON), their token lifecycle events (`x.tokens.ndjson` beside them)
 * and the ground-truth manifest. The events stream: memory stays small however many are asked
 * for; the lifecycle events (a few per principal) are written at the end.
 */
export async function writeDemoFiles(
  options: DemoTrafficOptions,
  eventsFile: string,
  expectedFile: string,
): Promise<DemoFilesResult> {
  const began = performance.now();
  await mkdir(dirname(eventsFile), { recursive: true });
  await mkdir(dirname(expectedFile), { recursive: true });
  const traffic = generateDemoTraffic(options);
  const out = createWriteStream(eventsFile, { encoding: "utf8" });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  let chunk: string[] = [];
  let chunkBytes = 0;
  let bytes = 0;
  let lines = 0;
  const flush = async () => {
    const text = chunk.join("");
    chunk = [];
    chunkBytes = 0;
    if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
  };
  for (const line of traffic.lines) {
    const text = `${line}\n`;
    chunk.push(text);
    chunkBytes += text.length;
    bytes += Buffer.byteLength(text);
    lines++;
    if (chunkBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  out.end();
  await Promise.race([once(out, "finish"), failed]);
  const manifest = traffic.expected();
  const lifecycle = traffic.lifecycleLines();
  await writeFile(tokensFileFor(eventsFile), lifecycle.length === 0 ? "" : `${lifecycle.join("\n")}\n`);
  await writeFile(expectedFile, formatManifest(manifest));
  return {
    manifest,
    lines,
    bytes,
    tokensSigned: traffic.tokensSigned(),
    elapsedMs: performance.now() - began,
  };
}

/** Pretty JSON for the head, one line per entry for the long lists (easy to grep and diff). */
export function formatManifest(manifest: ExpectedManifest): string {
  const { findings, rejected, duplicates, lifecycle, ...head } = manifest;
  const list = (items: readonly unknown[]) =>
    items.length === 0 ? "[]" : `[\n${items.map((i) => `    ${JSON.stringify(i)}`).join(",\n")}\n  ]`;
  const headJson = JSON.stringify(head, null, 2);
  const lifecycleJson = `{\n    "lines": ${lifecycle.lines},\n    "findings": ${list(lifecycle.findings).replaceAll("\n", "\n  ")}\n  }`;
  return `${headJson.slice(0, -2)},\n  "findings": ${list(findings)},\n  "rejected": ${list(rejected)},\n  "duplicates": ${list(duplicates)},\n  "lifecycle": ${lifecycleJson}\n}\n`;
}
