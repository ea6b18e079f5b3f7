import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { PRINCIPAL_KINDS } from "../../examples/health-tech/generator/principal.js";
import { legacyClaims, newClaims } from "../../examples/health-tech/generator/session-tokens.js";
import { DEMO_DEFAULTS } from "../../examples/health-tech/generator/traffic.js";
import { buildWorld } from "../../examples/health-tech/generator/world.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { LatentConfig } from "../../src/contracts/index.js";
import { claimShape } from "../../src/latent/claim-shape.js";
import { compileMatrix, evaluateMatrix } from "../../src/latent/entitlement-matrix.js";
import { loadRuntime, type Runtime } from "../../src/runtime/load-runtime.js";

/**
 * The demo's entitlement matrix on the real models (the legacy engine and the committed Wasm
 * bundle). Claim shapes evaluate the matrix on renamed ids: for every kind of demo principal, the
 * differences on the canonical claims are exactly those on the person's own claims.
 */
let runtime: Runtime;
let latent: LatentConfig;
const world = buildWorld(DEMO_DEFAULTS.seed, DEMO_DEFAULTS.principals);

beforeAll(async () => {
  const loaded = loadConfig(DEMO_CONFIG_FILE);
  if (!loaded.config.latent) throw new Error("the demo config has no latent section");
  latent = loaded.config.latent;
  runtime = await loadRuntime(loaded, { [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET });
}, 60_000);
afterAll(() => runtime?.close());

const models = () => ({ legacy: runtime.legacy, policy: runtime.policy });

describe("the demo's entitlement matrix", () => {
  it("decides the same on a principal's canonical claims as on their own, for every kind of principal", () => {
    const matrix = compileMatrix(latent, DEMO_CONFIG_FILE);
    const ids = new Set(latent.identityClaims);
    let compared = 0;
    for (const kind of PRINCIPAL_KINDS) {
      const sample = world.byKind[kind].slice(0, 12);
      expect(sample.length, kind).toBeGreaterThan(0);
      for (const p of sample) {
        const own = { legacy: legacyClaims(p, 1_000), new: newClaims(p, 1_000, "jti-1") };
        const shape = claimShape(own.legacy, own.new, ids);
        expect(evaluateMatrix(models(), matrix, shape.claims), `${kind} ${p.legacySub}`).toEqual(
          evaluateMatrix(models(), matrix, own),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it("finds the planted latent lab-result write for a nurse, and nothing for a clean clinician but the lost break-glass", () => {
    const matrix = compileMatrix(latent, DEMO_CONFIG_FILE);
    const nurse = world.byKind.nurse.find((p) => !p.drift.wrongAudience);
    const clinician = world.byKind.clinician[0];
    if (!nurse || !clinician) throw new Error("no demo nurse or clinician");
    const cells = (p: typeof nurse) =>
      evaluateMatrix(models(), matrix, { legacy: legacyClaims(p, 1_000), new: newClaims(p, 1_000, "j") }).map(
        (d) => `${d.direction} ${d.action} ${d.resourceType} ${d.scenario}`,
      );
    expect(cells(nurse)).toEqual(["over_permission write lab_result care-team"]);
    expect(cells(clinician)).toEqual([
      "under_permission read patient_record break-glass",
      "under_permission read clinical_note break-glass",
    ]);
  });
});
