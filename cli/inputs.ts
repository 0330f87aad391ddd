/**
 * Where the CLI's inputs come from: files, `AUTHORIZER_CONFIG` from the environment, the token as
 * an argument or on stdin. Problems with them are `InputError`s (exit code 2, or 1 for
 * check-config), never stack traces.
 */
import { readFile } from "node:fs/promises";
import type { ConfigProblem } from "../shared/errors.js";

export class InputError extends Error {
  constructor(message: string, readonly problems: readonly ConfigProblem[] = []) {
    super(message);
    this.name = "InputError";
  }
}

/** Thrown for a malformed command line (exit code 64, EX_USAGE). */
export class UsageError extends Error {
  override name = "UsageError";
}

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as { code?: string }).code === "ENOENT" ? "no such file" : "cannot be read";
    throw new InputError(`${what} ${path}: ${reason}`);
  }
}

export interface ConfigSource {
  text: string;
  /** The file name, or `AUTHORIZER_CONFIG` when read from the environment. */
  origin: string;
}

/** The configuration from FILE, else from `AUTHORIZER_CONFIG` (exactly what the runtimes read). */
export async function readConfigSource(file: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigSource> {
  if (file !== undefined) return { text: await readTextFile(file, "configuration file"), origin: file };
  const fromEnv = env.AUTHORIZER_CONFIG;
  if (fromEnv === undefined || fromEnv.trim() === "") {
    throw new InputError("no configuration: pass a FILE or set AUTHORIZER_CONFIG");
  }
  return { text: fromEnv, origin: "AUTHORIZER_CONFIG" };
}

/** The token argument, or stdin for `-` or no argument; surrounding whitespace is dropped. */
export async function readToken(argument: string | undefined, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (argument !== undefined && argument !== "-") return argument.trim();
  if (argument === undefined && stdin.isTTY) throw new UsageError("no token: pass TOKEN, or pipe it on stdin (use - to read stdin)");
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").trim();
}
