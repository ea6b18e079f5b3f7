import type { TokenEventObserver } from "../lifecycle/observe-token-event.js";
import { createTokenEventObserver } from "../lifecycle/observe-token-event.js";
import type { SessionFact } from "../lifecycle/session-fact.js";
import type { Runtime } from "../runtime/load-runtime.js";
import type { Store } from "../store/open-store.js";
import type { Pseudonymizer } from "../store/pseudonymize.js";
import { createSessionSweep, type SourceLag, startSweepLoop } from "./session-sweep.js";

export interface LifecycleParts {
  /** For the stream pipeline: token events become stored session facts. */
  intake: { observe: TokenEventObserver; store(fact: SessionFact): Promise<void> };
  startSweeping(onError: (err: unknown) => void): { stop(): Promise<void> };
}

/** The token lifecycle mirror of `serve` (docs/lifecycle.md); undefined without a lifecycle section. */
export function lifecyclePartsOf(o: {
  runtime: Runtime;
  store: Store;
  /** Stores facts batched with the outcomes (the service's writer). */
  writeFact(fact: SessionFact): Promise<void>;
  pseudonymizer: Pseudonymizer;
  lagOf(source: string): SourceLag | undefined;
}): LifecycleParts | undefined {
  const { config } = o.runtime.loaded;
  const section = config.lifecycle;
  if (!section) return undefined;
  const observe = createTokenEventObserver({
    verifiers: o.runtime.verifiers,
    cohortOf: o.runtime.cohortOf,
    mappings: config.identity.claimMappings,
    personalClaims: new Set(section.personalClaims),
    session: o.pseudonymizer.session,
    claim: o.pseudonymizer.claim,
  });
  const sweep = createSessionSweep({
    store: o.store,
    config: { identity: config.identity, lifecycle: section },
    lagOf: o.lagOf,
  });
  return {
    intake: { observe, store: o.writeFact },
    startSweeping: (onError) => startSweepLoop(sweep, section.sweepSeconds * 1000, onError),
  };
}
