import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The source folder of the health-tech example (config, keys, rules), also when the code runs
 * compiled from dist/examples/health-tech, where tsc copies no YAML or JSON.
 */
export const HEALTH_TECH_DIR = locateExampleDir(dirname(fileURLToPath(import.meta.url)));

export const DEMO_CONFIG_FILE = join(HEALTH_TECH_DIR, "config.yaml");
/** DEMO ONLY: the private key the generator signs new-IdP tokens with. */
export const DEMO_PRIVATE_KEY_FILE = join(HEALTH_TECH_DIR, "keys", "new.private.jwk.json");
export const DEMO_DATA_DIR = join(HEALTH_TECH_DIR, "data");
export const DEMO_EVENTS_FILE = join(DEMO_DATA_DIR, "events.ndjson");
export const DEMO_EXPECTED_FILE = join(DEMO_DATA_DIR, "expected.json");
export const DEMO_TOKENS_FILE = tokensFileFor(DEMO_EVENTS_FILE);

/** Where the token lifecycle events of an events file go: `x.ndjson` -> `x.tokens.ndjson`. */
export function tokensFileFor(eventsFile: string): string {
  return eventsFile.endsWith(".ndjson")
    ? `${eventsFile.slice(0, -".ndjson".length)}.tokens.ndjson`
    : `${eventsFile}.tokens.ndjson`;
}

function locateExampleDir(here: string): string {
  const candidates = [here, resolve(here, "../../../examples/health-tech")];
  const found = candidates.find((dir) => existsSync(join(dir, "config.yaml")));
  if (!found)
    throw new Error(`cannot find the health-tech example folder (looked in ${candidates.join(", ")})`);
  return found;
}
