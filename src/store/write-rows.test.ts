import { describe, expect, it } from "vitest";
import type { StoreDriver } from "./driver.js";
import { toJsonEachRow } from "./driver.js";
import { encodeRows } from "./encoded-rows.js";
import { NO_OUTCOME_ROWS } from "./outcome-rows.js";
import { sessionFactRow } from "./session-lifecycle.js";
import { storeTables } from "./store-tables.js";
import { splitByDay, storeSink } from "./write-rows.js";

const factAt = (session: string, iso: string) =>
  sessionFactRow({
    session,
    side: "legacy",
    event: "issued",
    observedAtMs: Date.parse(iso),
    source: "tokens/0",
    cohort: "patients",
    invalid: null,
    accessLifetimeSeconds: 300,
    refreshLifetimeSeconds: null,
    claims: {},
  });

const noRows = NO_OUTCOME_ROWS;

describe("session facts are written a day at a time", () => {
  it("splits facts across midnight into one body per UTC day, the earliest first", () => {
    const body = toJsonEachRow([
      factAt("b", "2026-11-02T00:00:01Z"),
      factAt("a", "2026-11-01T23:59:59Z"),
      factAt("c", "2026-11-02T08:00:00Z"),
    ]);
    const days = splitByDay(body).map((d) =>
      d
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).session),
    );
    expect(days).toEqual([["a"], ["b", "c"]]);
  });

  it("inserts the later day only once the earlier day's insert is done", async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const driver = {
      kind: "embedded",
      insertJsonEachRow: async (table: string, body: string | Uint8Array) => {
        const sessions = String(body)
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).session);
        log.push(`start ${table.split(".")[1]} ${sessions.join(",")}`);
        if (sessions.includes("a")) await new Promise<void>((r) => (release = r));
        log.push(`done ${sessions.join(",")}`);
      },
    } as unknown as StoreDriver;
    const tables = storeTables("ed");
    const rows = (iso: string, session: string) => encodeRows({ ...noRows, facts: [factAt(session, iso)] });
    const writing = storeSink({ driver, tables })([
      rows("2026-11-02T00:00:01Z", "b"),
      rows("2026-11-01T23:59:59Z", "a"),
    ]);
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual([`start ${tables.sessionFacts.split(".")[1]} a`]);
    release();
    await writing;
    expect(log.slice(1)).toEqual(["done a", `start ${tables.sessionFacts.split(".")[1]} b`, "done b"]);
  });
});
