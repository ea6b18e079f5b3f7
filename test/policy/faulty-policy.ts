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

/** The demo policy plus the faulty rule, built by the real opa CLI into `dir`; returns the bundle. */
export function buildFaultyBundle(dir: string): string {
  const src = join(dir, "faulty-policy");
  mkdirSync(src, { recursive: true });
  for (const file of ["authz.rego", "allows.rego", "denies.rego"])
    copyFileSync(join(REPO_ROOT, "policies", file), join(src, file));
  writeFileSync(join(src, "faulty.rego"), FAULTY_REGO);
  const bundle = join(dir, "faulty.tar.gz");
  buildBundle({ src, out: bundle });
  return bundle;
}

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
  const asked = new Set([...labResults].filter((id) => !notEvaluated.has(id)));
  // The policy makes no decision on those: no decision mismatch and no drift of the new side's
  // model; the legacy side's observed decision is still compared with its model.
  const undecided = new Set(["over_permission", "under_permission"]);
  const kept = (f: FindingKey) =>
    !asked.has(f.correlationId) ||
    !(undecided.has(f.kind) || (f.kind === "observed_drift" && f.side === "new"));
  return { policyErrors: [...asked].sort(), others: healthy.filter(kept).map(findingLine).sort() };
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
