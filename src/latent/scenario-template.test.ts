import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors/errors.js";
import { compileScenarios } from "./scenario-template.js";

const claims = {
  legacy: { sub: "u-1", tenant: "t-a", proxy_for: ["u-7", "u-8"] },
  new: { sub: "n-1", legacy_sub: "u-1" },
};

describe("compileScenarios", () => {
  it("fills references from either token, indexes list claims and keeps literals", () => {
    const [s] = compileScenarios(
      [
        {
          id: "proxy",
          resource: {
            ownerId: "$legacy.proxy_for[1]",
            tenantId: "$legacy.tenant",
            careTeam: ["$new.legacy_sub", "x"],
            price: "$$5",
          },
          context: { purposeOfUse: "treatment", nested: { who: "$new.sub" } },
        },
      ],
      "config.yaml",
    );
    expect(s?.instantiate(claims)).toEqual({
      resource: { ownerId: "u-8", tenantId: "t-a", careTeam: ["u-1", "x"], price: "$5" },
      context: { purposeOfUse: "treatment", nested: { who: "n-1" } },
    });
  });

  it("leaves out an attribute or list element whose claim the principal does not have", () => {
    const [s] = compileScenarios(
      [
        {
          id: "x",
          resource: { ownerId: "$legacy.proxy_for[5]", careTeam: ["$new.missing"], tenantId: "$new.tenant" },
          context: {},
        },
      ],
      "config.yaml",
    );
    expect(s?.instantiate(claims)).toEqual({ resource: { careTeam: [] }, context: {} });
  });

  it("refuses a mistyped reference with its place in the config", () => {
    const compile = () =>
      compileScenarios(
        [
          { id: "a", resource: { ownerId: "$legacy.sub" }, context: {} },
          { id: "b", resource: { ownerId: "$token.sub" }, context: { deep: ["$legacy."] } },
        ],
        "config.yaml",
      );
    expect(compile).toThrow(ConfigError);
    expect(compile).toThrow(/latent\.scenarios\.1\.resource\.ownerId\)?: "\$token\.sub" is not a reference/);
    expect(compile).toThrow(/latent\.scenarios\.1\.context\.deep\.0/);
  });
});
