import {
  type FindingKind,
  type LifecycleEvent,
  type Side,
  TOKEN_EVENT_SCHEMA,
} from "../../../src/contracts/index.js";
import { REFRESH_LIFETIME_SECONDS } from "./issuers.js";
import type { PlantedCase } from "./planted-cases.js";
import { hasDrift, type Principal } from "./principal.js";
import type { Prng } from "./prng.js";
import type { SessionTokens } from "./session-tokens.js";

/** Must equal lifecycle.windowSeconds of examples/health-tech/config.yaml (a test checks it). */
export const LIFECYCLE_WINDOW_SECONDS = 60;

/** PLANTED DRIFT: the new CIAM gives caregivers 30-day refresh tokens (legacy: a shift). */
export const NEW_CAREGIVER_REFRESH_SECONDS = 30 * 86_400;

/** Shares of clean caregivers that log out at their second request: one side only, or both. */
const ONE_SIDED_LOGOUT_SHARE = 0.05;
const BOTH_SIDES_LOGOUT_SHARE = 0.05;

/** The demo config's claim mappings, by position, as the ground truth names them. */
export const DEMO_MAPPING_OF = { tenant: 1, proxy_for: 2, email: 4 } as const;

/** A lifecycle finding the demo must produce, per session. */
export interface ExpectedLifecycleFinding {
  sessionId: string;
  kind: Extract<FindingKind, "lifetime_drift" | "session_drift" | "claim_drift">;
  side: Side;
  action: LifecycleEvent;
  cohort: string;
  planted: PlantedCase;
  /** For claim drift: the position of the mapping in identity.claimMappings. */
  mapping?: number;
}

interface SessionState {
  id: string;
  slot: number;
  requests: number;
  /** Set by a one-sided logout: the legacy side ended the session, the new side did not. */
  loggedOutOnLegacyAtMs?: number;
  confirmed?: boolean;
}

/**
 * The token lifecycle mirror of the demo (docs/demo.md): each principal's first request is a login
 * on both sides, each new token slot a refresh on both sides, a little before the request that
 * needs it. Planted: billing staff's refreshes fail on the new side; some caregivers log out on the
 * legacy side only and keep using the session; service clients' and caregivers' lifetimes differ; claims
 * differ where the principal's new identity is broken. Lines come out in event-time order.
 */
export class LifecycleMirror {
  readonly lines: string[] = [];
  readonly expected: ExpectedLifecycleFinding[] = [];
  private readonly sessions = new Map<number, SessionState>();
  private readonly logins = new Map<number, number>();
  private readonly oneSidedLogout = new Set<number>();
  private readonly bothSidesLogout = new Set<number>();

  constructor(
    rng: Prng,
    principals: readonly Principal[],
    private readonly windowSeconds = LIFECYCLE_WINDOW_SECONDS,
  ) {
    const clean = principals.filter((p) => p.kind === "caregiver" && !hasDrift(p));
    const oneSided = rng.sample(clean, Math.max(1, Math.round(clean.length * ONE_SIDED_LOGOUT_SHARE)));
    for (const p of oneSided) this.oneSidedLogout.add(p.index);
    const rest = clean.filter((p) => !this.oneSidedLogout.has(p.index));
    for (const p of rng.sample(rest, Math.max(1, Math.round(clean.length * BOTH_SIDES_LOGOUT_SHARE))))
      this.bothSidesLogout.add(p.index);
  }

  /** Called before each request's lines: emits what the CIAMs did first, returns the session id. */
  sessionFor(p: Principal, atMs: number, tokens: SessionTokens): string {
    let s = this.sessions.get(p.index);
    if (s && s.requests === 1 && this.bothSidesLogout.has(p.index)) {
      for (const side of ["legacy", "new"] as const) this.emit(side, s.id, atMs - 3, "revoked", p, tokens);
      s = undefined;
    }
    if (s && s.requests === 1 && this.oneSidedLogout.has(p.index) && s.loggedOutOnLegacyAtMs === undefined) {
      this.emit("legacy", s.id, atMs - 2, "revoked", p, tokens);
      s.loggedOutOnLegacyAtMs = atMs - 2;
    }
    if (!s) {
      s = this.login(p, atMs, tokens);
    } else if (s.slot !== tokens.slot) {
      s.slot = tokens.slot;
      this.refresh(p, s, atMs, tokens);
    }
    this.confirmLogoutGap(p, s, atMs);
    s.requests++;
    return s.id;
  }

  private login(p: Principal, atMs: number, tokens: SessionTokens): SessionState {
    const n = (this.logins.get(p.index) ?? 0) + 1;
    this.logins.set(p.index, n);
    const s: SessionState = { id: `s-${p.index}-${n}`, slot: tokens.slot, requests: 0 };
    this.sessions.set(p.index, s);
    for (const side of ["legacy", "new"] as const) this.emit(side, s.id, atMs - 1, "issued", p, tokens);
    this.expectIdentityDrift(p, s.id);
    return s;
  }

  private refresh(p: Principal, s: SessionState, atMs: number, tokens: SessionTokens): void {
    this.emit("legacy", s.id, atMs - 1, "refreshed", p, tokens);
    if (p.kind !== "billing") {
      this.emit("new", s.id, atMs - 1, "refreshed", p, tokens);
      return;
    }
    const already = this.expected.some((e) => e.sessionId === s.id && e.planted === "refresh-fails-on-new");
    if (!already)
      this.expected.push({
        sessionId: s.id,
        kind: "session_drift",
        side: "legacy",
        action: "refreshed",
        cohort: p.cohort,
        planted: "refresh-fails-on-new",
      });
  }

  /** The legacy logout is drift once the new side is seen accepting the session a window later. */
  private confirmLogoutGap(p: Principal, s: SessionState, atMs: number): void {
    const out = s.loggedOutOnLegacyAtMs;
    if (out === undefined || s.confirmed || atMs <= out + this.windowSeconds * 1000) return;
    s.confirmed = true;
    this.expected.push({
      sessionId: s.id,
      kind: "session_drift",
      side: "new",
      action: "revoked",
      cohort: p.cohort,
      planted: "logout-not-propagated",
    });
  }

  /** What every session of this principal shows once its login is paired (docs/demo.md). */
  private expectIdentityDrift(p: Principal, sessionId: string): void {
    if (p.drift.wrongAudience) return; // the new token does not verify: nothing to compare
    const base = { sessionId, action: "issued" as const, cohort: p.cohort };
    if (p.kind === "service")
      this.expected.push({ ...base, kind: "lifetime_drift", side: "new", planted: "service-token-lifetime" });
    if (p.kind === "caregiver")
      this.expected.push({
        ...base,
        kind: "lifetime_drift",
        side: "new",
        planted: "caregiver-refresh-lifetime",
      });
    const claim = (mapping: number, planted: PlantedCase) =>
      this.expected.push({ ...base, kind: "claim_drift", side: "new", planted, mapping });
    if (p.drift.tenantClaimMissing) claim(DEMO_MAPPING_OF.tenant, "service-tenant-claim-missing");
    if (p.drift.proxyNotMigrated && p.proxyFor.length > 0)
      claim(DEMO_MAPPING_OF.proxy_for, "proxy-not-migrated");
    if (p.drift.staleEmail) claim(DEMO_MAPPING_OF.email, "stale-email");
  }

  private emit(
    side: Side,
    sessionId: string,
    atMs: number,
    event: LifecycleEvent,
    p: Principal,
    tokens: SessionTokens,
  ): void {
    const refresh =
      event === "revoked"
        ? ""
        : `,"refreshExpiresIn":${side === "new" && p.kind === "caregiver" ? NEW_CAREGIVER_REFRESH_SECONDS : REFRESH_LIFETIME_SECONDS}`;
    const token = side === "legacy" ? tokens.legacy : tokens.next;
    const at = new Date(atMs).toISOString();
    this.lines.push(
      `{"schema":"${TOKEN_EVENT_SCHEMA}","side":"${side}","sessionId":"${sessionId}","observedAt":"${at}","event":"${event}","token":"${token}"${refresh}}`,
    );
  }
}
