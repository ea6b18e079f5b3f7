import type { Store } from "./open-store.js";
import type { OutcomeRows } from "./outcome-rows.js";

/** Writes a batch of rows durably; rejects if any part was not written (then all of it is retried). */
export type RowSink = (batch: readonly OutcomeRows[]) => Promise<void>;

/**
 * Findings first, outcomes second: an outcome that a reader can see always has its details. Both
 * tables deduplicate by pair (latent entitlements by principal and cell), so retrying a
 * half-written batch stores nothing twice.
 */
export function storeSink(store: Pick<Store, "driver" | "tables">): RowSink {
  return async (batch) => {
    const latent = batch.flatMap((rows) => rows.latent);
    if (latent.length > 0) await store.driver.insert(store.tables.latent, latent);
    const replay = batch.flatMap((rows) => rows.replay);
    if (replay.length > 0) await store.driver.insert(store.tables.replayFacts, replay);
    const facts = batch.flatMap((rows) => rows.facts);
    if (facts.length > 0) await store.driver.insert(store.tables.sessionFacts, facts);
    const uses = batch.flatMap((rows) => rows.uses);
    if (uses.length > 0) await store.driver.insert(store.tables.sessionUses, uses);
    await store.driver.insert(
      store.tables.findings,
      batch.flatMap((rows) => rows.findings),
    );
    const outcomes = batch.flatMap((rows) => (rows.outcome ? [rows.outcome] : []));
    if (outcomes.length > 0) await store.driver.insert(store.tables.outcomes, outcomes);
  };
}
