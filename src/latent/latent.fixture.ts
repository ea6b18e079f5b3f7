import type { EntitlementDifference } from "../contracts/index.js";

/** The demo's planted latent drift as one matrix cell: nurses may write lab results on their care team. */
export const NURSE_WRITES_LABS: EntitlementDifference = {
  action: "write",
  resourceType: "lab_result",
  scenario: "care-team",
  direction: "over_permission",
  legacyRuleId: null,
  newReasons: ["nurse.care_team_write"],
};
