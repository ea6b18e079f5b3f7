import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const COMPOSE_FILE = path.join(REPO_ROOT, "docker-compose.yml");

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** The part of the Compose spec this project uses; anything else in the file is left unchecked. */
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string().default("Dockerfile") }).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
  // A map (not a list) so each variable can be looked up and checked by name.
  environment: z.record(z.string(), scalar.nullable()).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).default({}),
  healthcheck: z.object({ test: z.union([z.string(), z.array(z.string())]) }).optional(),
  restart: z.string().optional(),
  /** A Compose duration: `30s`, `1m30s`, `500ms`. */
  stop_grace_period: z.string().optional(),
});

const composeSchema = z.object({
  name: z.string().optional(),
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown().nullable()).default({}),
});

export type ComposeService = z.infer<typeof serviceSchema>;
export type ComposeFile = z.infer<typeof composeSchema>;

export function loadCompose(file = COMPOSE_FILE): ComposeFile {
  return composeSchema.parse(parse(readFileSync(file, "utf8")));
}

export interface PublishedPort {
  hostIp: string | undefined;
  hostPort: number;
  containerPort: number;
}

/** Short syntax `[IP:]HOST:CONTAINER[/proto]`; a port published without a host port is not allowed. */
export function parsePort(spec: string): PublishedPort {
  const parts = spec.replace(/\/(tcp|udp)$/, "").split(":");
  const [containerPort, hostPort, hostIp] = parts.reverse();
  if (hostPort === undefined) throw new Error(`port "${spec}" has no host port`);
  return { hostIp, hostPort: Number(hostPort), containerPort: Number(containerPort) };
}

export interface Mount {
  source: string;
  target: string;
  /** A host path (starts with `.` or `/`) rather than a named volume. */
  bind: boolean;
}

export function parseMount(spec: string): Mount {
  const [source = "", target = ""] = spec.split(":");
  return { source, target, bind: source.startsWith(".") || source.startsWith("/") };
}

export interface ImageRef {
  name: string;
  tag: string | undefined;
}

export function parseImage(ref: string): ImageRef {
  const withoutDigest = ref.split("@")[0] ?? ref;
  const colon = withoutDigest.lastIndexOf(":");
  // A colon before the last slash belongs to a registry port, not a tag.
  if (colon === -1 || colon < withoutDigest.lastIndexOf("/")) return { name: withoutDigest, tag: undefined };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

/** An exact release: 3.9.2, v3.5.0, 25.8.32.4, 20.20.2-bookworm-slim; not `latest`, `3.9` or `lts`. */
export function isExactVersionTag(tag: string | undefined): boolean {
  return tag !== undefined && /^v?\d+\.\d+\.\d+(\.\d+)?(-[a-z0-9][a-z0-9.-]*)?$/.test(tag);
}

/** `${NAME:?message}`: Compose refuses to start when NAME is unset, so no value is ever written here. */
export function isRequiredPlaceholder(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && /^\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}$/.test(value);
}

/** host and port of `http://host:port/...` or `host:port`. */
export function hostAndPort(address: string): { host: string; port: number } {
  const match = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(address);
  if (!match?.[1] || !match[2]) throw new Error(`no host:port in "${address}"`);
  return { host: match[1], port: Number(match[2]) };
}

/** Milliseconds of a Compose duration (`1m30s`, `500ms`, `10s`); throws on anything else. */
export function composeDurationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new Error(`not a Compose duration: ${JSON.stringify(text)}`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * (units[unit ?? ""] ?? Number.NaN), 0);
}
