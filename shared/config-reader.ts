/**
 * Small readers for configuration validation. Each reader records a problem under the field's JSON
 * path instead of throwing, so that `parseConfig` can report every problem of a document at once.
 */
import type { ConfigProblem } from "./errors.js";

export type JsonObject = Record<string, unknown>;

export class Problems {
  readonly list: ConfigProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  get count(): number {
    return this.list.length;
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `issuers[0]` + `algorithms` -> `issuers[0].algorithms`; odd names in brackets. */
export function field(path: string, name: string): string {
  const part = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `[${JSON.stringify(name)}]`;
  if (path === "") return part.startsWith("[") ? `$${part}` : part;
  return part.startsWith("[") ? `${path}${part}` : `${path}.${part}`;
}

export function item(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Unknown members are errors: a typo such as `audiance` must not silently drop a check. */
export function checkKnownFields(obj: JsonObject, known: readonly string[], path: string, problems: Problems): void {
  for (const name of Object.keys(obj)) {
    if (!known.includes(name)) problems.add(field(path, name), `unknown field (expected one of: ${known.join(", ")})`);
  }
}

/** An object at `path`, or a problem (and `undefined`). */
export function readObject(value: unknown, path: string, problems: Problems): JsonObject | undefined {
  if (isObject(value)) return value;
  problems.add(path, "must be an object");
  return undefined;
}

export function readNonEmptyString(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  problems.add(path, value === undefined ? "required" : "must be a non-empty string");
  return undefined;
}

export function readBoolean(value: unknown, path: string, problems: Problems, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  problems.add(path, "must be true or false");
  return fallback;
}

export interface IntegerRule {
  min: number;
  max: number;
}

export function readInteger(value: unknown, path: string, problems: Problems, rule: IntegerRule, fallback: number): number;
export function readInteger(value: unknown, path: string, problems: Problems, rule: IntegerRule): number | undefined;
export function readInteger(value: unknown, path: string, problems: Problems, rule: IntegerRule, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < rule.min || value > rule.max) {
    problems.add(path, `must be an integer from ${rule.min} to ${rule.max}`);
    return fallback;
  }
  return value;
}

/**
 * A list of non-empty strings. `nonEmpty` requires at least one; `noSpaces` refuses whitespace
 * (scope names: a scope string is space-delimited). Duplicates are dropped, keeping order.
 */
export function readStringList(
  value: unknown,
  path: string,
  problems: Problems,
  options: { nonEmpty?: boolean; noSpaces?: boolean } = {},
): string[] | undefined {
  if (!Array.isArray(value)) {
    problems.add(path, "must be a list of strings");
    return undefined;
  }
  if (options.nonEmpty === true && value.length === 0) {
    problems.add(path, "must not be empty");
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((entry, i) => {
    if (typeof entry !== "string" || entry === "") {
      problems.add(item(path, i), "must be a non-empty string");
      ok = false;
    } else if (options.noSpaces === true && /\s/.test(entry)) {
      problems.add(item(path, i), "must not contain whitespace");
      ok = false;
    } else if (!out.includes(entry)) {
      out.push(entry);
    }
  });
  return ok ? out : undefined;
}

/** Sets an own data property even for a name like `__proto__` (plain assignment would not). */
export function setOwn(target: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 9110 token characters: what a header or cookie name may be made of. */
export const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Quotes a user value for a message, shortened so that a pasted secret cannot flood a log. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}
