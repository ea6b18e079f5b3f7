import {
  DETAIL_STAGES,
  type EncodedRows,
  type EncodedTable,
  type EncodedText,
  joinEncoded,
  textOf,
} from "./encoded-rows.js";
import type { Store } from "./open-store.js";
import type { StoreTables } from "./store-tables.js";

/** Writes a batch of rows durably; rejects if any part was not written (then all of it is retried). */
export type RowSink = (batch: readonly EncodedRows[]) => Promise<void>;

/**
 * One insert per table: the details in their stages (DETAIL_STAGES), then the outcomes, so an
 * outcome that a reader can see always has its details. Every table deduplicates by pair (latent entitlements by principal
 * and cell), so retrying a half-written batch stores nothing twice.
 */
export function storeSink(store: Pick<Store, "driver" | "tables">): RowSink {
  const tableOf = tableNames(store.tables);
  const insert = async (batch: readonly EncodedRows[], table: EncodedTable) => {
    const body = joinEncoded(batch.map((rows) => rows[table]));
    if (body.length === 0) return;
    if (table !== "facts") return store.driver.insertJsonEachRow(tableOf[table], body);
    for (const day of splitByDay(body)) await store.driver.insertJsonEachRow(tableOf[table], day);
  };
  return async (batch) => {
    for (const stage of DETAIL_STAGES) {
      // All settled before the batch fails: a retry must not race inserts still running.
      const details = await Promise.allSettled(stage.map((table) => insert(batch, table)));
      const failed = details.find((d) => d.status === "rejected");
      if (failed) throw failed.reason;
    }
    await insert(batch, "outcome");
  };
}

function tableNames(tables: StoreTables): Record<EncodedTable, string> {
  return {
    latent: tables.latent,
    replay: tables.replayFacts,
    facts: tables.sessionFacts,
    uses: tables.sessionUses,
    findings: tables.findings,
    outcome: tables.outcomes,
    setAside: tables.setAside,
  };
}

const OBSERVED_DAY = /"observed_at":"(\d{4}-\d{2}-\d{2})/;

/**
 * Session facts as one insert per day of event time (the table's daily partitions, UTC), the
 * earliest first. An insert into several partitions becomes visible part by part, and the session
 * sweep reads the latest stored fact time of a source as "complete up to": a later day visible
 * before an earlier one of the same batch would make one-sided verdicts come due on facts not yet
 * visible. Within a partition an insert is one part, visible at once.
 */
export function splitByDay(body: EncodedText): string[] {
  const days = new Map<string, string[]>();
  for (const line of textOf(body).split("\n")) {
    if (line.length === 0) continue;
    const day = OBSERVED_DAY.exec(line)?.[1] ?? "";
    const lines = days.get(day) ?? [];
    lines.push(line);
    days.set(day, lines);
  }
  return [...days.keys()].sort().map((day) => `${days.get(day)?.join("\n")}\n`);
}
