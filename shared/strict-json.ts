/**
 * Strict JSON for JWS headers and JWT payloads. `JSON.parse` alone keeps the last of two members
 * with the same name, so two parties can read one token differently (RFC 7515 §4, RFC 8725 §3.11);
 * and a `__proto__` member becomes a prototype when code later spreads or merges the object.
 * A light scanner checks member names per object, then `JSON.parse` (native, fast) builds the value.
 */
import { AuthorizerError } from "./errors.js";

// ignoreBOM: keep a leading U+FEFF in the text so that JSON.parse rejects it instead of hiding it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/** One open container: an object tracks its member names; an array needs nothing. */
interface OpenObject {
  names: Set<string>;
  expectName: boolean;
}

export type JsonPart = "header" | "payload";

function invalid(what: JsonPart, reason: string): AuthorizerError {
  return new AuthorizerError("ERR_JWS_INVALID", `the JWS ${what} ${reason}`);
}

/**
 * Decodes `bytes` as UTF-8 (invalid sequences rejected) and parses one JSON object, rejecting
 * duplicate member names and `__proto__` members at any depth. Errors never quote the content.
 */
export function parseJsonObject(bytes: Uint8Array, what: JsonPart): Record<string, unknown> {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw invalid(what, "is not valid UTF-8");
  }
  checkMemberNames(text, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(what, "is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(what, "is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Walks the text once. For text that JSON.parse accepts, this finds every member name exactly;
 * for text it rejects, whatever this does is moot because parsing fails afterwards.
 */
function checkMemberNames(text: string, what: JsonPart): void {
  const stack: (OpenObject | null)[] = [];
  let top: OpenObject | null = null;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i = start;
      for (; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === QUOTE) break;
        if (s === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      if (top !== null && top.expectName) {
        top.expectName = false;
        const raw = text.slice(start, i);
        const name = escaped ? decodeName(raw, what) : raw;
        if (name === "__proto__") throw invalid(what, "has a __proto__ member");
        if (top.names.has(name)) throw invalid(what, "has duplicate member names");
        top.names.add(name);
      }
    } else if (c === OPEN_OBJECT) {
      stack.push(top);
      top = { names: new Set(), expectName: true };
    } else if (c === OPEN_ARRAY) {
      stack.push(top);
      top = null;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      top = stack.pop() ?? null;
    } else if (c === COMMA && top !== null) {
      top.expectName = true;
    }
  }
}

/** A member name with escapes (`"\u0061"` is `"a"`): compare names as decoded. */
function decodeName(raw: string, what: JsonPart): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    throw invalid(what, "is not valid JSON");
  }
}
