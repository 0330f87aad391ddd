/**
 * Token-leak checks for the corpus runs: what of a case's credentials must never show up in a log
 * line, a metric, an error body or a thrown error's message (CONTRACT.md §2: "never the token").
 *
 * For every token a case sends (Authorization values, `access_token` query values): the token, its
 * payload segment, its signature segment, and the first 16 characters of each of those two (a log
 * that truncates a token still leaks it). Pieces shorter than 16 characters are left out: they are
 * too short to tell a leak from a coincidence.
 */
import { expect } from "vitest";
import type { AttackCase } from "./attack-corpus.js";

const MIN = 16;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export interface Secret {
  caseId: string;
  what: string;
  value: string;
}

/** The token-like credentials of a case, wherever it sends them. */
export function tokensOf(c: AttackCase): string[] {
  const tokens: string[] = [];
  for (const [name, value] of Object.entries(c.headers)) {
    if (name.toLowerCase() !== "authorization") continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      for (const part of v.split(",")) {
        const words = part.trim().split(/\s+/);
        if (/^bearer$/i.test(words[0] ?? "")) words.shift();
        tokens.push(...words.filter((w) => B64TOKEN.test(w)));
      }
    }
  }
  const q = c.path.indexOf("?");
  if (q >= 0) tokens.push(...new URLSearchParams(c.path.slice(q + 1)).getAll("access_token"));
  return [...new Set(tokens)].filter((t) => t.length >= MIN);
}

export function secretsOf(c: AttackCase): Secret[] {
  const out: Secret[] = [];
  const add = (what: string, value: string | undefined) => {
    if (value !== undefined && value.length >= MIN) out.push({ caseId: c.id, what, value });
  };
  for (const token of tokensOf(c)) {
    add("token", token);
    const parts = token.split(".");
    if (parts.length < 2) continue;
    const payload = parts[1];
    const signature = parts.length >= 3 ? parts[parts.length - 1] : undefined;
    add("payload segment", payload);
    add("payload segment, first 16 characters", payload?.slice(0, MIN));
    add("signature segment", signature);
    add("signature segment, first 16 characters", signature?.slice(0, MIN));
  }
  return out;
}

/** Every secret of every case: a leak is a leak whichever request's log line carries it. */
export function corpusSecrets(corpus: readonly AttackCase[]): Secret[] {
  const seen = new Set<string>();
  return corpus.flatMap(secretsOf).filter((s) => (seen.has(s.value) ? false : (seen.add(s.value), true)));
}

export interface Output {
  /** Where it came from: "log", "metric", "error body of <case>", ... */
  source: string;
  text: string;
}

/** Fails with every (secret, output) pair where the output holds the secret. */
export function expectNoLeaks(outputs: readonly Output[], secrets: readonly Secret[]): void {
  const leaks: string[] = [];
  for (const output of outputs) {
    for (const secret of secrets) {
      if (!output.text.includes(secret.value)) continue;
      const at = output.text.indexOf(secret.value);
      leaks.push(`${secret.what} of "${secret.caseId}" in ${output.source}: …${output.text.slice(Math.max(0, at - 40), at + 60)}…`);
      if (leaks.length >= 20) break;
    }
  }
  expect(leaks, `${leaks.length} leak(s):\n${leaks.join("\n")}\n`).toEqual([]);
}
