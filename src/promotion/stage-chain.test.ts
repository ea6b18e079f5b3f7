import { describe, expect, it } from "vitest";
import { STAGE_TRANSITION_SCHEMA, type StageTransition } from "../contracts/index.js";
import { followStageChain } from "./stage-chain.js";

let clock = Date.parse("2030-01-01T00:00:00.000Z");
function move(
  id: string,
  after: string | null,
  from: StageTransition["from"],
  to: StageTransition["to"],
): StageTransition {
  clock += 1_000;
  const rollback = ["shadow", "canary", "live"].indexOf(to) < ["shadow", "canary", "live"].indexOf(from);
  return {
    schema: STAGE_TRANSITION_SCHEMA,
    id,
    cohort: "clinicians",
    after,
    from,
    to,
    direction: rollback ? "rollback" : "promote",
    at: new Date(clock).toISOString(),
    by: "ci",
    gateEvaluationId: rollback ? null : `e-${id}`,
    gateStatus: rollback ? null : "pass",
    policyBundleSha256: "p",
    legacyRulesSha256: "r",
  };
}

describe("followStageChain", () => {
  it("has nothing in force without transitions", () => {
    expect(followStageChain([])).toEqual({ current: null, recorded: [], superseded: [] });
  });

  it("follows predecessors, not time: a raced rollback wins over a later promotion from the same stage", () => {
    const a = move("a", "initial", "shadow", "canary");
    const back = move("back", "a", "canary", "shadow");
    const live = move("live", "a", "canary", "live"); // later, but it raced the rollback
    const chain = followStageChain([a, back, live]);
    expect(chain.current?.id).toBe("back");
    expect(chain.superseded.map((t) => t.id)).toEqual(["live"]);
  });

  it("drops what follows a transition that lost its race, and the lower target wins among rollbacks", () => {
    const a = move("a", "initial", "shadow", "canary");
    const b = move("b", "a", "canary", "live");
    const toCanary = move("to-canary", "b", "live", "canary");
    const toShadow = move("to-shadow", "b", "live", "shadow");
    const afterCanary = move("after-canary", "to-canary", "canary", "live");
    const chain = followStageChain([a, b, toCanary, toShadow, afterCanary]);
    expect(chain.current?.id).toBe("to-shadow");
    expect(chain.superseded.map((t) => t.id)).toEqual(["to-canary", "after-canary"]);
  });

  it("keeps what was built on a move when a copy of that move lands late with an earlier time", () => {
    const a = move("a", "initial", "shadow", "canary");
    const p2 = move("p2", "a", "canary", "live"); // stamped first, inserted last (a slow insert)
    const p1 = move("p1", "a", "canary", "live");
    const back = move("back", "p1", "live", "shadow"); // the rollback built on p1, published
    expect(followStageChain([a, p1, back]).current?.id).toBe("back");
    const chain = followStageChain([a, p2, p1, back]);
    expect(chain.current?.id).toBe("back");
    expect(chain.superseded).toEqual([]); // p2 is the same move as p1, not a loser
  });

  it("takes the earlier of two equal moves, and first transitions race like any other", () => {
    const one = move("one", "initial", "shadow", "canary");
    const two = move("two", "initial", "shadow", "canary");
    expect(followStageChain([one, two]).current?.id).toBe("one");
    expect(followStageChain([two, one]).current?.id).toBe("one");
  });

  it("continues the time-ordered transitions recorded before predecessors were named", () => {
    const old1 = move("old1", null, "shadow", "canary");
    const old2 = move("old2", null, "canary", "live");
    const next = move("next", "old2", "live", "canary");
    expect(followStageChain([old1, old2]).current?.id).toBe("old2");
    expect(followStageChain([old1, old2, next]).current?.id).toBe("next");
  });

  it("ends at a cycle instead of looping (only a hand-edited table has one)", () => {
    const x = move("x", "initial", "shadow", "canary");
    const y = move("y", "x", "canary", "live");
    const again = { ...move("x2", "y", "live", "canary"), id: "x" }; // names x's id again
    expect(followStageChain([x, y, again]).current?.id).toBe("y");
  });
});
