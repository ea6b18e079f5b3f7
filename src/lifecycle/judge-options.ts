import type { Config } from "../contracts/index.js";
import type { SessionJudgeOptions } from "./judge-sessions.js";
import type { FactsComplete } from "./session-fact.js";

/** The judge's options from a config with a `lifecycle` section. */
export function judgeOptionsOf(
  config: Pick<Config, "identity"> & { lifecycle: NonNullable<Config["lifecycle"]> },
  factsComplete: FactsComplete,
): SessionJudgeOptions {
  return {
    windowMs: config.lifecycle.windowSeconds * 1000,
    lifetimeToleranceSeconds: config.lifecycle.lifetimeToleranceSeconds,
    mappings: config.identity.claimMappings,
    factsComplete,
  };
}
