import { describe, expect, it } from "vitest";
import type { ClaimMapping } from "../contracts/index.js";
import { judgeSessions, type SessionJudgeOptions } from "./judge-sessions.js";
import type { SessionFact, SessionUse } from "./session-fact.js";

const T0 = Date.parse("2026-11-02T08:00:00Z");
const mappings: ClaimMapping[] = [
  { legacy: "roles", new: "roles", values: { billing: "finance" } },
  { legacy: "email", new: "user_email" },
];
const options: SessionJudgeOptions = {
  windowMs: 60_000,
  lifetimeToleranceSeconds: 60,
  mappings,
  factsComplete: () => Number.POSITIVE_INFINITY,
};

function fact(over: Partial<SessionFact> & Pick<SessionFact, "side" | "event">): SessionFact {
  return {
    session: "s1",
    observedAtMs: T0,
    source: "0",
    cohort: "clinicians",
    invalid: null,
    accessLifetimeSeconds: 900,
    refreshLifetimeSeconds: 28_800,
    claims: { "roles>roles": '["clinician"]', "email>user_email": "hmac:mail" },
    ...over,
  };
}

function use(over: Partial<SessionUse>): SessionUse {
  return {
    session: "s1",
    observedAtMs: T0,
    correlationId: "c1",
    cohort: "clinicians",
    accepted: { legacy: true, new: true },
    ...over,
  };
}

const kinds = (facts: SessionFact[], uses: SessionUse[] = [], o = options) =>
  judgeSessions(facts, uses, o).map((f) => `${f.finding.kind} ${f.finding.side} ${f.finding.action}`);

describe("judgeSessions", () => {
  it("finds nothing in a session both sides ran alike", () => {
    const facts = [
      fact({ side: "legacy", event: "issued" }),
      fact({ side: "new", event: "issued", observedAtMs: T0 + 40 }),
      fact({ side: "legacy", event: "refreshed", observedAtMs: T0 + 900_000 }),
      fact({ side: "new", event: "refreshed", observedAtMs: T0 + 900_500 }),
      fact({ side: "new", event: "revoked", observedAtMs: T0 + 1_000_000 }),
      fact({ side: "legacy", event: "revoked", observedAtMs: T0 + 1_000_200 }),
    ];
    expect(
      kinds(facts, [use({ observedAtMs: T0 + 2_000_000, accepted: { legacy: false, new: false } })]),
    ).toEqual([]);
  });

  it("reports a lifetime beyond the tolerance, once per session and token, on the longer side", () => {
    const facts = [
      fact({ side: "legacy", event: "issued" }),
      fact({ side: "new", event: "issued", accessLifetimeSeconds: 3_600, refreshLifetimeSeconds: 28_830 }),
      fact({ side: "legacy", event: "refreshed", observedAtMs: T0 + 900_000 }),
      fact({ side: "new", event: "refreshed", observedAtMs: T0 + 900_000, accessLifetimeSeconds: 3_600 }),
    ];
    const found = judgeSessions(facts, [], options);
    expect(found.map((f) => f.finding.kind)).toEqual(["lifetime_drift"]);
    expect(found[0]?.finding).toMatchObject({ side: "new", severity: "medium", cohort: "clinicians" });
    expect(found[0]?.finding.detail).toBe(
      "access token lifetime (exp - iat) legacy 900 s, new 3600 s: differs by 2700 s, tolerance 60 s",
    );
  });

  it("reports each mapping that does not hold, naming it and both values", () => {
    const facts = [
      fact({
        side: "legacy",
        event: "issued",
        claims: { "roles>roles": '["clinician","finance"]', "email>user_email": "hmac:a" },
      }),
      fact({
        side: "new",
        event: "issued",
        claims: { "roles>roles": '["clinician"]', "email>user_email": null },
      }),
    ];
    const details = judgeSessions(facts, [], options).map((f) => f.finding.detail);
    expect(details).toEqual([
      'claim mapping legacy roles -> new roles (mapping table) does not hold: legacy ["clinician","finance"] (mapped), new ["clinician"]',
      "claim mapping legacy email -> new user_email does not hold: legacy hmac:a (mapped), new absent",
    ]);
  });

  it("does not compare tokens that did not verify", () => {
    const facts = [
      fact({ side: "legacy", event: "issued", invalid: "expired: exp", accessLifetimeSeconds: null }),
      fact({ side: "new", event: "issued", accessLifetimeSeconds: 99_999, claims: {} }),
    ];
    expect(kinds(facts)).toEqual([]);
  });

  it("reports a refresh on one side only, once the other side's facts are complete past the window", () => {
    const facts = [
      fact({ side: "legacy", event: "issued" }),
      fact({ side: "new", event: "issued" }),
      fact({ side: "legacy", event: "refreshed", observedAtMs: T0 + 900_000 }),
      fact({ side: "new", event: "refreshed", observedAtMs: T0 + 1_800_000 }),
      fact({ side: "legacy", event: "refreshed", observedAtMs: T0 + 1_800_010 }),
    ];
    expect(kinds(facts)).toEqual(["session_drift legacy refreshed"]);
    const incomplete = { ...options, factsComplete: () => T0 + 900_000 + 59_999 };
    expect(kinds(facts, [], incomplete)).toEqual([]);
  });

  it("reports a login seen on one side only", () => {
    expect(kinds([fact({ side: "new", event: "issued" })])).toEqual(["session_drift new issued"]);
  });

  it("reports a logout on one side when the other side later still accepts the session's token", () => {
    const facts = [
      fact({ side: "legacy", event: "issued" }),
      fact({ side: "new", event: "issued" }),
      fact({ side: "legacy", event: "revoked", observedAtMs: T0 + 600_000 }),
    ];
    const uses = [
      use({ observedAtMs: T0 + 300_000, correlationId: "before" }),
      use({ observedAtMs: T0 + 630_000, correlationId: "within-window" }),
      use({ observedAtMs: T0 + 700_000, correlationId: "after", accepted: { legacy: false, new: true } }),
      use({ observedAtMs: T0 + 800_000, correlationId: "later" }),
    ];
    const found = judgeSessions(facts, uses, options);
    expect(found).toHaveLength(1);
    expect(found[0]?.finding).toMatchObject({
      kind: "session_drift",
      side: "new",
      severity: "high",
      observedAt: "2026-11-02T08:10:00.000Z",
    });
    expect(found[0]?.finding.detail).toBe(
      "logged out on legacy at 2026-11-02T08:10:00.000Z, but new has no logout for the session and still accepted its token at 2026-11-02T08:11:40.000Z (request after)",
    );
  });

  it("does not report a one-sided logout without a later accepted request, or answered later", () => {
    const issued = [fact({ side: "legacy", event: "issued" }), fact({ side: "new", event: "issued" })];
    const legacyOut = fact({ side: "legacy", event: "revoked", observedAtMs: T0 + 600_000 });
    const rejected = use({ observedAtMs: T0 + 700_000, accepted: { legacy: false, new: false } });
    expect(kinds([...issued, legacyOut], [rejected])).toEqual([]);
    const newOutLater = fact({ side: "new", event: "revoked", observedAtMs: T0 + 650_000 });
    const accepted = use({ observedAtMs: T0 + 700_000, accepted: { legacy: false, new: true } });
    expect(kinds([...issued, legacyOut, newOutLater], [accepted])).toEqual([]);
    const waiting = { ...options, factsComplete: () => T0 + 699_999 };
    expect(kinds([...issued, legacyOut], [accepted], waiting)).toEqual([]);
  });

  it("gives the same ids for the same facts, whatever their order, and different ids per session", () => {
    const facts = [
      fact({ side: "legacy", event: "issued" }),
      fact({ side: "new", event: "issued", accessLifetimeSeconds: 9_000 }),
      fact({ session: "s2", side: "new", event: "issued", accessLifetimeSeconds: 9_000 }),
      fact({ session: "s2", side: "legacy", event: "issued" }),
    ];
    const ids = judgeSessions(facts, [], options).map((f) => f.id);
    expect(
      judgeSessions([...facts].reverse(), [], options)
        .map((f) => f.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(2);
  });

  it("stores the same rows however late the other facts and requests come: dated and placed by their own fact", () => {
    const login = [
      fact({ side: "legacy", event: "issued", cohort: "clinicians" }),
      fact({ side: "new", event: "issued", accessLifetimeSeconds: 9_000, cohort: "unassigned" }),
    ];
    const refresh = [
      fact({ side: "legacy", event: "refreshed", observedAtMs: T0 + 3_600_000, cohort: "clinicians" }),
      fact({ side: "new", event: "refreshed", observedAtMs: T0 + 3_600_000, accessLifetimeSeconds: 9_000 }),
    ];
    const out = fact({ side: "legacy", event: "revoked", observedAtMs: T0 + 600_000 });
    const rows = (facts: SessionFact[], uses: SessionUse[]) =>
      judgeSessions(facts, uses, options)
        .map((f) => `${f.id} ${f.finding.cohort} ${f.finding.observedAt}`)
        .sort();
    const early = rows(
      [...refresh, ...login, out],
      [use({ observedAtMs: T0 + 3_000_000, correlationId: "later" })],
    );
    const late = rows(
      [...login, ...refresh, out],
      [
        use({ observedAtMs: T0 + 3_000_000, correlationId: "later" }),
        use({ observedAtMs: T0 + 700_000, correlationId: "first" }),
      ],
    );
    expect(late).toEqual(early);
    expect(early).toHaveLength(2);
  });

  it("a login alone whose token did not verify says so", () => {
    const found = judgeSessions(
      [fact({ side: "new", event: "issued", invalid: "wrong_audience: aud" })],
      [],
      options,
    );
    expect(found[0]?.finding.detail).toMatch(
      /^login succeeded on new only \(its token did not verify: wrong_audience: aud\)/,
    );
  });

  it("compares only the mappings a fact has values for (a mapping added later)", () => {
    const facts = [
      fact({ side: "legacy", event: "issued", claims: { "roles>roles": '["a"]' } }),
      fact({
        side: "new",
        event: "issued",
        claims: { "roles>roles": '["a"]', "email>user_email": "hmac:x" },
      }),
    ];
    expect(kinds(facts)).toEqual([]);
  });
});
