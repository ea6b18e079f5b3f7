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
  "refresh-fails-on-new": "billing staff's token refreshes fail on the new CIAM (refresh grant not enabled)",
  "logout-not-propagated":
    "caregivers who log out of the legacy app keep a working session on the new CIAM (no back-channel logout)",
  "service-token-lifetime": "the new CIAM issues service clients access tokens for 24 h instead of 65 min",
  "caregiver-refresh-lifetime": "the new CIAM gives caregivers 30-day refresh tokens instead of 8 h",
  "stale-email":
    "clinicians whose new account kept a pre-merger address (user_email is not the legacy email)",
} as const;

export type PlantedCase = keyof typeof PLANTED_CASES;
