/**
 * One JWKS fetch with every limit applied: no redirects, a deadline covering the whole exchange
 * (headers and body), a byte limit enforced while streaming, and a document that must build a
 * KeySet with at least one usable key. Anything else is a `JwksFetchError` whose message names the
 * URL and the reason, never the body or key material.
 */
import { JwksFetchError, type JwksFetchFailureReason } from "./errors.js";
import { createKeySet } from "./key-set.js";
import type { Algorithm, FetchLike, KeySet } from "./types.js";

// RFC 7517 section 8.5 registers application/jwk-set+json; most issuers serve application/json.
const ACCEPT = "application/jwk-set+json, application/json;q=0.9";

export interface JwksFetchRequest {
  url: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxBytes: number;
  algorithms: Algorithm[];
}

export interface FetchedJwks {
  /** The parsed document, for the key store. */
  document: unknown;
  keySet: KeySet;
}

export async function fetchJwks(request: JwksFetchRequest): Promise<FetchedJwks> {
  const { url } = request;
  const deadline = startDeadline(request.timeoutMs);
  try {
    const response = await deadline.race(
      request.fetch(url, {
        method: "GET",
        redirect: "manual",
        headers: { accept: ACCEPT },
        signal: deadline.signal,
      }),
    );
    checkStatus(response, url);
    const bytes = await readLimited(response, request.maxBytes, deadline, url);
    const document = parseJson(bytes, url);
    const keySet = await buildKeySet(document, request.algorithms, url);
    return { document, keySet };
  } catch (error) {
    if (error instanceof JwksFetchError) throw error;
    if (deadline.signal.aborted) {
      throw failure(url, "timeout", `no complete answer within ${request.timeoutMs} ms`, { cause: error });
    }
    throw failure(url, "network", "request failed", { cause: error });
  } finally {
    deadline.dispose();
  }
}

function checkStatus(response: Response, url: string): void {
  // With redirect: "manual" Node and workerd hand back the 3xx itself, browsers an opaque
  // redirect (status 0): a JWKS that moved is not followed, since the new host is not trusted.
  if ((response.type as string) === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    discard(response);
    throw failure(url, "redirect", `redirect (HTTP ${response.status}) refused`, { status: response.status });
  }
  if (response.status !== 200) {
    discard(response);
    throw failure(url, "status", `HTTP ${response.status}`, { status: response.status });
  }
}

async function readLimited(
  response: Response,
  maxBytes: number,
  deadline: Deadline,
  url: string,
): Promise<Uint8Array> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    discard(response);
    throw failure(url, "too_large", `Content-Length ${Number(declared)} exceeds ${maxBytes} bytes`, { status: 200 });
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await deadline.race(reader.read());
      if (done) break;
      total += value.byteLength;
      // Stop reading as soon as the limit is passed: an endless body must not fill memory.
      if (total > maxBytes) {
        throw failure(url, "too_large", `body exceeds ${maxBytes} bytes`, { status: 200 });
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function parseJson(bytes: Uint8Array, url: string): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch (error) {
    throw failure(url, "not_json", "body is not JSON", { status: 200, cause: error });
  }
}

async function buildKeySet(document: unknown, algorithms: Algorithm[], url: string): Promise<KeySet> {
  let keySet: KeySet;
  try {
    keySet = await createKeySet(document, { algorithms });
  } catch (error) {
    throw failure(url, "invalid_jwks", "not a valid JWKS", { status: 200, cause: error });
  }
  // An empty set would replace good cached keys with nothing: treat it as a failed fetch.
  if (keySet.size === 0) {
    throw failure(url, "no_usable_keys", "JWKS holds no usable key for the configured algorithms", { status: 200 });
  }
  return keySet;
}

function failure(
  url: string,
  reason: JwksFetchFailureReason,
  detail: string,
  options: { status?: number; cause?: unknown } = {},
): JwksFetchError {
  return new JwksFetchError(`JWKS fetch from ${url} failed (${reason}): ${detail}`, { reason, ...options });
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

interface Deadline {
  signal: AbortSignal;
  /** Settles like `work`, or rejects when the deadline passes, whichever comes first. */
  race<T>(work: Promise<T>): Promise<T>;
  dispose(): void;
}

// The deadline is enforced here as well as through `signal`, so that an injected fetch that
// ignores the signal (or a body stream that does) still cannot hold a request past timeoutMs.
function startDeadline(timeoutMs: number): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signal: AbortSignal;
  if (typeof AbortSignal.timeout === "function") {
    signal = AbortSignal.timeout(timeoutMs);
  } else {
    const controller = new AbortController();
    timer = setTimeout(() => controller.abort(new DOMException("JWKS fetch timed out", "TimeoutError")), timeoutMs);
    signal = controller.signal;
  }
  let onAbort: () => void = () => undefined;
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  expired.catch(() => undefined);
  return {
    signal,
    race: (work) => Promise.race([work, expired]),
    dispose: () => {
      signal.removeEventListener("abort", onAbort);
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
