import { z } from "zod";
import type { GateEvaluation } from "../../contracts/index.js";
import { BadCursorError } from "../../store/drift-groups.js";

/** Where the previous page ended: evaluations sort by (evaluatedAt, id), newest first. */
const positionSchema = z.object({ evaluatedAt: z.iso.datetime(), id: z.string().min(1) }).strict();
export type GateEvaluationPosition = z.infer<typeof positionSchema>;

/** Opaque to callers (base64url JSON), so the sort key can change without breaking clients. */
export function gateEvaluationCursor(last: Pick<GateEvaluation, "evaluatedAt" | "id">): string {
  const position: GateEvaluationPosition = { evaluatedAt: last.evaluatedAt, id: last.id };
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

export function gateEvaluationPosition(cursor: string): GateEvaluationPosition {
  try {
    const parsed = positionSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: the same mistake as JSON of the wrong shape
  }
  throw new BadCursorError("cursor is not one this API issued; start again without it");
}
