import {
  FINDING_KINDS,
  type FindingKind,
  type RootCause,
  rootCauseSchema,
  type Severity,
  severitySchema,
} from "../../contracts/index.js";
import type { DriftQuery } from "../../store/drift-groups.js";

/** The filter form's fields as sent: "" means any. Kept as text so the form shows what was asked. */
export interface DriftForm {
  cohort: string;
  kind: string;
  severity: string;
  cause: string;
  /** YYYY-MM-DD, UTC days; `until` is inclusive: the whole day counts. */
  since: string;
  until: string;
  cursor: string;
}

export type DriftFilters =
  | { ok: true; form: DriftForm; query: Omit<DriftQuery, "limit"> }
  | { ok: false; form: DriftForm; problems: string[] };

/** Drift groups never include unpaired findings (no decisions to compare), so it is not offered. */
export const DRIFT_KINDS: readonly FindingKind[] = FINDING_KINDS.filter((k) => k !== "unpaired");
export const SEVERITIES: readonly Severity[] = severitySchema.options;

export const CAUSES: readonly RootCause[] = rootCauseSchema.options;

const FIELDS = ["cohort", "kind", "severity", "cause", "since", "until", "cursor"] as const;
const DAY_MS = 86_400_000;

/**
 * Reads the GET form into a store query. Anything wrong becomes a sentence for the page rather
 * than an error: the values come from a URL anyone can edit.
 */
export function parseDriftFilters(raw: Record<string, unknown>, cohortIds: readonly string[]): DriftFilters {
  const problems: string[] = [];
  const form = readForm(raw, problems);
  const query: Omit<DriftQuery, "limit"> = {};
  if (form.cohort !== "") {
    if (cohortIds.includes(form.cohort)) query.cohort = form.cohort;
    else problems.push(`unknown cohort "${form.cohort}"; choose one of the list`);
  }
  if (form.kind !== "") {
    const kind = DRIFT_KINDS.find((k) => k === form.kind);
    if (kind) query.kind = kind;
    else problems.push(`unknown kind "${form.kind}"; choose one of ${DRIFT_KINDS.join(", ")}`);
  }
  if (form.severity !== "") {
    const severity = SEVERITIES.find((s) => s === form.severity);
    if (severity) query.severity = severity;
    else problems.push(`unknown severity "${form.severity}"; choose one of ${SEVERITIES.join(", ")}`);
  }
  if (form.cause !== "") {
    const cause = CAUSES.find((c) => c === form.cause);
    if (cause) query.cause = cause;
    else problems.push(`unknown cause "${form.cause}"; choose one of ${CAUSES.join(", ")}`);
  }
  const since = dayStart(form.since, "since", problems);
  const untilDay = dayStart(form.until, "until", problems);
  if (since) query.since = since;
  if (untilDay) query.until = new Date(untilDay.getTime() + DAY_MS);
  if (since && untilDay && since > untilDay) problems.push("since is after until");
  if (form.cursor !== "") query.cursor = form.cursor;
  return problems.length > 0 ? { ok: false, form, problems } : { ok: true, form, query };
}

function readForm(raw: Record<string, unknown>, problems: string[]): DriftForm {
  const form: DriftForm = { cohort: "", kind: "", severity: "", cause: "", since: "", until: "", cursor: "" };
  for (const field of FIELDS) {
    const value = raw[field];
    if (typeof value === "string") form[field] = value.trim();
    else if (value !== undefined) problems.push(`${field} is given more than once`);
  }
  return form;
}

/** An <input type="date"> value as the start of that UTC day; undefined when empty or wrong. */
function dayStart(text: string, field: string, problems: string[]): Date | undefined {
  if (text === "") return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00.000Z`) : null;
  // Round-tripping catches days that do not exist, such as 2030-02-31.
  if (at && !Number.isNaN(at.getTime()) && at.toISOString().startsWith(text)) return at;
  problems.push(`${field} "${text}" is not a date (YYYY-MM-DD)`);
  return undefined;
}

/** The drift page's URL for these filters, on the page `cursor` names (the first when omitted). */
export function driftHref(form: DriftForm, cursor?: string): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) if (field !== "cursor" && form[field] !== "") params.set(field, form[field]);
  if (cursor) params.set("cursor", cursor);
  const search = params.toString();
  return search === "" ? "/drift" : `/drift?${search}`;
}
