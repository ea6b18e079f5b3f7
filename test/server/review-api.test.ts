import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftPage, GateEvaluation, LatentReport, Waiver } from "../../src/contracts/index.js";
import { StagePublishError } from "../../src/ingest/kafka/kafka-stage-publisher.js";
import { NURSE_WRITES_LABS } from "../../src/latent/latent.fixture.js";
import type { RequestIssue } from "../../src/server/review/response-schemas.js";
import {
  DOCTOR_DRIFT_ACTIONS,
  type ReviewApiHarness,
  startOverUnreachableStore,
  startReviewApi,
} from "./review-api-kit.js";

let h: ReviewApiHarness;
beforeAll(async () => {
  h = await startReviewApi();
});
afterAll(() => h.close());

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();
const doctorsWaiver = () => ({
  owner: "clinical-systems",
  reason: "proxy access is dropped by the new CIAM on purpose",
  ticket: "SEC-42",
  scope: { cohort: "doctors", kind: "under_permission" },
  expiresAt: inADay(),
});

async function json<T>(r: Response): Promise<T> {
  return (await r.json()) as T;
}

/** The issues of a 400, after checking it is one. */
async function issues(r: Response): Promise<RequestIssue[]> {
  expect(r.status).toBe(400);
  const body = await json<{ error: string; details: RequestIssue[] }>(r);
  expect(body.error).toBe("bad request");
  return body.details;
}

describe("GET /api/v1/cohorts", () => {
  it("shows each cohort's stage, gate now (reasons, counts, statistics) and trend", async () => {
    const r = await h.get("/api/v1/cohorts");
    expect(r.status).toBe(200);
    const { cohorts } = await json<{
      cohorts: Array<{
        cohort: string;
        stage: string;
        gate: GateEvaluation;
        trend: Array<{ pairs: number }>;
      }>;
    }>(r);
    expect(cohorts.map((c) => [c.cohort, c.stage, c.gate.status])).toEqual([
      ["nurses", "shadow", "pass"],
      ["doctors", "shadow", "fail"],
      ["porters", "shadow", "insufficient_evidence"],
      ["unassigned", "shadow", "insufficient_evidence"],
    ]);
    const [nurses, doctors] = cohorts;
    expect(nurses?.trend.reduce((n, p) => n + p.pairs, 0)).toBe(20);
    expect(doctors?.gate.evidence).toMatchObject({ pairs: 32, mismatchedPairs: 12 });
    expect(doctors?.gate.statistics.mismatchRate).toBeCloseTo(12 / 32);
    expect(doctors?.gate.reasons.length).toBeGreaterThan(0);
  });
});

describe("validation", () => {
  it("names each refused query field with where it is", async () => {
    expect(await issues(await h.get("/api/v1/drift?limit=0"))).toEqual([
      { path: ["query", "limit"], message: expect.stringMatching(/>=1/) },
    ]);
    expect(await issues(await h.get("/api/v1/drift?limit=501"))).toEqual([
      { path: ["query", "limit"], message: expect.stringMatching(/<=500/) },
    ]);
    expect(await issues(await h.get("/api/v1/drift?limit=ten&kind=bogus"))).toEqual([
      { path: ["query", "kind"], message: expect.any(String) },
      { path: ["query", "limit"], message: "a whole number" },
    ]);
    expect(await issues(await h.get("/api/v1/drift?cause=luck"))).toEqual([
      { path: ["query", "cause"], message: expect.any(String) },
    ]);
    expect(await issues(await h.get("/api/v1/drift?limit=1&limit=2"))).toEqual([
      { path: ["query", "limit"], message: expect.stringMatching(/expected string/) },
    ]);
    expect(await issues(await h.get("/api/v1/waivers?cohorts=nurses"))).toEqual([
      { path: ["query"], message: expect.stringMatching(/Unrecognized key.*cohorts/) },
    ]);
    expect(await issues(await h.get("/api/v1/cohorts/nurses/gate?since=yesterday"))).toEqual([
      { path: ["query", "since"], message: "an RFC 3339 time, e.g. 2026-11-01T00:00:00Z" },
    ]);
    const backwards = "since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z";
    expect(await issues(await h.get(`/api/v1/cohorts/nurses/gate?${backwards}`))).toEqual([
      { path: ["query", "until"], message: "until must be after since" },
    ]);
    expect(await issues(await h.get("/api/v1/gate-evaluations?limit=201"))).toEqual([
      { path: ["query", "limit"], message: expect.stringMatching(/<=200/) },
    ]);
    expect(await issues(await h.get("/api/v1/mismatches/c-1"))).toEqual([
      { path: ["params", "pairId"], message: expect.stringMatching(/64 lower-case hex/) },
    ]);
  });

  it("names each refused body field, and refuses a body that names its own filer", async () => {
    const { owner: _owner, ...ownerless } = doctorsWaiver();
    expect(await issues(await h.post("/api/v1/waivers", ownerless, "approver"))).toEqual([
      { path: ["body", "owner"], message: expect.any(String) },
    ]);
    const impostor = { ...doctorsWaiver(), createdBy: "someone-else" };
    expect(await issues(await h.post("/api/v1/waivers", impostor, "approver"))).toEqual([
      { path: ["body"], message: expect.stringMatching(/Unrecognized key.*createdBy/) },
    ]);
    expect(await issues(await h.post("/api/v1/cohorts/nurses/promote", { to: "prod" }, "gate"))).toEqual([
      { path: ["body", "to"], message: expect.any(String) },
    ]);
    // An empty JSON body parses as {}.
    expect(await issues(await h.post("/api/v1/cohorts/nurses/promote", undefined, "gate"))).toEqual([
      { path: ["body", "to"], message: 'Invalid option: expected one of "shadow"|"canary"|"live"' },
    ]);
    const bare = await fetch(`${h.base}/api/v1/cohorts/nurses/promote`, {
      method: "POST",
      headers: await h.headers("gate"),
    });
    expect(await issues(bare)).toEqual([
      { path: ["body"], message: expect.stringMatching(/expected object/) },
    ]);
  });

  it("answers malformed JSON with 400 and other content types with 415", async () => {
    const headers = await h.headers("approver");
    const malformed = await fetch(`${h.base}/api/v1/waivers`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "{ not json",
    });
    expect(await issues(malformed)).toEqual([{ path: ["body"], message: expect.any(String) }]);
    const form = await fetch(`${h.base}/api/v1/waivers`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: "owner=x",
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      error: "unsupported content type",
      details: "send the body as application/json",
    });
    const huge = await h.post(
      "/api/v1/waivers",
      { ...doctorsWaiver(), reason: "x".repeat(20_000) },
      "approver",
    );
    expect(huge.status).toBe(413);
  });
});

describe("unknown cohorts and pairs", () => {
  it("answers 404 for a cohort the config does not have, on every cohort route", async () => {
    const answers = [
      await h.get("/api/v1/cohorts/pilots/gate"),
      await h.post("/api/v1/cohorts/pilots/gate", undefined, "gate"),
      await h.post("/api/v1/cohorts/pilots/promote", { to: "canary" }, "gate"),
    ];
    for (const r of answers) {
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({
        error: "not found",
        details: 'no cohort "pilots"; the cohorts are: nurses, doctors, porters, unassigned',
      });
    }
  });

  it("answers 404 for a pair that is not stored, and the pair's detail for one that is", async () => {
    const missing = await h.get(`/api/v1/mismatches/${"0".repeat(64)}`);
    expect(missing.status).toBe(404);
    expect(await json<{ error: string }>(missing)).toMatchObject({ error: "not found" });
    const found = await h.get(`/api/v1/mismatches/${h.pairId}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      pairId: h.pairId,
      cohort: "doctors",
      legacy: { allow: true },
      new: { allow: false },
      findings: [{ kind: "under_permission" }],
    });
  });
});

describe("waivers", () => {
  it("files a waiver in the caller's name, lists it, and the gate applies it", async () => {
    const before = await json<GateEvaluation>(await h.get("/api/v1/cohorts/doctors/gate"));
    expect(before.status).toBe("fail");

    const created = await h.post("/api/v1/waivers", doctorsWaiver(), "approver", "carol");
    expect(created.status).toBe(201);
    const waiver = await json<Waiver>(created);
    expect(waiver).toMatchObject({
      createdBy: "carol",
      allowOverPermission: false,
      scope: { cohort: "doctors" },
    });

    const listed = await json<{ waivers: Waiver[] }>(await h.get("/api/v1/waivers?cohort=doctors"));
    expect(listed.waivers).toEqual([waiver]);
    const others = await json<{ waivers: Waiver[] }>(await h.get("/api/v1/waivers?cohort=nurses"));
    expect(others.waivers).toEqual([]);

    const after = await json<GateEvaluation>(await h.get("/api/v1/cohorts/doctors/gate"));
    expect(after.status).toBe("pass");
    expect(after.waivers.applied).toEqual([expect.objectContaining({ id: waiver.id, matchedPairs: 12 })]);
    expect(after.rawEvidence.mismatchedPairs).toBe(12);
    expect(after.evidence.mismatchedPairs).toBe(0);
  });

  it("answers 400 with the reason for a waiver the service refuses", async () => {
    const expired = { ...doctorsWaiver(), expiresAt: new Date(Date.now() - 1_000).toISOString() };
    expect(await issues(await h.post("/api/v1/waivers", expired, "approver"))).toEqual([
      { path: ["body"], message: "expiresAt must be in the future" },
    ]);
    const stranger = { ...doctorsWaiver(), scope: { cohort: "pilots" } };
    expect(await issues(await h.post("/api/v1/waivers", stranger, "approver"))).toEqual([
      { path: ["body"], message: 'unknown cohort "pilots"' },
    ]);
    const overPermission = { ...doctorsWaiver(), scope: { cohort: "doctors", kind: "over_permission" } };
    expect(await issues(await h.post("/api/v1/waivers", overPermission, "approver"))).toEqual([
      { path: ["body", "allowOverPermission"], message: expect.stringMatching(/allowOverPermission: true/) },
    ]);
  });
});

describe("POST /api/v1/cohorts/:id/promote", () => {
  it("refuses to skip a stage (400), refuses on a gate that does not pass (409, nothing published)", async () => {
    const skip = await h.post("/api/v1/cohorts/porters/promote", { to: "live" }, "gate");
    expect(await issues(skip)).toEqual([
      { path: ["body"], message: expect.stringMatching(/one stage at a time/) },
    ]);

    const refused = await h.post("/api/v1/cohorts/porters/promote", { to: "canary" }, "gate", "ci-bot");
    expect(refused.status).toBe(409);
    const body = await json<{ error: string; details: GateEvaluation }>(refused);
    expect(body.error).toBe("conflict");
    expect(body.details).toMatchObject({
      cohort: "porters",
      status: "insufficient_evidence",
      evaluatedBy: "ci-bot",
    });
    expect(h.publisher.published).toEqual([]);
  });

  it("moves on a passing gate, republishes when unchanged, rolls back without a gate", async () => {
    const moved = await h.post("/api/v1/cohorts/nurses/promote", { to: "canary" }, "gate", "ci-bot");
    expect(moved.status).toBe(200);
    const outcome = await json<{ kind: string; transition: { id: string }; gate: GateEvaluation }>(moved);
    expect(outcome).toMatchObject({
      kind: "moved",
      transition: { cohort: "nurses", from: "shadow", to: "canary", by: "ci-bot", direction: "promote" },
      gate: { status: "pass" },
    });
    expect(h.publisher.published.map((t) => t.id)).toEqual([outcome.transition.id]);

    const again = await h.post("/api/v1/cohorts/nurses/promote", { to: "canary" }, "gate");
    expect(await again.json()).toMatchObject({
      kind: "unchanged",
      stage: "canary",
      republished: { id: outcome.transition.id },
    });
    expect(h.publisher.published).toHaveLength(2);

    const back = await h.post("/api/v1/cohorts/nurses/promote", { to: "shadow" }, "admin");
    expect(await back.json()).toMatchObject({
      kind: "moved",
      transition: { from: "canary", to: "shadow", direction: "rollback", gateEvaluationId: null },
      gate: null,
    });
  });

  it("answers 503 when the transition is recorded but could not be published", async () => {
    h.publisher.failWith = new StagePublishError("nurses canary -> shadow is recorded but was not published");
    try {
      const r = await h.post("/api/v1/cohorts/nurses/promote", { to: "shadow" }, "gate");
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("5");
      expect(await r.json()).toEqual({
        error: "unavailable",
        details: "nurses canary -> shadow is recorded but was not published",
      });
    } finally {
      h.publisher.failWith = null;
    }
  });
});

describe("GET /api/v1/drift", () => {
  it("pages through the groups with the cursor, and refuses a cursor it never issued", async () => {
    const first = await json<DriftPage>(await h.get("/api/v1/drift?cohort=doctors&limit=2"));
    expect(first.groups).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await json<DriftPage>(
      await h.get(`/api/v1/drift?cohort=doctors&limit=2&cursor=${first.nextCursor}`),
    );
    expect(second.groups).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const actions = [...first.groups, ...second.groups].map((g) => g.action);
    expect(actions.sort()).toEqual([...DOCTOR_DRIFT_ACTIONS].sort());
    expect(first.groups[0]).toMatchObject({
      kind: "under_permission",
      severity: "high",
      findings: 4,
      pairs: 4,
    });

    const filtered = await json<DriftPage>(await h.get("/api/v1/drift?kind=over_permission"));
    expect(filtered).toEqual({ groups: [], nextCursor: null });

    expect(await issues(await h.get("/api/v1/drift?cursor=bm90LWEtY3Vyc29y"))).toEqual([
      { path: ["query", "cursor"], message: "cursor is not one this API issued; start again without it" },
    ]);
  });
});

describe("GET /api/v1/latent", () => {
  it("reports each cohort's modelled differences with whether traffic exercised them", async () => {
    const report = await json<LatentReport>(await h.get("/api/v1/latent?cohort=nurses"));
    expect(report.principalsEvaluated).toEqual({ nurses: 3 });
    expect(report.entitlements).toEqual([
      {
        cohort: "nurses",
        ...NURSE_WRITES_LABS,
        principals: 3,
        principalsEvaluated: 3,
        observedPairs: 0,
        observedFindings: 0,
        latent: true,
      },
    ]);
    const doctors = await json<LatentReport>(await h.get("/api/v1/latent?cohort=doctors&latent=true"));
    expect(doctors.entitlements).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await issues(await h.get(`/api/v1/latent?since=${future}`)))[0]?.message).toMatch(
      /must be before until/,
    );
    expect(await issues(await h.get("/api/v1/latent?latent=yes"))).toEqual([
      { path: ["query", "latent"], message: expect.stringMatching(/true|false/) },
    ]);
  });
});

describe("gate evaluations", () => {
  it("records a gate by POST (201, by the caller) and lists it, newest first, in pages", async () => {
    const recorded: GateEvaluation[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await h.post("/api/v1/cohorts/unassigned/gate", undefined, "gate", `gate-bot-${i}`);
      expect(r.status).toBe(201);
      recorded.push(await json<GateEvaluation>(r));
    }
    expect(recorded.map((e) => e.evaluatedBy)).toEqual(["gate-bot-0", "gate-bot-1", "gate-bot-2"]);
    const newestFirst = [...recorded].reverse().map((e) => e.id);

    type Page = { evaluations: GateEvaluation[]; nextCursor: string | null };
    const first = await json<Page>(await h.get("/api/v1/gate-evaluations?cohort=unassigned&limit=2"));
    expect(first.evaluations.map((e) => e.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.evaluations[0]).toEqual(recorded[2]);
    const second = await json<Page>(
      await h.get(`/api/v1/gate-evaluations?cohort=unassigned&limit=2&cursor=${first.nextCursor}`),
    );
    expect(second).toEqual({ evaluations: [recorded[0]], nextCursor: null });

    // A GET decides without recording.
    await h.get("/api/v1/cohorts/unassigned/gate");
    const all = await json<Page>(await h.get("/api/v1/gate-evaluations?cohort=unassigned"));
    expect(all.evaluations.map((e) => e.id)).toEqual(newestFirst);

    expect(await issues(await h.get("/api/v1/gate-evaluations?cursor=e30"))).toEqual([
      { path: ["query", "cursor"], message: expect.stringMatching(/not one this API issued/) },
    ]);
  });

  it("decides on the window given by since and until", async () => {
    const since = new Date(Date.now() - 7_200_000).toISOString();
    const until = new Date(Date.now() - 2_400_000).toISOString();
    const r = await h.get(`/api/v1/cohorts/nurses/gate?since=${since}&until=${until}`);
    const gate = await json<GateEvaluation>(r);
    expect(gate.window).toEqual({ since, until, source: "flags" });
    // The first 20 minutes of the nurses' hour of traffic.
    expect(gate.evidence.pairs).toBe(20);
  });
});

describe("GET /metrics", () => {
  it("answers Prometheus text format from the default registry", async () => {
    const r = await h.get("/metrics");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await r.text();
    expect(text).toMatch(/^# HELP process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
    expect(text).toMatch(/^nodejs_heap_size_total_bytes \d+/m);
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|NaN|[+-]Inf)( \d+)?$/;
    for (const line of text.split("\n").filter((l) => l !== "" && !l.startsWith("#")))
      expect(line).toMatch(sample);
  });
});

describe("a store that cannot be reached", () => {
  it("answers 503 with Retry-After, not a gate or an empty list", async () => {
    const down = await startOverUnreachableStore();
    try {
      for (const path of ["/api/v1/cohorts", "/api/v1/cohorts/nurses/gate", "/api/v1/waivers"]) {
        const r = await down.get(path);
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).toBe("5");
        expect(await r.json()).toEqual({
          error: "unavailable",
          details: "connect ECONNREFUSED 127.0.0.1:8123",
        });
      }
    } finally {
      await down.close();
    }
  });
});
