import type { LatentDirection } from "../../../src/contracts/index.js";

/**
 * Differences between the demo's two models that its traffic never exercises: they show only in
 * the entitlement matrix of examples/health-tech/config.yaml (docs/latent.md, docs/demo.md).
 */
export interface PlantedLatent {
  id: string;
  description: string;
  cohort: string;
  action: string;
  resourceType: string;
  scenario: string;
  direction: LatentDirection;
}

export const PLANTED_LATENT: readonly PlantedLatent[] = [
  {
    id: "nurse-lab-result-write",
    description:
      "the new policy lets nurses write lab results on their care team; no nurse does in shadow mode",
    cohort: "nurses",
    action: "write",
    resourceType: "lab_result",
    scenario: "care-team",
    direction: "over_permission",
  },
  ...(["patient_record", "clinical_note"] as const).map((resourceType) => ({
    id: "clinician-break-glass-lost",
    description:
      "without a break-glass path, clinicians outside an elevated session lose emergency reads too; only break-glass sessions make them",
    cohort: "clinicians",
    action: "read",
    resourceType,
    scenario: "break-glass",
    direction: "under_permission" as const,
  })),
];
