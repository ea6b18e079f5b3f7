import { readFileSync } from "node:fs";

export interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions in order, continuation lines joined, comments and blank lines dropped. */
export function readDockerfile(file: string): Instruction[] {
  const joined = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

export function argsOf(instructions: readonly Instruction[], keyword: string): string[] {
  return instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** FROM images with `${ARG}` replaced by the ARG defaults; build stages named `AS x` are not images. */
export function baseImages(instructions: readonly Instruction[]): string[] {
  const defaults = new Map<string, string>();
  const stages = new Set<string>();
  const images: string[] = [];
  for (const { keyword, args } of instructions) {
    if (keyword === "ARG") {
      const [name = "", value] = args.split("=");
      if (value !== undefined) defaults.set(name, value);
    }
    if (keyword === "FROM") {
      const [image = "", as, stage] = args.replace(/--platform=\S+\s+/, "").split(/\s+/);
      const resolved = image.replace(/\$\{(\w+)\}/g, (_, name: string) => defaults.get(name) ?? "");
      if (!stages.has(resolved)) images.push(resolved);
      if (as?.toUpperCase() === "AS" && stage) stages.add(stage);
    }
  }
  return images;
}

/** Host-side sources of COPY/ADD (not `--from=` a stage): paths relative to the build context. */
export function copySources(instructions: readonly Instruction[]): string[] {
  return instructions
    .filter(({ keyword, args }) => (keyword === "COPY" || keyword === "ADD") && !args.includes("--from="))
    .flatMap(({ args }) => {
      const words = args.split(/\s+/).filter((word) => !word.startsWith("--"));
      return words.slice(0, -1);
    });
}

/** The arguments of an exec-form (JSON array) instruction such as ENTRYPOINT or CMD. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === "string")) {
    throw new Error(`not an exec-form array: ${args}`);
  }
  return parsed;
}
