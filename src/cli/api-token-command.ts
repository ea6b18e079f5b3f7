import { Command } from "commander";
import { type LoadedConfig, loadConfig } from "../config/load-config.js";
import { API_ROLES, type ApiRole, apiRoleSchema, durationMs } from "../contracts/index.js";
import { ConfigError, UsageError } from "../errors/errors.js";
import { loadApiAuth } from "../server/auth/load-api-auth.js";
import { loadLocalSigningKey, localSigningConfig } from "../server/auth/local-signing-key.js";
import { mintApiToken } from "../server/auth/mint-api-token.js";

interface ApiTokenFlags {
  config: string;
  role: string[];
  subject?: string;
  ttl: string;
}

/** A local token is a stand-in for an identity provider's: it should not outlive the working day. */
const MAX_TTL_MS = 24 * 3_600_000;

export function apiTokenCommand(): Command {
  return new Command("api-token")
    .description("mint a review API token signed with api.localSigningKey (local use, no identity provider)")
    .requiredOption("-c, --config <file>", "configuration file (YAML) with an api section")
    .requiredOption(
      "--role <role>",
      `a role of the token, repeatable: ${API_ROLES.join(", ")}`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option("--subject <sub>", "the token's sub (default: local-<role>)")
    .option("--ttl <duration>", "lifetime, e.g. 15m or 8h; at most 24h", "1h")
    .action(async (flags: ApiTokenFlags) => {
      const roles = parseRoles(flags.role);
      const ttlSeconds = parseTtl(flags.ttl);
      const loaded = loadConfig(flags.config);
      const api = localSigningConfig(loaded);
      const signing = await loadLocalSigningKey(loaded, api);
      const subject = flags.subject ?? `local-${roles.join("-")}`;
      const token = await mintApiToken(api, signing, { subject, roles, ttlSeconds });
      await checkAccepted(loaded, token);
      process.stdout.write(`${token}\n`);
    });
}

function parseRoles(names: readonly string[]): ApiRole[] {
  const roles = names.map((name) => {
    const parsed = apiRoleSchema.safeParse(name);
    if (!parsed.success)
      throw new UsageError(`--role: unknown role "${name}"; one of ${API_ROLES.join(", ")}`);
    return parsed.data;
  });
  return [...new Set(roles)];
}

function parseTtl(text: string): number {
  const ms = durationMs(text);
  if (!(ms > 0)) throw new UsageError(`--ttl: "${text}" is not a duration such as 15m, 8h or 1d`);
  if (ms > MAX_TTL_MS) throw new UsageError(`--ttl: ${text} is longer than the 24h a local token may live`);
  return ms / 1000;
}

/** A token the API would refuse (a local key missing from api.keys) is worse than no token. */
async function checkAccepted(loaded: LoadedConfig, token: string): Promise<void> {
  const verdict = await loadApiAuth(loaded)?.verifier.verify(token);
  if (verdict && !verdict.ok) {
    throw new ConfigError([
      {
        file: loaded.file,
        path: "api.localSigningKey",
        message: `the API would refuse tokens signed with this key: ${verdict.detail}`,
      },
    ]);
  }
}
