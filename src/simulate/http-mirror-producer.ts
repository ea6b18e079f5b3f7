import { EntitlementDiffError } from "../errors/errors.js";
import type { KeyedMessage, MirrorProducer } from "../ingest/kafka/kafka-producer.js";

/** The HTTP ingest refused the traffic (a bad token, a bad line): retrying would not help. Exit 69. */
export class HttpIngestError extends EntitlementDiffError {
  readonly exitCode = 69;
  override name = "HttpIngestError";
}

export interface HttpMirrorProducerOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** A bearer token with the `ingest` role; none when the service runs without an api section. */
  token?: string;
  /** How long to keep retrying 503s and connection failures for one batch. */
  retryForMs?: number;
  fetch?: typeof fetch;
}

/**
 * Sends the simulator's traffic to `POST /api/v1/events` as NDJSON, as gateways that mirror over
 * HTTP do; the topic is ignored (the service tells the sides apart by the envelope's `side`). A
 * 503 (the store falls behind) is waited out as its Retry-After says, so the simulator slows down
 * with the service instead of losing events.
 */
export function createHttpMirrorProducer(options: HttpMirrorProducerOptions): MirrorProducer {
  const endpoint = new URL("/api/v1/events", options.url).href;
  const send = options.fetch ?? fetch;
  const retryForMs = options.retryForMs ?? 60_000;
  const headers: Record<string, string> = { "content-type": "application/x-ndjson" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return {
    async send(_topic: string, messages: readonly KeyedMessage[]) {
      if (messages.length === 0) return;
      const body = `${messages.map((m) => String(m.value ?? "")).join("\n")}\n`;
      const deadline = Date.now() + retryForMs;
      for (;;) {
        const attempt = await post(send, endpoint, headers, body);
        if (attempt.ok) return;
        if (!attempt.retry || Date.now() + attempt.waitMs > deadline)
          throw new HttpIngestError(`POST ${endpoint}: ${attempt.reason}`);
        await new Promise((r) => setTimeout(r, attempt.waitMs));
      }
    },
    close: async () => undefined,
  };
}

type Attempt = { ok: true } | { ok: false; retry: boolean; waitMs: number; reason: string };

async function post(
  send: typeof fetch,
  endpoint: string,
  headers: Record<string, string>,
  body: string,
): Promise<Attempt> {
  let response: Response;
  try {
    response = await send(endpoint, { method: "POST", headers, body });
  } catch (error) {
    return { ok: false, retry: true, waitMs: 1_000, reason: `unreachable: ${String(error)}` };
  }
  if (response.status === 202) {
    await response.body?.cancel();
    return { ok: true };
  }
  const text = (await response.text()).slice(0, 500);
  if (response.status === 503 || response.status === 429) {
    const seconds = Number(response.headers.get("retry-after"));
    return {
      ok: false,
      retry: true,
      waitMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1_000,
      reason: `${response.status} ${text}`,
    };
  }
  return { ok: false, retry: false, waitMs: 0, reason: `${response.status} ${text}` };
}
