import type { Principal } from "./principal.js";
import type { Prng } from "./prng.js";

/** PLANTED DRIFT: service clients registered after the bulk import, without the tenant attribute. */
const CLIENTS_WITHOUT_TENANT = new Set(["svc-care-coordination-lakeview", "svc-care-coordination-hillcrest"]);

/** PLANTED DRIFT: the tenant whose nurse-station tablets use the misregistered client (a quarter of its nurses). */
const NURSE_STATION_TENANT = "t-hillcrest";

const JIT_SHARE_OF_PATIENTS = 0.004;
const STALE_EMAIL_SHARE_OF_NURSES = 0.1;
const UNMIGRATED_SHARE_OF_CAREGIVERS = 0.25;

/**
 * Marks the principals whose new-side identity is broken (docs/demo.md): JIT-migrated patients,
 * caregivers without migrated proxies, service clients without a tenant, nurse-station nurses.
 */
export function plantPrincipalDrift(rng: Prng, principals: readonly Principal[]): void {
  const patients = principals.filter((p) => p.kind === "patient");
  for (const p of rng.sample(patients, Math.max(2, Math.round(patients.length * JIT_SHARE_OF_PATIENTS)))) {
    p.drift.jitMigrated = true;
  }
  const caregivers = principals.filter((p) => p.kind === "caregiver");
  const unmigrated = Math.max(1, Math.round(caregivers.length * UNMIGRATED_SHARE_OF_CAREGIVERS));
  for (const p of rng.sample(caregivers, unmigrated)) p.drift.proxyNotMigrated = true;
  for (const p of principals) {
    if (p.kind === "service" && CLIENTS_WITHOUT_TENANT.has(p.legacySub)) p.drift.tenantClaimMissing = true;
  }
  const station = principals.filter((p) => p.kind === "nurse" && p.tenant === NURSE_STATION_TENANT);
  for (const p of station.slice(0, Math.max(1, Math.ceil(station.length / 4)))) p.drift.wrongAudience = true;
}

/**
 * PLANTED DRIFT (token lifecycle, docs/demo.md): nurses whose new account kept a pre-merger
 * address, so the new token's user_email is not the legacy email. A stream of its own, so the
 * rest of the world is drawn as before.
 */
export function plantStaleEmail(rng: Prng, principals: readonly Principal[]): void {
  const nurses = principals.filter((p) => p.kind === "nurse");
  const n = Math.max(1, Math.round(nurses.length * STALE_EMAIL_SHARE_OF_NURSES));
  for (const p of rng.sample(nurses, n)) p.drift.staleEmail = true;
}
