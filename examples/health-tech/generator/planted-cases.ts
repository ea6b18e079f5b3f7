/**
 * Every defect the demo plants on purpose, by a stable id (docs/demo.md explains each one). The
 * ground-truth manifest tags each expected finding and rejected line with the case it comes from.
 */
export const PLANTED_CASES = {
  "finance-role-too-broad": "billing staff (new role finance) read clinical notes the legacy rules deny",
  "proxy-not-migrated":
    "caregivers whose proxy relationships were not migrated (no proxy_for on the new side)",
  "service-tenant-claim-missing":
    "service clients imported without their tenant attribute (no tenant on the new side)",
  "break-glass-missing": "the new policy has no break-glass path",
  "jit-without-legacy-sub": "patients created just in time by the new IdP: no legacy_sub, a new sub",
  "wrong-audience": "the nurse-station tablet client of the new IdP has its own audience",
  "observed-drift-legacy": "the live legacy system denied a care-team read its rules allow (sealed charts)",
  "observed-drift-new":
    "the live new PDP denied a patient's own-record read its policy allows (stale bundle)",
  "unpaired-legacy-only": "the new gateway's mirror dropped the event (legacy side only)",
  "unpaired-new-only": "the legacy gateway's mirror dropped the event (new side only)",
  duplicate: "a mirror redelivered an event byte for byte (counts once, no finding)",
  "malformed-truncated": "a mirror's writer died mid-line and retried (a truncated line before the full one)",
  "malformed-missing-resource-type": "a mirror build that dropped resource.type (schema violation)",
  conflict: "a mirror re-stamped a retried legacy event (same correlationId, different bytes)",
} as const;

export type PlantedCase = keyof typeof PLANTED_CASES;
