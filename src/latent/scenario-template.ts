import { isDotPath } from "../conditions/left-path.js";
import type { LatentScenario } from "../contracts/index.js";
import { ConfigError } from "../errors/errors.js";
import type { Claims } from "../identity/claims.js";
import { readPath } from "../identity/claims.js";

/** The claims a scenario's references read: the principal's two tokens (in canonical form). */
export interface PrincipalClaims {
  legacy: Claims;
  new: Claims;
}

/** A scenario made concrete for one principal: resource attributes (without the type) and context. */
export interface ScenarioInstance {
  resource: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type CompiledScenario = {
  id: string;
  instantiate(claims: PrincipalClaims): ScenarioInstance;
};

type Template =
  | { kind: "literal"; value: unknown }
  | { kind: "ref"; side: "legacy" | "new"; path: string; index: number | undefined }
  | { kind: "list"; items: Template[] }
  | { kind: "object"; entries: Array<[string, Template]> };

const REFERENCE = /^\$(legacy|new)\.([^[\]]+)(?:\[(\d+)\])?$/;

/**
 * Compiles every scenario once, so a mistyped reference is a config error at start rather than a
 * resource attribute that silently never matches.
 */
export function compileScenarios(scenarios: readonly LatentScenario[], file: string): CompiledScenario[] {
  const problems: Array<{ file: string; path: string; message: string }> = [];
  const compiled = scenarios.map((s, i) => {
    const at = (where: string) => (path: string, message: string) =>
      problems.push({ file, path: `latent.scenarios.${i}.${where}${path}`, message });
    const resource = parseObject(s.resource, at("resource"));
    const context = parseObject(s.context, at("context"));
    return {
      id: s.id,
      instantiate: (claims: PrincipalClaims): ScenarioInstance => ({
        resource: fillObject(resource, claims),
        context: fillObject(context, claims),
      }),
    };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return compiled;
}

type Report = (path: string, message: string) => void;

function parseObject(value: Record<string, unknown>, report: Report): Array<[string, Template]> {
  return Object.entries(value).map(([key, v]) => [key, parse(v, (p, m) => report(`.${key}${p}`, m))]);
}

function parse(value: unknown, report: Report): Template {
  if (Array.isArray(value))
    return { kind: "list", items: value.map((v, i) => parse(v, (p, m) => report(`.${i}${p}`, m))) };
  if (value !== null && typeof value === "object")
    return { kind: "object", entries: parseObject(value as Record<string, unknown>, report) };
  if (typeof value !== "string" || !value.startsWith("$")) return { kind: "literal", value };
  if (value.startsWith("$$")) return { kind: "literal", value: value.slice(1) };
  const m = REFERENCE.exec(value);
  if (!m || !isDotPath(m[2] as string)) {
    report(
      "",
      `"${value}" is not a reference: use $legacy.<claim path> or $new.<claim path>, optionally with [index] (write "$${value}" for a literal)`,
    );
    return { kind: "literal", value };
  }
  return {
    kind: "ref",
    side: m[1] as "legacy" | "new",
    path: m[2] as string,
    index: m[3] === undefined ? undefined : Number(m[3]),
  };
}

function fillObject(
  entries: ReadonlyArray<[string, Template]>,
  claims: PrincipalClaims,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, t] of entries) {
    const v = fill(t, claims);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** undefined: a reference to a claim the principal does not have; the attribute is left out. */
function fill(t: Template, claims: PrincipalClaims): unknown {
  switch (t.kind) {
    case "literal":
      return t.value;
    case "object":
      return fillObject(t.entries, claims);
    case "list":
      return t.items.map((item) => fill(item, claims)).filter((v) => v !== undefined);
    case "ref": {
      const v = readPath(claims[t.side], t.path);
      if (t.index === undefined) return v;
      return Array.isArray(v) ? v[t.index] : undefined;
    }
  }
}
