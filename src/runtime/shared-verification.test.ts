import { describe, expect, it } from "vitest";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { loadConfig } from "../config/load-config.js";
import { isShareable, issuerPrint } from "./shared-verification.js";

describe("shared verification outcomes", () => {
  it("passes on valid tokens and refusals any worker would repeat, not a kid its key set may lack", () => {
    const life = { exp: 2_000_000_000, nbf: undefined };
    expect(isShareable({ valid: true, claims: { sub: "u" }, life })).toBe(true);
    expect(isShareable({ valid: false, reason: "bad_signature", detail: "" })).toBe(true);
    expect(isShareable({ valid: false, reason: "wrong_audience", detail: "" })).toBe(true);
    expect(isShareable({ valid: false, reason: "unknown_key", detail: "" })).toBe(false);
  });

  it("tells apart the sides and any change of a side's issuer settings", () => {
    const { config } = loadConfig(DEMO_CONFIG_FILE);
    expect(issuerPrint(config, "legacy")).toBe(issuerPrint(structuredClone(config), "legacy"));
    expect(issuerPrint(config, "legacy")).not.toBe(issuerPrint(config, "new"));
    const changed = structuredClone(config);
    changed.issuers.new = { ...changed.issuers.new, audience: ["another-api"] };
    expect(issuerPrint(changed, "new")).not.toBe(issuerPrint(config, "new"));
    expect(issuerPrint(changed, "legacy")).toBe(issuerPrint(config, "legacy"));
  });
});
