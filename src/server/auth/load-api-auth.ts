import type { LoadedConfig } from "../../config/load-config.js";
import type { ApiAuthConfig } from "../../contracts/index.js";
import { loadJwks } from "../../identity/load-key.js";
import { ApiVerifier } from "./api-verifier.js";

/** What the app needs to guard the review API. */
export interface ApiAuth {
  verifier: ApiVerifier;
  config: ApiAuthConfig;
}

/** The review API's verifier, or undefined when the config has no `api` section (the API is off). */
export function loadApiAuth(loaded: LoadedConfig): ApiAuth | undefined {
  const config = loaded.config.api;
  if (!config) return undefined;
  const keys = loadJwks(config.keys, {
    configFile: loaded.file,
    configPath: "api",
    resolvePath: loaded.resolvePath,
  });
  return { verifier: new ApiVerifier(config, keys), config };
}
