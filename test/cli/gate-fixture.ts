import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../src/config/load-config.js";
import { deployedVersions } from "../../src/promotion/deployed-versions.js";
import { openStore } from "../../src/store/open-store.js";
import type { StoredOutcome } from "../../src/store/stored-outcome.js";
import { writeServiceConfig } from "../service/service-kit.js";
import { storedOutcome } from "../store/outcome-fixtures.js";
import { writeOutcomes } from "../store/store-suite.js";

/**
 * The demo config on an embedded store of its own (brokers as given), whose store holds recent
 * traffic under the deployed policy and rules: clinicians clean (300 pairs), nurses with 30
 * under-permissions in 300, patients nothing. Every nurse's entitlement matrix has the latent
 * lab-result write of the demo; the clinicians' has the lost break-glass read.
 */
export async function gateFixture(
  brokers: string[] = ["127.0.0.1:9"],
): Promise<{ config: string; storeDir: string }> {
  const storeDir = mkdtempSync(join(tmpdir(), "gate-cli-store-"));
  const config = writeServiceConfig({
    brokers,
    topics: { legacy: "gate-legacy", new: "gate-new", deadLetter: "gate-dlq" },
    storeDir,
    groupId: "gate-cli",
  });
  const loaded = loadConfig(config);
  const deployed = deployedVersions(loaded);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)) });
  const at = (i: number) => Date.now() - 3_600_000 + i * 1_000;
  const versions = { policy: deployed.policyBundleSha256, rules: deployed.legacyRulesSha256 };
  try {
    await writeOutcomes(
      store,
      [
        ...Array.from({ length: 300 }, (_, i) =>
          storedOutcome({ correlationId: `c-${i}`, cohort: "clinicians", atMs: at(i), ...versions }),
        ),
        ...Array.from({ length: 300 }, (_, i) =>
          storedOutcome({
            correlationId: `n-${i}`,
            cohort: "nurses",
            atMs: at(i),
            ...versions,
            ...(i < 30 ? { kinds: [{ kind: "under_permission" as const }], newAllow: false } : {}),
          }),
        ),
      ].map((o, i) => (i % 100 === 0 ? { ...o, entitlements: entitlementsOf(o.cohort, i) } : o)),
    );
  } finally {
    await store.close();
  }
  return { config, storeDir };
}

function entitlementsOf(cohort: string, i: number): NonNullable<StoredOutcome["entitlements"]> {
  const nurse = cohort === "nurses";
  return {
    subject: `${cohort}-${i}`,
    shape: `${cohort}-shape`,
    differences: [
      {
        action: nurse ? "write" : "read",
        resourceType: nurse ? "lab_result" : "clinical_note",
        scenario: nurse ? "care-team" : "break-glass",
        direction: nurse ? "over_permission" : "under_permission",
        legacyRuleId: nurse ? null : "break-glass-emergency-read",
        newReasons: nurse ? ["nurse.care_team_write"] : ["deny.default"],
      },
    ],
  };
}

/** A copy of `config` with `edit` applied to its parsed YAML. */
export function editedConfig(config: string, edit: (doc: Record<string, unknown>) => void): string {
  const doc = parse(readFileSync(config, "utf8")) as Record<string, unknown>;
  edit(doc);
  const file = join(mkdtempSync(join(tmpdir(), "gate-cli-config-")), "config.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}
