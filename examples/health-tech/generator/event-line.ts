import { AUTHZ_EVENT_SCHEMA, type Side } from "../../../src/contracts/index.js";

/**
 * One NDJSON line of a mirrored event, built by concatenation (the generator writes a million of
 * them): every interpolated value is JSON-safe (hex ids, ISO times, base64url tokens), and
 * `requestJson` is already JSON, shared by both sides of the request.
 */
export function eventLine(
  side: Side,
  correlationId: string,
  atMs: number,
  token: string,
  requestJson: string,
  observed: boolean | undefined,
  sessionId?: string,
): string {
  const decision = observed === undefined ? "" : `,"observedDecision":{"allow":${observed}}`;
  const session = sessionId === undefined ? "" : `,"sessionId":"${sessionId}"`;
  const at = new Date(atMs).toISOString();
  return `{"schema":"${AUTHZ_EVENT_SCHEMA}","side":"${side}","correlationId":"${correlationId}","observedAt":"${at}","token":"${token}","request":${requestJson}${decision}${session}}`;
}

/** A mirror's writer died mid-line: the first 60% of a valid line. */
export function truncatedLine(line: string): string {
  return line.slice(0, Math.floor(line.length * 0.6));
}

/** A mirror build that dropped `request.resource.type`: valid JSON, invalid event. */
export function lineWithoutResourceType(line: string): string {
  const event = JSON.parse(line) as { request: { resource: Record<string, unknown> } };
  delete event.request.resource.type;
  return JSON.stringify(event);
}
