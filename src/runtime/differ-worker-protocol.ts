import type { ObservedEvent } from "../diff/pair-outcome.js";
import type { Observations } from "../metrics/recording-instruments.js";
import type { MadeOutcome } from "../stream/outcome-maker.js";

/** What a differ worker is started with: it loads the same runtime from the same config. */
export interface DifferWorkerData {
  configFile: string;
  env: Record<string, string | undefined>;
}

export type DiffJob =
  | { id: number; kind: "pair"; legacy: ObservedEvent; next: ObservedEvent }
  | { id: number; kind: "unpaired"; only: ObservedEvent; detail: string };

export type DiffResult =
  | { id: number; ok: true; made: MadeOutcome }
  | { id: number; ok: false; error: string };

export type WorkerReply =
  | { type: "ready"; policyBundleSha256: string; legacyRulesSha256: string }
  | { type: "failed"; error: string }
  | { type: "results"; results: DiffResult[]; observations: Observations };
