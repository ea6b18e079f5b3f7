import { appendFileSync, cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleDifferences } from "./bundle-entries.js";
import {
  buildBundle,
  COMMITTED_BUNDLE,
  makeTempDir,
  SHAPES_ENTRYPOINTS,
  SHAPES_FIXTURE,
  type TempDir,
} from "./toolchain.js";

let tmp: TempDir;

beforeAll(() => {
  tmp = makeTempDir("staleness");
});
afterAll(() => tmp.remove());

describe("the committed policy bundle", () => {
  it("is exactly what scripts/build-policies.sh builds from policies/ now (not stale)", () => {
    expect(existsSync(COMMITTED_BUNDLE), `${COMMITTED_BUNDLE} is missing: run npm run policy:build`).toBe(
      true,
    );
    const fresh = tmp.file("fresh.tar.gz");
    buildBundle({ out: fresh });
    const differences = bundleDifferences(COMMITTED_BUNDLE, fresh);
    expect(
      differences,
      "policies/bundle.tar.gz is stale against the Rego sources: run `npm run policy:build` and commit the bundle",
    ).toEqual([]);
  });
});

describe("the staleness check itself", () => {
  it("builds byte-identical bundles from the same sources (so a rebuild can be compared)", () => {
    const [first, second] = [tmp.file("first.tar.gz"), tmp.file("second.tar.gz")];
    buildBundle({ out: first });
    buildBundle({ out: second });
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
  });

  it("reports the compiled module and the changed source when a rule changes", () => {
    const sources = tmp.file("shapes");
    cpSync(SHAPES_FIXTURE, sources, { recursive: true });
    const build = (out: string) => buildBundle({ src: sources, out, entrypoints: SHAPES_ENTRYPOINTS });
    const before = tmp.file("before.tar.gz");
    build(before);
    expect(bundleDifferences(before, before)).toEqual([]);
    appendFileSync(path.join(sources, "shapes.rego"), '\nreasons contains "fixture.probe" if input.probe\n');
    const after = tmp.file("after.tar.gz");
    build(after);
    const differences = bundleDifferences(before, after);
    expect(differences).toContainEqual(expect.stringMatching(/^policy\.wasm: contents differ/));
    expect(differences).toContainEqual(expect.stringMatching(/shapes\.rego: contents differ/));
  });
});
