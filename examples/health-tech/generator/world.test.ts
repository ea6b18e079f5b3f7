import { describe, expect, it } from "vitest";
import { COHORT_OF, hasDrift, PRINCIPAL_KINDS, TENANTS } from "./principal.js";
import { buildWorld } from "./world.js";

const world = buildWorld(20_260_302, 2_000);

describe("buildWorld", () => {
  it("is deterministic for a seed", () => {
    const again = buildWorld(20_260_302, 2_000);
    expect(again.principals.map((p) => [p.legacySub, p.newSub, p.tenant, p.tokenPhaseSeconds])).toEqual(
      world.principals.map((p) => [p.legacySub, p.newSub, p.tenant, p.tokenPhaseSeconds]),
    );
  });

  it("has the asked pool size, every kind in every tenant, and unique ids", () => {
    expect(world.principals).toHaveLength(2_000);
    for (const kind of PRINCIPAL_KINDS) {
      expect(new Set(world.byKind[kind].map((p) => p.tenant))).toEqual(new Set(TENANTS));
      for (const p of world.byKind[kind]) expect(p.cohort).toBe(COHORT_OF[kind]);
    }
    expect(new Set(world.principals.map((p) => p.legacySub)).size).toBe(2_000);
    expect(new Set(world.principals.map((p) => p.newSub)).size).toBe(2_000);
  });

  it("gives every care-team member a panel of charts of their own tenant", () => {
    for (const kind of ["clinician", "nurse", "break-glass"] as const) {
      for (const p of world.byKind[kind]) {
        expect(p.panel.length, p.legacySub).toBeGreaterThan(0);
        for (const chart of p.panel) {
          expect(chart.tenant).toBe(p.tenant);
          expect(chart.careTeam).toContain(p.legacySub);
        }
      }
    }
  });

  it("links caregivers to patients of their tenant", () => {
    for (const p of world.byKind.caregiver) {
      expect(p.proxyFor.length).toBeGreaterThan(0);
      expect(p.proxies.map((c) => c.ownerId)).toEqual(p.proxyFor);
      for (const chart of p.proxies) expect(chart.tenant).toBe(p.tenant);
    }
  });

  it("plants the principal-level drift in the documented places only", () => {
    const flagged = (pick: (p: (typeof world.principals)[number]) => boolean) =>
      world.principals.filter(pick).map((p) => p.kind);
    const jit = flagged((p) => p.drift.jitMigrated);
    expect(new Set(jit)).toEqual(new Set(["patient"]));
    expect(jit.length).toBe(Math.round(world.byKind.patient.length * 0.004));
    expect(flagged((p) => p.drift.proxyNotMigrated).length).toBe(
      Math.round(world.byKind.caregiver.length * 0.25),
    );
    expect(flagged((p) => p.drift.tenantClaimMissing)).toEqual(["service", "service"]);
    const station = world.principals.filter((p) => p.drift.wrongAudience);
    expect(new Set(station.map((p) => `${p.kind}@${p.tenant}`))).toEqual(new Set(["nurse@t-hillcrest"]));
    for (const kind of PRINCIPAL_KINDS) {
      expect(world.cleanByKind[kind].length).toBeGreaterThan(0);
      expect(world.cleanByKind[kind].some(hasDrift)).toBe(false);
    }
  });
});
