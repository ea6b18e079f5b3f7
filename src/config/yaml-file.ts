import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigProblem } from "../errors/errors.js";

/**
 * Reads a YAML file and validates it against a zod schema. Every problem names the file, the
 * path inside the document and, where the YAML has it, the line and column.
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseYamlText(text, file, schema);
}

export function parseYamlText<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          file,
          line: pos?.line,
          column: pos?.col,
          message: `YAML syntax: ${e.message.split("\n")[0]}`,
        };
      }),
    );
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const node = nearestNode(doc, path);
    const pos = node ? lineCounter.linePos(node) : undefined;
    return {
      file,
      path: path.length ? path.join(".") : "(document)",
      line: pos?.line,
      column: pos?.col,
      message: issue.message,
    };
  });
  throw new ConfigError(problems);
}

/** Start offset of the deepest YAML node that exists along `path` (a missing key points at its parent). */
function nearestNode(doc: ReturnType<typeof parseDocument>, path: string[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const keys = path.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const node = depth === 0 ? doc.contents : doc.getIn(keys, true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
