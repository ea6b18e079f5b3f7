import { describe, expect, it } from "vitest";
import { type Config, configSchema, type StageTransition } from "../../src/contracts/index.js";
import { cohortStatuses } from "../../src/promotion/cohort-status.js";
import { evaluateCohortGate } from "../../src/promotion/evaluate-cohort-gate.js";
import { promoteCohort, type StagePublisher } from "../../src/promotion/promote-cohort.js";
import { listGateEvaluations } from "../../src/store/gate-evaluations.js";
import type { Store } from "../../src/store/open-store.js";
import { toOutcomeRows } from "../../src/store/outcome-rows.js";
import { createPseudonymizer } from "../../src/store/pseudonymize.js";
import { setAsideRows } from "../../src/store/set-aside-pairs.js";
import { insertStageTransition, listStageTransitions } from "../../src/store/stage-transitions.js";
import { insertWaiver } from "../../src/store/waivers.js";
import { storeSink } from "../../src/store/write-rows.js";
import { freshEmbedded } from "../store/fresh-store.js";
import { POLICY_A, POLICY_B, RULES_A, storedOutcome, T0 } from "../store/outcome-fixtures.js";
import { KEY, withStore, writeOutcomes } from "../store/store-suite.js";

const DEPLOYED = { policyBundleSha256: POLICY_A, legacyRulesSha256: RULES_A };
const NOW = new Date(T0 + 3_600_000);

function gatesConfig(over: Partial<Config["gates"]> = {}): Pick<Config, "gates"> {
  const gates = configSchema.shape.gates.parse({
    default: {
      minPairs: 100,
      maxMismatchRate: 0.05,
      maxUnpairedRate: 0.05,
      maxObservedDriftRate: 0.05,
    },
    window: "1d",
    ...over,
  });
  return { gates };
}

/** `clean` matching pairs and `under` under-permissions of clinicians, a minute apart from T0. */
async function traffic(store: Store, clean: number, under: number, policy = POLICY_A): Promise<void> {
  const outcomes = [
    ...Array.from({ length: clean }, (_, i) =>
      storedOutcome({ correlationId: `${policy[0]}-ok-${i}`, atMs: T0 + i * 1_000, policy }),
    ),
    ...Array.from({ length: under }, (_, i) =>
      storedOutcome({
        correlationId: `${policy[0]}-under-${i}`,
        atMs: T0 + i * 1_000,
        kinds: [{ kind: "under_permission" }],
        newAllow: false,
        ruleId: "proxy-read",
        policy,
      }),
    ),
  ];
  await writeOutcomes(store, outcomes);
}

class RecordingPublisher implements StagePublisher {
  readonly published: StageTransition[] = [];
  async publish(t: StageTransition): Promise<void> {
    this.published.push(t);
  }
}

const request = { cohort: "clinicians", evaluatedBy: "ci:test", now: NOW };

describe("the gate over the store", () => {
  it("decides from the configured window, records the evaluation, and counts only deployed versions", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      await traffic(store, 0, 300, POLICY_B); // an earlier policy that under-permitted
      const evaluation = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, request);
      expect(evaluation.status).toBe("pass");
      expect(evaluation.evidence.pairs).toBe(400);
      expect(evaluation.window).toEqual({
        since: new Date(NOW.getTime() - 86_400_000).toISOString(),
        until: NOW.toISOString(),
        source: "config",
      });
      expect(evaluation.deployed).toMatchObject({ pinned: true, otherVersionOutcomes: 300 });
      expect(evaluation.reasons.at(-1)).toMatch(/^evidence restarted with the deployed policy bundle/);
      const [stored] = await listGateEvaluations(store, { cohort: "clinicians", limit: 5 });
      expect(stored).toEqual(evaluation);

      const everything = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, {
        ...request,
        allVersions: true,
      });
      expect(everything.evidence.pairs).toBe(700);
      expect(everything.status).toBe("fail");
    }));

  it("holds every cohort's passing gate while a request in its window is set aside unjudged, until a replay judges it", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const poison = [
        { side: "legacy" as const, correlationId: "poison", observedAtMs: T0 + 5_000, source: "L/0@5" },
        { side: "new" as const, correlationId: "poison", observedAtMs: T0 + 5_010, source: "N/0@5" },
      ];
      await storeSink(store)([setAsideRows(poison, "set aside, not retried: judging it failed 3 times")]);
      const held = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, request);
      expect(held.status).toBe("insufficient_evidence");
      expect(held.reasons[0]).toMatch(
        /^1 request in the window set aside unjudged \(correlation ids poison\)/,
      );
      expect(held.setAside).toEqual({ requests: 1, examples: ["poison"] });
      expect(held.checks.find((c) => c.id === "setAside")?.outcome).toBe("insufficient");
      const [stored] = await listGateEvaluations(store, { cohort: "clinicians", limit: 1 });
      expect(stored).toEqual(held);
      // Its cohort was never read: every cohort's gate is held, not only the clinicians'.
      const patients = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, {
        ...request,
        cohort: "patients",
      });
      expect(patients.setAside).toEqual({ requests: 1, examples: ["poison"] });

      await writeOutcomes(store, [storedOutcome({ correlationId: "poison", atMs: T0 + 5_000 })]);
      const judged = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, request);
      expect(judged.status).toBe("pass");
      expect(judged.setAside).toEqual({ requests: 0, examples: [] });
    }));

  it("excludes waived mismatches, and counts them again once the waiver expired", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 40);
      const before = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, request);
      expect(before.status).toBe("fail");
      await insertWaiver(store, {
        id: "w-1",
        owner: "sec-team",
        reason: "proxy relationships migrate in January",
        ticket: "SEC-9",
        scope: { cohort: "clinicians", kind: "under_permission", legacyRuleId: "proxy-read" },
        expiresAt: new Date(NOW.getTime() + 1_000).toISOString(),
        allowOverPermission: false,
        createdBy: "approver",
        createdAt: new Date(T0).toISOString(),
      });
      const waived = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, request);
      expect(waived.status).toBe("pass");
      expect(waived.rawEvidence.mismatchedPairs).toBe(40);
      expect(waived.evidence.mismatchedPairs).toBe(0);
      expect(waived.waivers.applied).toEqual([expect.objectContaining({ id: "w-1", matchedPairs: 40 })]);

      const later = await evaluateCohortGate(store, gatesConfig(), DEPLOYED, {
        ...request,
        now: new Date(NOW.getTime() + 2_000),
        since: new Date(T0),
        until: NOW,
      });
      expect(later.status).toBe("fail");
      expect(later.waivers.expired).toEqual([expect.objectContaining({ id: "w-1", wouldMatchPairs: 40 })]);
      expect(later.reasons).toContain(
        `waiver w-1 (SEC-9, sec-team) expired at ${new Date(NOW.getTime() + 1_000).toISOString()}: its 40 pairs count again`,
      );
    }));

  it("takes out only pairs the evidence counted: findings whose outcome is not stored (yet) waive nothing", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 2_000, 0);
      await writeOutcomes(
        store,
        Array.from({ length: 10 }, (_, i) =>
          storedOutcome({
            correlationId: `other-${i}`,
            atMs: T0 + i * 1_000,
            kinds: [{ kind: "under_permission" }],
            newAllow: false,
            ruleId: "other-read",
          }),
        ),
      );
      // A batch in flight: its findings are written before its outcomes.
      const inFlight = Array.from({ length: 10 }, (_, i) =>
        storedOutcome({
          correlationId: `in-flight-${i}`,
          atMs: T0 + i * 1_000,
          kinds: [{ kind: "under_permission" }],
          newAllow: false,
          ruleId: "proxy-read",
        }),
      );
      await store.driver.insert(
        store.tables.findings,
        inFlight.flatMap((o) => toOutcomeRows(o, createPseudonymizer(KEY)).findings),
      );
      await insertWaiver(store, {
        id: "w-proxy",
        owner: "sec-team",
        reason: "known",
        ticket: "SEC-2",
        scope: { cohort: "clinicians", legacyRuleId: "proxy-read" },
        expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
        allowOverPermission: false,
        createdBy: "approver",
        createdAt: new Date(T0).toISOString(),
      });
      const evaluation = await evaluateCohortGate(
        store,
        gatesConfig({ default: { ...gatesConfig().gates.default, maxMismatchRate: 0.005 } }),
        DEPLOYED,
        request,
      );
      expect(evaluation.rawEvidence.mismatchedPairs).toBe(10);
      expect(evaluation.evidence.mismatchedPairs).toBe(10);
      expect(evaluation.waivers.applied).toEqual([
        expect.objectContaining({ id: "w-proxy", matchedPairs: 0 }),
      ]);
      expect(evaluation.status).not.toBe("pass");
    }));

  it("needs the configured coverage before it passes", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const config = gatesConfig({
        coverage: {
          clinicians: [
            { action: "read", resourceType: "patient_record", legacyRuleId: "break-glass", minPairs: 3 },
          ],
        },
      });
      const evaluation = await evaluateCohortGate(store, config, DEPLOYED, request);
      expect(evaluation.status).toBe("insufficient_evidence");
      expect(evaluation.reasons[0]).toContain("read patient_record (rule break-glass): 0/3 pairs");
    }));
});

describe("promoteCohort", () => {
  it("moves one stage at a time behind a passing gate, records and publishes each move", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const publisher = new RecordingPublisher();
      const promote = (to: "shadow" | "canary" | "live") =>
        promoteCohort(store, gatesConfig(), DEPLOYED, publisher, {
          cohort: "clinicians",
          to,
          by: "ci",
          now: NOW,
        });

      await expect(promote("live")).rejects.toThrow(/promote one stage at a time \(next: canary\)/);
      const canary = await promote("canary");
      expect(canary).toMatchObject({
        kind: "moved",
        transition: { from: "shadow", to: "canary", gateStatus: "pass" },
      });
      if (canary.kind !== "moved") throw new Error("not moved");
      expect(canary.transition.gateEvaluationId).toBe(canary.gate?.id);
      const live = await promote("live");
      expect(live).toMatchObject({ kind: "moved", transition: { from: "canary", to: "live" } });
      const again = await promote("live");
      expect(again).toMatchObject({ kind: "unchanged", stage: "live" });
      const back = await promote("shadow");
      expect(back).toMatchObject({
        kind: "moved",
        transition: { from: "live", to: "shadow", direction: "rollback", gateEvaluationId: null },
      });

      const history = await listStageTransitions(store, "clinicians");
      expect(history.map((t) => `${t.from}->${t.to}`)).toEqual([
        "shadow->canary",
        "canary->live",
        "live->shadow",
      ]);
      // The repeat republished the current stage for the router.
      expect(publisher.published.map((t) => t.to)).toEqual(["canary", "live", "live", "shadow"]);
    }));

  it("refuses a promotion whose gate does not pass, recording only the evaluation", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 50, 0);
      const publisher = new RecordingPublisher();
      const outcome = await promoteCohort(store, gatesConfig(), DEPLOYED, publisher, {
        cohort: "clinicians",
        to: "canary",
        by: "ci",
        now: NOW,
      });
      expect(outcome).toMatchObject({
        kind: "refused",
        from: "shadow",
        gate: { status: "insufficient_evidence" },
      });
      expect(await listStageTransitions(store, "clinicians")).toEqual([]);
      expect(publisher.published).toEqual([]);
      expect(await listGateEvaluations(store, { limit: 5 })).toHaveLength(1);
    }));

  it("records nothing when the cohort moved while its gate was decided (a rollback wins)", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const publisher = new RecordingPublisher();
      const to = (stage: "canary" | "live", now: Date) =>
        promoteCohort(store, gatesConfig(), DEPLOYED, publisher, {
          cohort: "clinicians",
          to: stage,
          by: "ci",
          now,
        });
      await to("canary", NOW);
      // A rollback lands while the canary -> live gate is being recorded.
      const racing = withInsertHook(
        store,
        async () => {},
        async (table) => {
          if (table === store.tables.gateEvaluations)
            await promoteCohort(store, gatesConfig(), DEPLOYED, publisher, {
              cohort: "clinicians",
              to: "shadow",
              by: "on-call",
              now: new Date(NOW.getTime() + 1),
            });
        },
      );
      await expect(
        promoteCohort(racing, gatesConfig(), DEPLOYED, publisher, {
          cohort: "clinicians",
          to: "live",
          by: "ci",
          now: NOW,
        }),
      ).rejects.toThrow(/moved while its gate was decided \(now in shadow/);
      const history = await listStageTransitions(store, "clinicians");
      expect(history.map((t) => t.to)).toEqual(["canary", "shadow"]);
      expect(publisher.published.map((t) => t.to)).toEqual(["canary", "shadow"]);
    }));

  it("lets a rollback recorded between a promotion's last check and its insert win, and publishes only it", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const publisher = new RecordingPublisher();
      const move = (s: Store, to: "shadow" | "canary" | "live", by: string) =>
        promoteCohort(s, gatesConfig(), DEPLOYED, publisher, { cohort: "clinicians", to, by, now: NOW });
      await move(store, "canary", "ci");
      const racing = withInsertHook(store, async (table, rows) => {
        if (table === store.tables.stageTransitions && (rows[0] as { to_stage?: string }).to_stage === "live")
          await move(store, "shadow", "on-call"); // lands first, from the same stage
      });
      await expect(move(racing, "live", "ci")).rejects.toThrow(
        /moved by another transition at the same moment \(\S+, to shadow\), which counts: this one \(\S+\) is recorded, and not in force/,
      );
      const history = await listStageTransitions(store, "clinicians");
      // Maybe recorded in the same instant: time does not order the two, the chain does.
      expect(history.map((t) => `${t.from}->${t.to}`).sort()).toEqual([
        "canary->live",
        "canary->shadow",
        "shadow->canary",
      ]);
      expect(
        (await cohortStatuses(store, { ...gatesConfig(), cohorts: [] }, DEPLOYED, request, ["clinicians"]))[0]
          ?.stage,
      ).toBe("shadow");
      expect(publisher.published.map((t) => t.to)).toEqual(["canary", "shadow"]);
    }));

  it("publishes the transition in force last when a racing rollback was published before its own message", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const published: StageTransition[] = [];
      let raced = false;
      const plain: StagePublisher = { publish: async (t) => void published.push(t) };
      const move = (p: StagePublisher, to: "shadow" | "canary" | "live", by: string) =>
        promoteCohort(store, gatesConfig(), DEPLOYED, p, { cohort: "clinicians", to, by, now: NOW });
      await move(plain, "canary", "ci");
      // The promotion is recorded and in force; a rollback is recorded and published before the
      // promotion's own (slow) message goes out, which would leave the router in live.
      const slow: StagePublisher = {
        publish: async (t) => {
          if (t.to === "live" && !raced) {
            raced = true;
            await move(plain, "shadow", "on-call");
          }
          published.push(t);
        },
      };
      await move(slow, "live", "ci");
      expect(published.map((t) => t.to)).toEqual(["canary", "shadow", "live", "shadow"]);
    }));
});

describe("promoteCohort racing another run", () => {
  /** A rollback of clinicians from canary recorded by another run, as a sibling of `after`. */
  /** Clinicians with passing traffic, promoted to canary by "ci"; what is published is kept. */
  async function inCanary(store: Store) {
    await traffic(store, 400, 0);
    const published: StageTransition[] = [];
    const plain: StagePublisher = { publish: async (t) => void published.push(t) };
    const first = await promoteCohort(store, gatesConfig(), DEPLOYED, plain, {
      cohort: "clinicians",
      to: "canary",
      by: "ci",
      now: NOW,
    });
    if (first.kind !== "moved") throw new Error("not moved");
    return { published, plain, first };
  }

  const sibling = (after: StageTransition, to: "shadow", at: string): StageTransition => ({
    ...after,
    id: `other-${to}-${at}`,
    after: after.id,
    from: "canary",
    to,
    direction: "rollback",
    at,
    by: "on-call",
    gateEvaluationId: null,
    gateStatus: null,
  });

  it("publishes the rollback in force after its own message, and fails, when the rollback lands after its read-back", () =>
    withStore(freshEmbedded, async (store) => {
      const { published, first } = await inCanary(store);
      // The other run read canary before our insert and records its rollback while we publish.
      let raced = false;
      const slow: StagePublisher = {
        publish: async (t) => {
          if (!raced) {
            raced = true;
            await insertStageTransition(store, sibling(first.transition, "shadow", first.transition.at));
          }
          published.push(t);
        },
      };
      await expect(
        promoteCohort(store, gatesConfig(), DEPLOYED, slow, {
          cohort: "clinicians",
          to: "live",
          by: "ci",
          now: NOW,
        }),
      ).rejects.toThrow(/moved by another transition at the same moment \(other-shadow-\S+, to shadow\)/);
      expect(published.map((t) => `${t.by}:${t.to}`)).toEqual(["ci:canary", "ci:live", "on-call:shadow"]);
    }));

  it("does not publish a late copy of a move that another run already built a rollback on", () =>
    withStore(freshEmbedded, async (store) => {
      const { published, plain, first } = await inCanary(store);
      // While our canary -> live insert is slow, another run records (and publishes) the same
      // move, and on-call rolls it back.
      const twin: StageTransition = {
        ...first.transition,
        id: "twin",
        after: first.transition.id,
        from: "canary",
        to: "live",
        at: "2031-01-01T00:00:00.000Z",
        by: "other-ci",
      };
      const back = { ...sibling(twin, "shadow", "2031-01-01T00:01:00.000Z"), from: "live" as const };
      const slow = withInsertHook(store, async (table) => {
        if (table !== store.tables.stageTransitions || published.length > 1) return;
        await insertStageTransition(store, twin);
        await insertStageTransition(store, back);
        published.push(twin, back);
      });
      await expect(
        promoteCohort(slow, gatesConfig(), DEPLOYED, plain, {
          cohort: "clinicians",
          to: "live",
          by: "ci",
          now: NOW,
        }),
      ).rejects.toThrow(/moved by another transition at the same moment \(\S+, to shadow\)/);
      // Our copy of the move was never published after the rollback.
      expect(published.map((t) => `${t.by}:${t.to}`)).toEqual([
        "ci:canary",
        "other-ci:live",
        "on-call:shadow",
      ]);
    }));

  it("calls a rollback beaten by a deeper one a success: the cohort is below where it was sent", () =>
    withStore(freshEmbedded, async (store) => {
      await traffic(store, 400, 0);
      const published: StageTransition[] = [];
      const plain: StagePublisher = { publish: async (t) => void published.push(t) };
      const move = (s: Store, to: "shadow" | "canary" | "live") =>
        promoteCohort(s, gatesConfig(), DEPLOYED, plain, { cohort: "clinicians", to, by: "ci", now: NOW });
      await move(store, "canary");
      const live = await move(store, "live");
      if (live.kind !== "moved") throw new Error("not moved");
      // The other run's rollback to shadow lands between our check and our insert (to canary).
      const deeper = withInsertHook(store, async (table) => {
        if (table === store.tables.stageTransitions)
          await insertStageTransition(store, {
            ...sibling(live.transition, "shadow", live.transition.at),
            from: "live",
          });
      });
      expect(await move(deeper, "canary")).toEqual({ kind: "unchanged", stage: "shadow", republished: null });
      expect(published.map((t) => `${t.by}:${t.to}`)).toEqual(["ci:canary", "ci:live"]); // the other run publishes its own
    }));
});

/** The store, with `before` run ahead of every insert and `after` once it is done. */
function withInsertHook(
  store: Store,
  before: (table: string, rows: readonly unknown[]) => Promise<void>,
  after: (table: string) => Promise<void> = async () => {},
): Store {
  return {
    ...store,
    driver: {
      kind: store.driver.kind,
      command: (sql, params) => store.driver.command(sql, params),
      query: (sql, params) => store.driver.query(sql, params),
      close: () => store.driver.close(),
      insertJsonEachRow: (table, body) => store.driver.insertJsonEachRow(table, body),
      insert: async (table, rows) => {
        await before(table, rows);
        await store.driver.insert(table, rows);
        await after(table);
      },
    },
  };
}
