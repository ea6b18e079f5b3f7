import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBundle, REPO_ROOT } from "./toolchain.js";

/**
 * A second definition of the complete rule `decision` for lab results: the demo policy's own one
 * is always defined, so every lab_result request gets two outputs, a Rego runtime conflict that
 * the real OPA compiler accepts and the Wasm module aborts on.
 */
const FAULTY_REGO = `package authz

decision := {"allow": true, "reasons": ["faulty.lab_result"]} if input.resource.type == "lab_result"
`;

/**
 * One more rule for the demo policy: on a request whose context says `diagnose: slow`, a deny
 * that never holds (i == j + n has no solution in the ranges) but walks n * n pairs first,
 * allocating as it goes. The Wasm evaluation then runs far past a worker's timeout: 28 s for
 * n = 2000 on the 2-core machine, slower than quadratically in n, so n = 3000 leaves a wide margin
 * on a faster one; its memory grows with the time it runs (about 200 MB in the first 5 s).
 */
const SLOW_REGO = `package authz

denies contains "slow.never" if {
	input.context.diagnose == "slow"
	n := 3000
	count([1 | some i in numbers.range(1, n); some j in numbers.range(1, n); i == j + n]) > 0
}
`;

/** The demo policy plus one more file, built by the real opa CLI into `dir`; returns the bundle. */
function buildDemoPolicyWith(dir: string, name: string, rego: string): string {
  const src = join(dir, `${name}-policy`);
  mkdirSync(src, { recursive: true });
  for (const file of ["authz.rego", "allows.rego", "denies.rego"])
    copyFileSync(join(REPO_ROOT, "policies", file), join(src, file));
  writeFileSync(join(src, `${name}.rego`), rego);
  const bundle = join(dir, `${name}.tar.gz`);
  buildBundle({ src, out: bundle });
  return bundle;
}

/** The demo policy plus the faulty rule (a conflict on every lab_result request). */
export const buildFaultyBundle = (dir: string): string => buildDemoPolicyWith(dir, "faulty", FAULTY_REGO);

/** The demo policy plus the slow rule (SLOW_REGO): asked about a request marked by plantSlowRequest. */
export const buildSlowBundle = (dir: string): string => buildDemoPolicyWith(dir, "slow", SLOW_REGO);

export interface FindingKey {
  correlationId: string;
  kind: string;
  side: string | null;
}

/** What the faulty policy must produce for traffic whose findings under the demo policy are known. */
export interface FaultyExpectation {
  /** Correlation ids of the lab_result pairs the policy is asked about (both tokens valid), sorted. */
  policyErrors: string[];
  /** Every other finding as `correlationId kind side`, sorted. */
  others: string[];
}

export const findingLine = (f: FindingKey) => `${f.correlationId} ${f.kind} ${f.side ?? "-"}`;

export function faultyExpectation(
  lines: readonly string[],
  healthy: readonly FindingKey[],
): FaultyExpectation {
  const labResults = new Set(
    lines
      .flatMap((l) => parsedEvent(l) ?? [])
      .filter(isLabResult)
      .map((e) => e.correlationId),
  );
  const notEvaluated = new Set(
    healthy.filter((f) => f.kind === "token_invalid" || f.kind === "unpaired").map((f) => f.correlationId),
  );
  return undecidedExpectation(
    healthy,
    [...labResults].filter((id) => !notEvaluated.has(id)),
  );
}

/** What traffic with known findings gives when the new policy decides none of `asked`. */
function undecidedExpectation(healthy: readonly FindingKey[], asked: readonly string[]): FaultyExpectation {
  const undecidedIds = new Set(asked);
  // The policy makes no decision on those: no decision mismatch and no drift of the new side's
  // model; the legacy side's observed decision is still compared with its model.
  const undecided = new Set(["over_permission", "under_permission"]);
  const kept = (f: FindingKey) =>
    !undecidedIds.has(f.correlationId) ||
    !(undecided.has(f.kind) || (f.kind === "observed_drift" && f.side === "new"));
  return { policyErrors: [...undecidedIds].sort(), others: healthy.filter(kept).map(findingLine).sort() };
}

/**
 * Marks one pair whose both tokens are valid (so the policy is asked) for the slow rule, on both
 * sides' events; returns the traffic with it and what the service must store for it.
 */
export function plantSlowRequest(
  lines: readonly string[],
  healthy: readonly FindingKey[],
): { lines: string[]; slowId: string; expected: FaultyExpectation } {
  const notEvaluated = new Set(
    healthy.filter((f) => f.kind === "token_invalid" || f.kind === "unpaired").map((f) => f.correlationId),
  );
  const sides = new Map<string, number>();
  for (const e of lines.flatMap((l) => parsedEvent(l) ?? []))
    sides.set(e.correlationId, (sides.get(e.correlationId) ?? 0) + 1);
  const slowId = [...sides].find(([id, n]) => n === 2 && !notEvaluated.has(id))?.[0];
  if (slowId === undefined) throw new Error("no pair with two valid tokens in the traffic");
  const marked = lines.map((line) => {
    const e = parsedEvent(line) as (EventLine & { request: { context?: object } }) | undefined;
    if (e?.correlationId !== slowId) return line;
    return JSON.stringify({
      ...e,
      request: { ...e.request, context: { ...e.request.context, diagnose: "slow" } },
    });
  });
  return { lines: marked, slowId, expected: undecidedExpectation(healthy, [slowId]) };
}

interface EventLine {
  correlationId: string;
  request?: { resource?: { type?: string } };
}

const isLabResult = (e: EventLine) => e.request?.resource?.type === "lab_result";

/** The demo plants malformed lines (rejected by every reader); only events count here. */
function parsedEvent(line: string): EventLine | undefined {
  try {
    return JSON.parse(line) as EventLine;
  } catch {
    return undefined;
  }
}
