import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import type { ExpectedManifest } from "../../examples/health-tech/generator/expected-manifest.js";
import * as issuers from "../../examples/health-tech/generator/issuers.js";
import { PLANTED_CASES, type PlantedCase } from "../../examples/health-tech/generator/planted-cases.js";
import { COHORT_OF } from "../../examples/health-tech/generator/principal.js";
import { legacyClaims, newClaims } from "../../examples/health-tech/generator/session-tokens.js";
import { DEMO_DEFAULTS, generateDemoTraffic } from "../../examples/health-tech/generator/traffic.js";
import { buildWorld } from "../../examples/health-tech/generator/world.js";
import { writeDemoFiles } from "../../examples/health-tech/generator/write-demo-files.js";
import { DEMO_CONFIG_FILE } from "../../examples/health-tech/paths.js";
import { compileCohorts } from "../../src/cohorts/compile-cohorts.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { AuthzEvent, Side } from "../../src/contracts/index.js";
import { JoseVerifier } from "../../src/identity/jose-verifier.js";
import { loadVerificationKey } from "../../src/identity/load-key.js";
import { parseEvent } from "../../src/ingest/parse-event.js";

const EVENTS = 3_000;

function generate(options: { events: number; seed?: number }) {
  const traffic = generateDemoTraffic(options);
  const lines = [...traffic.lines];
  return { lines, manifest: traffic.expected() };
}

const sha256 = (lines: string[]) => createHash("sha256").update(lines.join("\n")).digest("hex");

const run = generate({ events: EVENTS });
const { lines, manifest } = run;

interface Parsed {
  line: number;
  text: string;
  event: AuthzEvent;
  atMs: number;
}

const parsed: Parsed[] = [];
const failures = new Map<number, string>();
lines.forEach((text, i) => {
  const result = parseEvent(text);
  if (result.ok) parsed.push({ line: i + 1, text, event: result.event, atMs: result.observedAtMs });
  else failures.set(i + 1, result.reason);
});

const rejectedLines = new Set(manifest.rejected.map((r) => r.line));
const duplicateLines = new Set(manifest.duplicates.map((d) => d.line));
/** The events a replay keeps: not rejected, not a redelivery. */
const kept = parsed.filter((p) => !rejectedLines.has(p.line) && !duplicateLines.has(p.line));
const sidesById = new Map<string, Map<Side, Parsed>>();
/** Kept events whose side was already seen for their correlation id: there must be none. */
const keptTwice: number[] = [];
for (const p of kept) {
  const sides = sidesById.get(p.event.correlationId) ?? new Map<Side, Parsed>();
  if (sides.has(p.event.side)) keptTwice.push(p.line);
  sides.set(p.event.side, p);
  sidesById.set(p.event.correlationId, sides);
}

describe("generateDemoTraffic: determinism", () => {
  it("writes the same bytes and the same manifest for the same seed", () => {
    const again = generate({ events: EVENTS });
    expect(sha256(again.lines)).toBe(sha256(lines));
    expect(again.manifest).toEqual(manifest);
  });

  it("writes other traffic for another seed", () => {
    const other = generate({ events: EVENTS, seed: 7 });
    expect(sha256(other.lines)).not.toBe(sha256(lines));
  });

  it("writes exactly the asked number of lines, odd numbers included", () => {
    expect(lines).toHaveLength(EVENTS);
    const odd = generate({ events: 1_001 });
    expect(odd.lines).toHaveLength(1_001);
    expect(odd.manifest.totals.lines).toBe(1_001);
  });

  it("refuses a manifest before the lines were generated", () => {
    expect(() => generateDemoTraffic({ events: 500 }).expected()).toThrow(/after every line/);
  });
});

describe("generateDemoTraffic: every line is a valid event except the planted malformed ones", () => {
  it("parses every line but the malformed ones, which fail for the stated reason", () => {
    const malformed = manifest.rejected.filter((r) => r.planted !== "conflict");
    expect(malformed.map((r) => r.planted).sort()).toEqual([
      "malformed-missing-resource-type",
      "malformed-truncated",
    ]);
    expect([...failures.keys()]).toEqual(malformed.map((r) => r.line));
    for (const r of malformed) expect(failures.get(r.line)).toContain(r.reasonContains);
  });

  it("repeats a kept event byte for byte on each duplicate line, a little later", () => {
    expect(manifest.duplicates).toHaveLength(5);
    for (const d of manifest.duplicates) {
      expect(d.duplicateOfLine).toBeLessThan(d.line);
      expect(d.line - d.duplicateOfLine).toBeLessThan(10);
      expect(lines[d.line - 1]).toBe(lines[d.duplicateOfLine - 1]);
    }
  });

  it("re-sends a kept legacy event with other bytes on the conflict line", () => {
    const [conflict, ...more] = manifest.rejected.filter((r) => r.planted === "conflict");
    expect(more).toEqual([]);
    const line = parsed.find((p) => p.line === conflict?.line);
    const first = sidesById.get(conflict?.correlationId ?? "")?.get("legacy");
    expect(line?.event.side).toBe("legacy");
    expect(first?.line).toBeLessThan(line?.line ?? 0);
    expect(line?.text).not.toBe(first?.text);
    expect({ ...line?.event, observedAt: "" }).toEqual({ ...first?.event, observedAt: "" });
    expect(conflict?.reasonContains).toBe("a different legacy event");
  });

  it("keeps event time roughly increasing, the two sides of a request close together", () => {
    let latest = Number.NEGATIVE_INFINITY;
    for (const p of kept) {
      expect(latest - p.atMs, `line ${p.line} goes back in time`).toBeLessThan(1_000);
      latest = Math.max(latest, p.atMs);
    }
    let newFirst = 0;
    for (const sides of sidesById.values()) {
      const legacy = sides.get("legacy");
      const next = sides.get("new");
      if (!legacy || !next) continue;
      expect(next.atMs - legacy.atMs).toBeGreaterThanOrEqual(-150);
      expect(next.atMs - legacy.atMs).toBeLessThanOrEqual(400);
      if (next.line < legacy.line) newFirst++;
      expect(next.event.request).toEqual(legacy.event.request);
    }
    expect(newFirst).toBeGreaterThan(0);
  });

  it("attaches the observed decision to most events, not all", () => {
    const share = kept.filter((p) => p.event.observedDecision !== undefined).length / kept.length;
    expect(share).toBeGreaterThan(0.9);
    expect(share).toBeLessThan(0.97);
  });
});

describe("generateDemoTraffic: the manifest agrees with the file", () => {
  it("uses each correlation id for one request: at most one kept event per side", () => {
    expect(keptTwice).toEqual([]);
  });

  it("counts events, pairs, unpaired requests, duplicates and rejections as the file has them", () => {
    const pairs = [...sidesById.values()].filter((s) => s.size === 2).length;
    const unpaired = [...sidesById.values()].filter((s) => s.size === 1).length;
    expect(manifest.totals).toEqual({
      lines: EVENTS,
      events: parsed.length,
      duplicates: manifest.duplicates.length,
      rejected: manifest.rejected.length,
      pairs,
      unpaired,
      mismatches: manifest.findings.length,
    });
    expect(manifest.totals.rejected).toBe(3);
  });

  it("expects an unpaired finding for exactly the one-sided requests, naming the side seen", () => {
    const oneSided = [...sidesById]
      .filter(([, s]) => s.size === 1)
      .map(([id, s]) => `${id} ${[...s.keys()][0]}`);
    const unpaired = manifest.findings
      .filter((f) => f.kind === "unpaired")
      .map((f) => `${f.correlationId} ${f.side}`);
    expect(unpaired.sort()).toEqual(oneSided.sort());
    expect(unpaired.filter((u) => u.endsWith(" new"))).toHaveLength(2);
  });

  it("names only requests of the file, each finding once", () => {
    const keys = manifest.findings.map((f) => `${f.correlationId} ${f.kind} ${f.side}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of manifest.findings) expect(sidesById.has(f.correlationId), f.correlationId).toBe(true);
  });

  it("adds the cohorts up to the totals", () => {
    const cohorts = Object.values(manifest.cohorts);
    expect(Object.keys(manifest.cohorts).sort()).toEqual(Object.values(COHORT_OF).sort());
    const sum = (pick: (c: (typeof cohorts)[number]) => number) => cohorts.reduce((n, c) => n + pick(c), 0);
    expect(sum((c) => c.pairs)).toBe(manifest.totals.pairs);
    expect(sum((c) => c.unpaired)).toBe(manifest.totals.unpaired);
    expect(sum((c) => Object.values(c.findings).reduce((n, k) => n + (k ?? 0), 0))).toBe(
      manifest.findings.length,
    );
  });

  it("plants every documented case", () => {
    // These need a refresh or a later request after a logout: minutes of event time, more than
    // this run spans. test/demo/lifecycle-ground-truth.test.ts finds them at the default size.
    const needMinutes = new Set<PlantedCase>(["refresh-fails-on-new", "logout-not-propagated"]);
    for (const id of Object.keys(PLANTED_CASES) as PlantedCase[]) {
      if (needMinutes.has(id)) continue;
      const c = manifest.planted[id];
      expect(c.findings + c.rejected + c.duplicates, id).toBeGreaterThan(0);
      expect(c.examples.length, id).toBeGreaterThan(0);
    }
  });

  it("keeps the planted over- and under-permissions in their cohorts", () => {
    const where = (kind: string) =>
      new Set(manifest.findings.filter((f) => f.kind === kind).map((f) => `${f.cohort}:${f.planted}`));
    expect(where("over_permission")).toEqual(new Set(["billing:finance-role-too-broad"]));
    expect(where("under_permission")).toEqual(
      new Set([
        "caregivers:proxy-not-migrated",
        "service-accounts:service-tenant-claim-missing",
        "break-glass:break-glass-missing",
        "patients:jit-without-legacy-sub",
      ]),
    );
    expect(where("subject_mismatch")).toEqual(new Set(["patients:jit-without-legacy-sub"]));
    expect(where("token_invalid")).toEqual(new Set(["nurses:wrong-audience"]));
  });
});

describe("the demo tokens and the demo config", () => {
  const loaded = loadConfig(DEMO_CONFIG_FILE);
  const env = { [LEGACY_JWT_SECRET_ENV]: DEMO_LEGACY_JWT_SECRET };
  const verifier = (side: Side) =>
    new JoseVerifier(
      loaded.config.issuers[side],
      loadVerificationKey(loaded.config.issuers[side], {
        configFile: loaded.file,
        configPath: `issuers.${side}`,
        resolvePath: loaded.resolvePath,
        env,
      }),
      10_000,
    );

  it("signs for the issuers and audience of config.yaml", () => {
    expect(loaded.config.issuers.legacy).toMatchObject({
      issuer: issuers.LEGACY_ISSUER,
      audience: issuers.API_AUDIENCE,
    });
    expect(loaded.config.issuers.new).toMatchObject({
      issuer: issuers.NEW_ISSUER,
      audience: issuers.API_AUDIENCE,
    });
    expect(loaded.config.issuers.legacy.keys).toEqual({
      type: "hmac-secret-env",
      env: LEGACY_JWT_SECRET_ENV,
    });
  });

  it("verifies every token at its event time, except the planted wrong audience", async () => {
    const wrongAudience = new Set(
      manifest.findings.filter((f) => f.planted === "wrong-audience").map((f) => f.correlationId),
    );
    const verifiers = { legacy: verifier("legacy"), new: verifier("new") };
    const refused = new Map<string, string>();
    for (const p of kept) {
      const result = await verifiers[p.event.side].verify(p.event.token, Math.floor(p.atMs / 1000));
      if (!result.ok) refused.set(`${p.event.correlationId} ${p.event.side}`, result.reason);
    }
    expect([...refused.values()].every((reason) => reason === "wrong_audience")).toBe(true);
    expect(new Set(refused.keys())).toEqual(new Set([...wrongAudience].map((id) => `${id} new`)));
  });

  it("places every principal in its cohort from the legacy token, and the new token agrees where it can", () => {
    const cohortOf = compileCohorts(loaded.config.cohorts, { file: loaded.file });
    const world = buildWorld(DEMO_DEFAULTS.seed, DEMO_DEFAULTS.principals);
    for (const p of world.principals) {
      expect(cohortOf(legacyClaims(p, 0)), p.legacySub).toBe(p.cohort);
    }
    // Unpaired new-only events are placed from the new token: planted for patients and nurses.
    for (const p of [...world.byKind.patient, ...world.byKind.nurse]) {
      expect(cohortOf(newClaims(p, 0, "j"))).toBe(p.cohort);
    }
  });
});

describe("writeDemoFiles", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "entitlement-diff-demo-files-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the same lines as the generator and a manifest that reads back equal", async () => {
    const events = path.join(dir, "events.ndjson");
    const expected = path.join(dir, "expected.json");
    const result = await writeDemoFiles({ events: EVENTS }, events, expected);
    const text = readFileSync(events, "utf8");
    expect(text).toBe(`${lines.join("\n")}\n`);
    expect(result.bytes).toBe(Buffer.byteLength(text));
    expect(JSON.parse(readFileSync(expected, "utf8")) as ExpectedManifest).toEqual(manifest);
  });
});
