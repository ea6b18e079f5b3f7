import type { CohortAssigner } from "../cohorts/compile-cohorts.js";
import { compileCohorts } from "../cohorts/compile-cohorts.js";
import type { LoadedConfig } from "../config/load-config.js";
import { type ClaimMapping, type Config, type Report, SIDES, type Side } from "../contracts/index.js";
import { createPairDiffer, type PairDiffer } from "../diff/pair-differ.js";
import { compileClaimMappings } from "../identity/claim-mapping.js";
import { JoseVerifier } from "../identity/jose-verifier.js";
import { loadVerificationKey } from "../identity/load-key.js";
import { createFactKeeper } from "../impact/replay-facts.js";
import { compileMatrix } from "../latent/entitlement-matrix.js";
import { createEntitlementTracker } from "../latent/principal-entitlements.js";
import type { LegacyEngine } from "../legacy/engine.js";
import { loadLegacyRules } from "../legacy/load-legacy-rules.js";
import type { RuntimeInstruments } from "../metrics/instrumented-runtime.js";
import type { PolicyEvaluator } from "../policy/evaluator.js";
import { loadWasmPolicy } from "../policy/wasm-policy.js";

/** Everything loaded from a config that the pure diff needs: the edge where files and env are read. */
export interface Runtime {
  loaded: LoadedConfig;
  differ: PairDiffer;
  /** The parts of the differ, for benchmarks and diagnostics. */
  verifiers: Record<Side, JoseVerifier>;
  legacy: LegacyEngine;
  policy: PolicyEvaluator;
  cohortOf: CohortAssigner;
  provenance: Report["provenance"];
  close(): void;
}

/**
 * Loads everything a config names. `instruments` (the service's metrics) wrap the verifiers, the
 * rules engine and the policy the differ calls; the returned parts stay the unwrapped ones.
 */
export async function loadRuntime(
  loaded: LoadedConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
  instruments?: RuntimeInstruments,
): Promise<Runtime> {
  const { config, file, resolvePath } = loaded;
  const verifierFor = (side: Side) =>
    new JoseVerifier(
      config.issuers[side],
      loadVerificationKey(config.issuers[side], {
        configFile: file,
        configPath: `issuers.${side}`,
        resolvePath,
        env,
      }),
      config.verification.cacheSize,
    );
  const verifiers = { legacy: verifierFor("legacy"), new: verifierFor("new") };
  if (instruments) for (const side of SIDES) verifiers[side].onVerified(() => instruments.verified(side));
  const legacy = loadLegacyRules(resolvePath(config.legacy.rules));
  const policy = await loadWasmPolicy({
    bundlePath: resolvePath(config.policy.bundle),
    entrypoint: config.policy.entrypoint,
    maxMemoryPages: config.policy.maxMemoryPages,
  });
  const cohortOf = compileCohorts(config.cohorts, { file });
  // The matrix runs the unwrapped models: its counterfactual requests are not traffic to measure.
  const entitlements =
    config.latent &&
    createEntitlementTracker({ legacy, policy }, compileMatrix(config.latent, file), config.latent);
  const differ = createPairDiffer({
    verifiers: instruments
      ? {
          legacy: instruments.verifier("legacy", verifiers.legacy),
          new: instruments.verifier("new", verifiers.new),
        }
      : verifiers,
    legacy: instruments ? instruments.legacy(legacy) : legacy,
    policy: instruments ? instruments.policy(policy) : policy,
    cohortOf,
    legacySubjectClaim: config.identity.legacySubjectClaim,
    sessions: config.lifecycle !== undefined,
    claims: compileClaimMappings(withSubjectMapping(config.identity)),
    ...(entitlements ? { entitlements } : {}),
    ...(config.impact ? { facts: createFactKeeper(policy, config.impact) } : {}),
  });
  return {
    loaded,
    differ,
    verifiers,
    legacy,
    policy,
    cohortOf,
    provenance: {
      policyBundleSha256: policy.bundleSha256,
      legacyRulesSha256: legacy.rulesSha256,
      entrypoint: policy.entrypoint,
    },
    close: () => policy.close(),
  };
}

/**
 * The subject is a mapped claim too: the legacy `sub` travels in the new token as the subject
 * continuity claim (identity.legacySubjectClaim), unless the config maps `sub` itself.
 */
function withSubjectMapping(identity: Config["identity"]): ClaimMapping[] {
  const mapsSub = identity.claimMappings.some((m) => m.legacy === "sub");
  return mapsSub
    ? identity.claimMappings
    : [{ legacy: "sub", new: identity.legacySubjectClaim }, ...identity.claimMappings];
}
