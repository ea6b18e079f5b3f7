import { dirname, isAbsolute, resolve } from "node:path";
import { cohortConditionIssues } from "../cohorts/compile-cohorts.js";
import { type Config, configSchema } from "../contracts/index.js";
import { loadYamlFile } from "./yaml-file.js";

export interface LoadedConfig {
  config: Config;
  /** The config file as given, for error messages. */
  file: string;
  /** Resolves a path written in the config relative to the config file's folder. */
  resolvePath(path: string): string;
}

/** The config schema plus checks of the cohort conditions, so their errors get a line number too. */
const checkedConfigSchema = configSchema.superRefine((cfg, ctx) => {
  for (const issue of cohortConditionIssues(cfg.cohorts)) ctx.addIssue({ code: "custom", ...issue });
});

/** Reads and validates the YAML config. Errors name file, line and path (ConfigError, exit 78). */
export function loadConfig(file: string): LoadedConfig {
  const config = loadYamlFile(file, checkedConfigSchema);
  const dir = dirname(resolve(file));
  return { config, file, resolvePath: (p) => (isAbsolute(p) ? p : resolve(dir, p)) };
}
