import { hash } from "node:crypto";
import { groupBy } from "../collections/group-by.js";
import {
  type ClaimMapping,
  type Finding,
  type FindingKind,
  type LifecycleEvent,
  SEVERITY_OF,
  type Side,
} from "../contracts/index.js";
import { mappingKey, mappingLabel } from "./mapped-claims.js";
import type { FactsComplete, SessionFact, SessionUse } from "./session-fact.js";

export interface SessionJudgeOptions {
  windowMs: number;
  lifetimeToleranceSeconds: number;
  mappings: readonly ClaimMapping[];
  factsComplete: FactsComplete;
}

/** A lifecycle finding with its deterministic id: judging the same facts again gives the same ids. */
export interface LifecycleFinding {
  id: string;
  finding: Finding;
}

const OTHER: Readonly<Record<Side, Side>> = { legacy: "new", new: "legacy" };

type Body = Omit<Finding, "correlationId" | "severity">;
type Emit = (key: string, make: () => Body) => void;

/**
 * Judges sessions from their lifecycle facts and the requests that named them (docs/lifecycle.md):
 * - the two sides' logins and refreshes are paired by kind, earliest first within the window;
 *   a paired one whose lifetimes differ beyond the tolerance is `lifetime_drift`, one whose mapped
 *   claims differ is `claim_drift` (once per session and token or mapping, at the login if it shows);
 * - a login or refresh with no counterpart on the other side is `session_drift`;
 * - a logout on one side with none on the other, followed by a request whose other-side token
 *   still verified, is `session_drift`.
 * Pure: the same facts give the same findings. One-sided verdicts wait until `factsComplete`
 * says the other side's facts are all in. Each finding takes its time and cohort from the fact it
 * is about, never from later arrivals, so a session judged again stores the same rows.
 */
export function judgeSessions(
  facts: readonly SessionFact[],
  uses: readonly SessionUse[],
  options: SessionJudgeOptions,
): LifecycleFinding[] {
  const usesBySession = groupBy(uses, (u) => u.session);
  return [...groupBy(facts, (f) => f.session)].flatMap(([session, own]) =>
    judgeSession(session, own, usesBySession.get(session) ?? [], options),
  );
}

function judgeSession(
  session: string,
  facts: readonly SessionFact[],
  uses: readonly SessionUse[],
  o: SessionJudgeOptions,
): LifecycleFinding[] {
  const sorted = [...facts].sort((a, b) => a.observedAtMs - b.observedAtMs || sideOrder(a) - sideOrder(b));
  const out = new Map<string, LifecycleFinding>();
  const emit: Emit = (key, make) => {
    const id = hash("sha256", `${session}\u0000${key}`, "hex");
    if (out.has(id)) return;
    const body = make();
    out.set(id, { id, finding: { ...body, correlationId: session, severity: SEVERITY_OF[body.kind] } });
  };
  // Logins first: a drift that shows at the login is anchored there, whatever refreshes come later.
  for (const event of ["issued", "refreshed"] as const) {
    const { pairs, alone } = pairAcrossSides(
      sorted.filter((f) => f.event === event),
      o.windowMs,
    );
    for (const [l, n] of pairs) comparePair(l, n, o, emit);
    for (const f of alone) {
      if (o.factsComplete(f.source, OTHER[f.side]) < f.observedAtMs + o.windowMs) continue;
      emit(`one-sided\u0000${event}\u0000${f.side}`, () =>
        lifecycleFinding("session_drift", f, f.side, oneSidedDetail(f, o)),
      );
    }
  }
  judgeLogouts(sorted, uses, o, emit);
  return [...out.values()];
}

function comparePair(l: SessionFact, n: SessionFact, o: SessionJudgeOptions, emit: Emit): void {
  if (l.invalid !== null || n.invalid !== null) return;
  for (const token of ["access", "refresh"] as const) {
    const lt = token === "access" ? l.accessLifetimeSeconds : l.refreshLifetimeSeconds;
    const nt = token === "access" ? n.accessLifetimeSeconds : n.refreshLifetimeSeconds;
    if (lt === null || nt === null || Math.abs(lt - nt) <= o.lifetimeToleranceSeconds) continue;
    emit(`lifetime\u0000${token}`, () =>
      lifecycleFinding(
        "lifetime_drift",
        l,
        nt > lt ? "new" : "legacy",
        `${token} token lifetime (exp - iat) legacy ${lt} s, new ${nt} s: differs by ${Math.abs(nt - lt)} s, tolerance ${o.lifetimeToleranceSeconds} s`,
      ),
    );
  }
  for (const m of o.mappings) {
    const key = mappingKey(m);
    // A mapping configured after the facts were stored has no values to compare.
    if (!Object.hasOwn(l.claims, key) || !Object.hasOwn(n.claims, key)) continue;
    const lv = l.claims[key] ?? null;
    const nv = n.claims[key] ?? null;
    if (lv === nv) continue;
    emit(`claim\u0000${key}`, () =>
      lifecycleFinding(
        "claim_drift",
        l,
        "new",
        `claim mapping ${mappingLabel(m)} does not hold: legacy ${shown(lv)} (mapped), new ${shown(nv)}`,
      ),
    );
  }
}

/**
 * A logout on one side only is drift once the other side is seen to keep the session: a later
 * request whose other-side token still verified, with no logout of its own before it. Dated at
 * the logout, which does not move as requests arrive.
 */
function judgeLogouts(
  facts: readonly SessionFact[],
  uses: readonly SessionUse[],
  o: SessionJudgeOptions,
  emit: Emit,
): void {
  const logouts = facts.filter((f) => f.event === "revoked");
  for (const r of logouts) {
    const other = OTHER[r.side];
    const answered = logouts.some(
      (x) => x.side === other && Math.abs(x.observedAtMs - r.observedAtMs) <= o.windowMs,
    );
    if (answered) continue;
    const kept = uses
      .filter(
        (u) =>
          u.accepted[other] === true &&
          u.observedAtMs > r.observedAtMs + o.windowMs &&
          o.factsComplete(r.source, other) >= u.observedAtMs &&
          !logouts.some((x) => x.side === other && x.observedAtMs <= u.observedAtMs),
      )
      .sort((a, b) => a.observedAtMs - b.observedAtMs || a.correlationId.localeCompare(b.correlationId))[0];
    if (!kept) continue;
    emit(`logout\u0000${r.side}`, () =>
      lifecycleFinding(
        "session_drift",
        r,
        other,
        `logged out on ${r.side} at ${iso(r.observedAtMs)}, but ${other} has no logout for the session and still accepted its token at ${iso(kept.observedAtMs)} (request ${kept.correlationId})`,
      ),
    );
  }
}

/**
 * Same-kind events of the two sides, earliest first: walking both in time order, the earlier of
 * two heads too far apart has no counterpart.
 */
export function pairAcrossSides(
  facts: readonly SessionFact[],
  windowMs: number,
): { pairs: [SessionFact, SessionFact][]; alone: SessionFact[] } {
  const legacy = facts.filter((f) => f.side === "legacy");
  const next = facts.filter((f) => f.side === "new");
  const pairs: [SessionFact, SessionFact][] = [];
  const alone: SessionFact[] = [];
  let i = 0;
  let j = 0;
  while (i < legacy.length && j < next.length) {
    const l = legacy[i] as SessionFact;
    const n = next[j] as SessionFact;
    if (Math.abs(l.observedAtMs - n.observedAtMs) <= windowMs) {
      pairs.push([l, n]);
      i++;
      j++;
    } else if (l.observedAtMs < n.observedAtMs) {
      alone.push(l);
      i++;
    } else {
      alone.push(n);
      j++;
    }
  }
  alone.push(...legacy.slice(i), ...next.slice(j));
  return { pairs, alone };
}

function oneSidedDetail(f: SessionFact, o: SessionJudgeOptions): string {
  const what = f.event === "issued" ? "login" : "refresh";
  const seconds = Math.round(o.windowMs / 1000);
  const unverified = f.invalid === null ? "" : ` (its token did not verify: ${f.invalid})`;
  return `${what} succeeded on ${f.side} only${unverified}: ${OTHER[f.side]} has no ${f.event} event for the session within ${seconds} s of ${iso(f.observedAtMs)}`;
}

/** A finding dated and placed in a cohort by the fact it is about. */
function lifecycleFinding(kind: FindingKind, about: SessionFact, side: Side, detail: string): Body {
  const event: LifecycleEvent = about.event;
  return {
    kind,
    cohort: about.cohort,
    side,
    action: event,
    resourceType: "session",
    legacy: { allow: null, ruleId: null },
    new: { allow: null, reasons: [] },
    detail,
    observedAt: iso(about.observedAtMs),
  };
}

const shown = (v: string | null) => (v === null ? "absent" : v);
const iso = (ms: number) => new Date(ms).toISOString();
const sideOrder = (f: SessionFact) => (f.side === "legacy" ? 0 : 1);
