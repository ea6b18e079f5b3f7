import { randomBytes } from "node:crypto";
import type { Finding, TokenEvent } from "../contracts/index.js";
import type { PairOutcome } from "../diff/pair-outcome.js";
import { judgeOptionsOf } from "../lifecycle/judge-options.js";
import { judgeSessions } from "../lifecycle/judge-sessions.js";
import { createTokenEventObserver, type TokenEventObserver } from "../lifecycle/observe-token-event.js";
import type { SessionFact, SessionUse } from "../lifecycle/session-fact.js";
import type { Runtime } from "../runtime/load-runtime.js";
import { createPseudonymizer, type Pseudonymizer } from "../store/pseudonymize.js";

/**
 * The token lifecycle mirror over replayed files: the same observer and judge as `serve`, with
 * the facts in memory. The files are complete, so every one-sided verdict is due at the end.
 * Requests are kept only for sessions already logged out on some side when they come: those are
 * the only ones the judge reads, and replay meets events in event-time order.
 */
export class ReplayLifecycle {
  private readonly facts: Promise<SessionFact>[] = [];
  private readonly uses: SessionUse[] = [];
  private readonly loggedOut = new Set<string>();
  private readonly observe: TokenEventObserver;

  constructor(
    private readonly runtime: Runtime,
    private readonly pseudonymize: Pseudonymizer,
  ) {
    const { config } = runtime.loaded;
    this.observe = createTokenEventObserver({
      verifiers: runtime.verifiers,
      cohortOf: runtime.cohortOf,
      mappings: config.identity.claimMappings,
      personalClaims: new Set(config.lifecycle?.personalClaims ?? []),
      session: pseudonymize.session,
      claim: pseudonymize.claim,
    });
  }

  token(event: TokenEvent, observedAtMs: number, source: string): void {
    if (event.event === "revoked") this.loggedOut.add(event.sessionId);
    const fact = this.observe({ event, observedAtMs, source });
    // Awaited together at the end; until then a failure (keys that cannot be fetched) must not be
    // an unhandled rejection that kills the process.
    fact.catch(() => {});
    this.facts.push(fact);
  }

  outcome(o: PairOutcome, observedAtMs: number): void {
    if (!o.session || !this.loggedOut.has(o.session.id)) return;
    this.uses.push({
      session: this.pseudonymize.session(o.session.id),
      observedAtMs,
      correlationId: o.correlationId,
      cohort: o.cohort,
      accepted: o.session.accepted,
    });
  }

  async findings(): Promise<Finding[]> {
    const { config } = this.runtime.loaded;
    if (!config.lifecycle) return [];
    const options = judgeOptionsOf(
      { identity: config.identity, lifecycle: config.lifecycle },
      () => Number.POSITIVE_INFINITY,
    );
    return judgeSessions(await Promise.all(this.facts), this.uses, options).map((f) => f.finding);
  }
}

/**
 * Replay writes no store, so it needs the store's key only to show the same pseudonyms: without
 * it, a key of its own for this run (pseudonyms then differ from the store's, ids still never show).
 */
export function replayPseudonymizer(
  envName: string,
  env: Readonly<Record<string, string | undefined>>,
): Pseudonymizer {
  const value = env[envName];
  return createPseudonymizer(value ? Buffer.from(value, "utf8") : randomBytes(32));
}
