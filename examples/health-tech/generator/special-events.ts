import type { Side } from "../../../src/contracts/index.js";
import type { PrincipalKind } from "./principal.js";

/** A planted event-level defect, placed at a fixed fraction of the run (docs/demo.md). */
export type SpecialEvent =
  /** The live system on `side` decided the opposite of its model, for a clean principal. */
  | { type: "observed-drift"; side: Side; kind: PrincipalKind; scenario: string }
  /** Only the `seen` side of the request reaches the file. */
  | { type: "unpaired"; seen: Side; kind: PrincipalKind }
  /** One line of the request is delivered again, byte for byte, two requests later. */
  | { type: "duplicate"; side: Side }
  /** A broken line is written before the request's valid lines. */
  | { type: "malformed"; variant: "truncated" | "missing-resource-type" }
  /** The legacy event is delivered again re-stamped (+1.2 s): same correlationId, other bytes. */
  | { type: "conflict" };

const SCHEDULE: readonly (readonly [number, SpecialEvent])[] = [
  [0.05, { type: "unpaired", seen: "legacy", kind: "patient" }],
  [0.08, { type: "duplicate", side: "legacy" }],
  [0.11, { type: "observed-drift", side: "legacy", kind: "clinician", scenario: "clinician.care-team-read" }],
  [0.17, { type: "malformed", variant: "truncated" }],
  [0.21, { type: "unpaired", seen: "legacy", kind: "nurse" }],
  [0.29, { type: "observed-drift", side: "new", kind: "patient", scenario: "patient.read-own" }],
  [0.33, { type: "unpaired", seen: "new", kind: "patient" }],
  [0.36, { type: "duplicate", side: "new" }],
  [0.38, { type: "unpaired", seen: "legacy", kind: "clinician" }],
  [0.42, { type: "conflict" }],
  [0.47, { type: "observed-drift", side: "legacy", kind: "clinician", scenario: "clinician.care-team-read" }],
  [0.55, { type: "unpaired", seen: "legacy", kind: "patient" }],
  [0.6, { type: "duplicate", side: "legacy" }],
  [0.63, { type: "observed-drift", side: "new", kind: "patient", scenario: "patient.read-own" }],
  [0.68, { type: "malformed", variant: "missing-resource-type" }],
  [0.71, { type: "unpaired", seen: "legacy", kind: "nurse" }],
  [0.74, { type: "unpaired", seen: "new", kind: "nurse" }],
  [0.79, { type: "observed-drift", side: "legacy", kind: "clinician", scenario: "clinician.care-team-read" }],
  [0.84, { type: "duplicate", side: "new" }],
  [0.88, { type: "unpaired", seen: "legacy", kind: "admin" }],
  [0.93, { type: "observed-drift", side: "new", kind: "patient", scenario: "patient.read-own" }],
  [0.99, { type: "duplicate", side: "legacy" }],
];

/** With an odd number of lines, one more legacy-only request makes the count come out exactly. */
const PARITY_FILLER: readonly [number, SpecialEvent] = [
  0.97,
  { type: "unpaired", seen: "legacy", kind: "patient" },
];

/** Extra lines the schedule adds beyond one line per side of each request. */
function extraLines(event: SpecialEvent): number {
  return event.type === "duplicate" || event.type === "malformed" || event.type === "conflict" ? 1 : 0;
}

export interface SpecialPlan {
  /** Number of requests to generate. */
  requests: number;
  /** Special event by request index. */
  byRequest: Map<number, SpecialEvent>;
}

/** The fewest lines a run can have: the schedule must fit between distinct requests. */
export const MIN_DEMO_EVENTS = 200;

/**
 * Places the special events so that the file has exactly `lines` lines: two per paired request,
 * one per unpaired request, plus the duplicates, malformed lines and the conflict.
 */
export function planSpecialEvents(lines: number): SpecialPlan {
  if (!Number.isInteger(lines) || lines < MIN_DEMO_EVENTS) {
    throw new RangeError(
      `the demo needs a whole number of at least ${MIN_DEMO_EVENTS} events (got ${lines})`,
    );
  }
  const schedule = lines % 2 === 0 ? SCHEDULE : [...SCHEDULE, PARITY_FILLER];
  const extra = schedule.reduce((n, [, e]) => n + extraLines(e), 0);
  const unpaired = schedule.filter(([, e]) => e.type === "unpaired").length;
  const pairs = (lines - extra - unpaired) / 2;
  const requests = pairs + unpaired;
  const byRequest = new Map<number, SpecialEvent>();
  for (const [fraction, event] of schedule) {
    let index = Math.floor(fraction * requests);
    while (byRequest.has(index)) index++;
    byRequest.set(index, event);
  }
  return { requests, byRequest };
}
