import { DETAIL_STAGES, type EncodedRows, type EncodedTable, joinEncoded } from "./encoded-rows.js";
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
    if (body.length > 0) await store.driver.insertJsonEachRow(tableOf[table], body);
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
  };
}
