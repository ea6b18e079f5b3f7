import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DEMO_LEGACY_JWT_SECRET, LEGACY_JWT_SECRET_ENV } from "../../examples/health-tech/demo-secrets.js";
import { SET_ASIDE_REMAIN_EXIT } from "../../src/cli/judge-set-aside-command.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { Side } from "../../src/contracts/index.js";
import { openStore } from "../../src/store/open-store.js";
import { type SetAsideEvent, setAsideRows } from "../../src/store/set-aside-pairs.js";
import { storeSink } from "../../src/store/write-rows.js";
import { demoTraffic, PSEUDONYM_ENV, writeServiceConfig } from "../service/service-kit.js";
import { runCli } from "./cli-harness.js";

/**
 * `judge-set-aside` on a store holding three set-asides (two pairs, one lone legacy event), and a
 * dump of dead letters holding all of them but one side of one pair, a malformed line and an
 * event of a request that was never set aside.
 */
let config: string;
let dump: string;
const lines = new Map<string, Partial<Record<Side, string>>>();
let ids: { a: string; b: string; c: string; other: string };

const plainPairs = (all: readonly string[]) => {
  for (const line of all) {
    try {
      const e = JSON.parse(line) as { correlationId: string; side: Side };
      const sides = lines.get(e.correlationId) ?? {};
      if (sides[e.side]) sides[e.side] = "duplicate";
      else sides[e.side] = line;
      lines.set(e.correlationId, sides);
    } catch {
      // the demo's malformed lines
    }
  }
  return [...lines].filter(([, s]) => s.legacy && s.new && s.legacy !== "duplicate" && s.new !== "duplicate");
};

const line = (id: string, side: Side) => lines.get(id)?.[side] ?? "";
const setAsideOf = (id: string, sides: readonly Side[]): SetAsideEvent[] =>
  sides.map((side) => {
    const e = JSON.parse(line(id, side)) as { observedAt: string };
    return { side, correlationId: id, observedAtMs: Date.parse(e.observedAt), source: `dlq-test/0@${side}` };
  });

async function outcomesOf(
  idList: string[],
): Promise<{ correlation_id: string; paired: number; only_side: string }[]> {
  const loaded = loadConfig(config);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)), env: process.env });
  try {
    return await store.driver.query(
      `SELECT correlation_id, toUInt8(paired) AS paired, only_side FROM ${store.tables.outcomes} FINAL
       WHERE has({ids:Array(String)}, correlation_id) ORDER BY correlation_id, only_side`,
      { ids: idList },
    );
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  vi.stubEnv(LEGACY_JWT_SECRET_ENV, DEMO_LEGACY_JWT_SECRET);
  vi.stubEnv(PSEUDONYM_ENV, "judge-set-aside-test-key-0123456789abcdef");
  config = writeServiceConfig({
    brokers: ["127.0.0.1:9"],
    topics: { legacy: "jsa-legacy", new: "jsa-new", deadLetter: "jsa-dlq" },
    storeDir: mkdtempSync(join(tmpdir(), "judge-set-aside-store-")),
    groupId: "judge-set-aside",
  });
  const pairs = plainPairs((await demoTraffic(300)).lines);
  const [a, b, c, other] = pairs.map(([id]) => id);
  if (!a || !b || !c || !other) throw new Error("the demo traffic holds too few plain pairs");
  ids = { a, b, c, other };
  const loaded = loadConfig(config);
  const store = await openStore(loaded.config.store, { baseDir: dirname(resolve(config)), env: process.env });
  try {
    const reason = "set aside, not retried: judging it failed 3 times (the latest: a test)";
    await storeSink(store)([
      setAsideRows(setAsideOf(a, ["legacy", "new"]), reason),
      setAsideRows(setAsideOf(b, ["legacy", "new"]), reason),
      setAsideRows(setAsideOf(c, ["legacy"]), reason),
    ]);
  } finally {
    await store.close();
  }
  dump = join(mkdtempSync(join(tmpdir(), "judge-set-aside-dlq-")), "dlq.ndjson");
  const dumped = [
    line(a, "new"),
    "{not an envelope",
    line(c, "legacy"),
    line(b, "legacy"),
    line(other, "legacy"),
  ];
  writeFileSync(dump, `${[...dumped, line(a, "legacy")].join("\n")}\n`);
}, 120_000);

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("entitlement-diff judge-set-aside", () => {
  it("judges what the dump holds into the store, says what it could not, and exits 1 while any remains", async () => {
    const run = await runCli("judge-set-aside", "--config", config, dump);
    expect(run.stderr).toBe(`entitlement-diff: 1 of 3 set-aside requests remain unjudged\n`);
    expect(run.code).toBe(SET_ASIDE_REMAIN_EXIT);
    // In correlation id order, as the store lists them.
    const judged = [
      [ids.a, `  judged: ${ids.a}`],
      [ids.c, `  judged: ${ids.c} (legacy only)`],
    ].sort(([x = ""], [y = ""]) => x.localeCompare(y));
    expect(run.stdout.split("\n")).toEqual([
      "judged and stored 2 of 3 requests set aside unjudged",
      ...judged.map(([, l]) => l),
      `  not in the files: ${ids.b} (new)`,
      "ignored: 1 events of other requests, 1 lines that are not events",
      "",
    ]);
    expect(await outcomesOf([ids.a, ids.b, ids.c, ids.other])).toEqual(
      [
        { correlation_id: ids.a, paired: 1, only_side: "" },
        { correlation_id: ids.c, paired: 0, only_side: "legacy" },
      ].sort((x, y) => x.correlation_id.localeCompare(y.correlation_id)),
    );
  });

  it("judges the rest once its dead letter is there too, then finds nothing to do", async () => {
    appendFileSync(dump, `${line(ids.b, "new")}\n`);
    const run = await runCli("judge-set-aside", "--config", config, dump);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `judged and stored 1 of 1 requests set aside unjudged\n  judged: ${ids.b}\n`,
    );
    expect((await outcomesOf([ids.b])).map((o) => o.paired)).toEqual([1]);
    const again = await runCli("judge-set-aside", "--config", config, dump);
    expect(again).toMatchObject({ code: 0, stdout: "no request is set aside unjudged: nothing to do\n" });
  });

  it("refuses a dump that does not exist, saying which", async () => {
    const run = await runCli("judge-set-aside", "--config", config, "/nonexistent/dlq.ndjson");
    expect(run.code).toBe(66);
    expect(run.stderr).toMatch(
      /^entitlement-diff: InputError: cannot read dead letters \/nonexistent\/dlq.ndjson: ENOENT/,
    );
  });
});
