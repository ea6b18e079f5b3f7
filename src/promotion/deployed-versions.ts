import type { LoadedConfig } from "../config/load-config.js";
import { loadLegacyRules } from "../legacy/load-legacy-rules.js";
import { readCompiledPolicy } from "../policy/compiled-policy.js";

/** The content hashes of what is deployed: the same hashes the pipeline stores with each outcome. */
export interface DeployedVersions {
  policyBundleSha256: string;
  legacyRulesSha256: string;
}

/** Hashes the configured policy bundle and legacy rules (validating both) without running the Wasm. */
export function deployedVersions(loaded: LoadedConfig): DeployedVersions {
  const { config, resolvePath } = loaded;
  const policy = readCompiledPolicy(resolvePath(config.policy.bundle), config.policy.entrypoint);
  const legacy = loadLegacyRules(resolvePath(config.legacy.rules));
  return { policyBundleSha256: policy.sha256, legacyRulesSha256: legacy.rulesSha256 };
}
