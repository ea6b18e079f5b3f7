import { expect } from "vitest";
import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import type { LatentReport } from "../../src/contracts/index.js";

interface Cell {
  cohort: string;
  action: string;
  resourceType: string;
  scenario: string;
  direction: string;
}
const key = (e: Cell) => `${e.cohort} ${e.direction} ${e.action} ${e.resourceType} ${e.scenario}`;

/**
 * The planted latent drift of the demo, found by the entitlement matrix: every planted latent
 * difference for every principal of its cohort, no other latent over-permission (latent
 * under-permissions may include paths a short traffic did not reach), and the planted drift the
 * traffic does exercise marked exercised. The same for replay and for the store.
 */
export function expectPlantedLatent(report: LatentReport, manifest: ExpectedManifest): void {
  const latent = report.entitlements.filter((e) => e.latent);
  const planted = manifest.latent.map(key).sort();
  const over = (list: readonly Cell[]) => list.filter((e) => e.direction === "over_permission");
  expect(over(latent).map(key).sort()).toEqual(over(manifest.latent).map(key).sort());
  expect(latent.map(key)).toEqual(expect.arrayContaining(planted));
  for (const e of latent.filter((l) => planted.includes(key(l)))) {
    expect(e.principals).toBeGreaterThan(0);
    expect(e.principals).toBe(e.principalsEvaluated); // every nurse, every clinician
  }
  const exercised = report.entitlements.filter((e) => !e.latent).map(key);
  expect(exercised).toEqual(
    expect.arrayContaining([
      "billing over_permission read clinical_note same-tenant",
      "break-glass under_permission read patient_record break-glass",
    ]),
  );
}
