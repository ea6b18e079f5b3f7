#!/usr/bin/env node
// The CLI is compiled by `npm ci` (prepare -> tsc). Point at the compiled entry, with a hint when it is missing.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "src", "cli", "entry.js");
if (!existsSync(entry)) {
  process.stderr.write(
    "entitlement-diff: not built yet; run `npm install` (or `npm run build`) in the project first.\n",
  );
  process.exit(70);
}
await import(pathToFileURL(entry).href);
