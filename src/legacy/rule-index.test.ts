import { describe, expect, it } from "vitest";
import { legacyRuleSchema } from "../contracts/rules.js";
import { compileRule } from "./compiled-rule.js";
import { RuleIndex } from "./rule-index.js";

function index(rules: unknown[]) {
  return new RuleIndex(rules.map((r, i) => compileRule(legacyRuleSchema.parse(r), i, "t")));
}

const ids = (bucket: { denies: readonly { id: string }[]; allows: readonly { id: string }[] }) => ({
  denies: bucket.denies.map((r) => r.id),
  allows: bucket.allows.map((r) => r.id),
});

describe("RuleIndex", () => {
  const rules = [
    { id: "a", effect: "allow", roles: ["*"], actions: ["read"], resources: ["note"] },
    { id: "b", effect: "deny", roles: ["*"], actions: ["*"], resources: ["note"] },
    { id: "c", effect: "allow", roles: ["*"], actions: ["read", "write"], resources: ["*"] },
    { id: "d", effect: "deny", roles: ["*"], actions: ["*"], resources: ["*"], when: { "context.x": true } },
    { id: "e", effect: "allow", roles: ["*"], actions: ["export"], resources: ["invoice"] },
  ];

  it("returns only the rules that can apply, in file order, split by effect", () => {
    const idx = index(rules);
    expect(ids(idx.lookup("read", "note"))).toEqual({ denies: ["b", "d"], allows: ["a", "c"] });
    expect(ids(idx.lookup("write", "invoice"))).toEqual({ denies: ["d"], allows: ["c"] });
    expect(ids(idx.lookup("export", "invoice"))).toEqual({ denies: ["d"], allows: ["e"] });
    expect(ids(idx.lookup("purge", "note"))).toEqual({ denies: ["b", "d"], allows: [] });
    expect(ids(idx.lookup("purge", "unknown"))).toEqual({ denies: ["d"], allows: [] });
  });

  it("shares one bucket among names no rule mentions", () => {
    const idx = index(rules);
    expect(idx.lookup("purge", "x")).toBe(idx.lookup("archive", "y"));
    expect(idx.lookup("read", "note")).toBe(idx.lookup("read", "note"));
  });
});
