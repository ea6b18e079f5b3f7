import { describe, expect, it } from "vitest";
import { readRoles } from "./role-claim.js";

describe("readRoles", () => {
  it("reads a list of role names", () => {
    expect(readRoles({ roles: ["patient", "caregiver"] }, "roles")).toEqual(["patient", "caregiver"]);
  });

  it("reads one role name as a one-element list", () => {
    expect(readRoles({ roles: "nurse" }, "roles")).toEqual(["nurse"]);
  });

  it("follows a dot path", () => {
    expect(readRoles({ realm_access: { roles: ["admin"] } }, "realm_access.roles")).toEqual(["admin"]);
  });

  it("gives no roles for a missing or malformed claim", () => {
    expect(readRoles({}, "roles")).toEqual([]);
    expect(readRoles({ roles: 7 }, "roles")).toEqual([]);
    expect(readRoles({ roles: { admin: true } }, "roles")).toEqual([]);
    expect(readRoles({ roles: null }, "roles")).toEqual([]);
    expect(readRoles({ roles: "" }, "roles")).toEqual([]);
  });

  it("ignores list elements that are not role names", () => {
    expect(readRoles({ roles: ["nurse", 1, null, { admin: true }, ["admin"], ""] }, "roles")).toEqual([
      "nurse",
    ]);
  });

  it("does not read inherited properties", () => {
    expect(readRoles({}, "constructor")).toEqual([]);
    expect(readRoles({}, "__proto__")).toEqual([]);
  });
});
