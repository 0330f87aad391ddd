/**
 * `edge-authorizer`: operate the authorizer from a terminal.
 *
 *   edge-authorizer check-config [FILE] [--strict] [--json]
 *   edge-authorizer explain --config FILE --route "GET /orders/1" [--jwks FILE | --fetch] [--now SECONDS] [--json] [TOKEN | -]
 *   edge-authorizer token
 *
 * Exit codes: 0 ok/allowed; 1 configuration errors (check-config) or denied (explain); 2 warnings
 * with --strict (check-config) or unusable input (explain); 3 internal disagreement (a bug);
 * 64 malformed command line.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { checkConfig } from "./check-config.js";
import { explain } from "./explain.js";
import { InputError, readConfigSource, readTextFile, readToken, UsageError } from "./inputs.js";
import { checkConfigText, explainText, inputErrorText, json } from "./output.js";
import { TOKEN_HELP } from "./token.js";

const USAGE = `usage:
  edge-authorizer check-config [FILE] [--strict] [--json]
      FILE or AUTHORIZER_CONFIG; the Lambda's HTTP_API_RESPONSE, AUTHORIZER_CACHE, CONTEXT_CLAIMS,
      AUTHORIZER_METRICS and the Worker's UPSTREAM_URL from the environment when set;
      exit 0 valid, 1 errors, 2 warnings with --strict
  edge-authorizer explain --config FILE --route "METHOD /path" [--jwks FILE | --fetch] [--now SECONDS] [--json] [TOKEN | -]
      token from stdin when - or absent; exit 0 allowed, 1 denied, 2 bad input, 3 internal error
  edge-authorizer token
      how to mint development tokens
`;

interface Io {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  out: (text: string) => void;
  err: (text: string) => void;
}

const COMMON = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function runCheckConfig(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { strict: { type: "boolean" } } as const);
  if (values.help) return help(io);
  if (positionals.length > 1) throw new UsageError("check-config takes at most one FILE");
  let source;
  try {
    source = await readConfigSource(positionals[0], io.env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (values.json) io.out(json({ command: "check-config", ok: false, errors: [{ path: "$", message: error.message, runtime: "both" }], warnings: [], notes: [], exitCode: 1 }));
    else io.err(inputErrorText(error.message, []));
    return 1;
  }
  const report = checkConfig(source.text, source.origin, values.strict === true, io.env);
  io.out(values.json ? json(report) : checkConfigText(report));
  return report.exitCode;
}

async function runExplain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: "string" },
    route: { type: "string" },
    jwks: { type: "string" },
    fetch: { type: "boolean" },
    now: { type: "string" },
  } as const);
  if (values.help) return help(io);
  if (typeof values.config !== "string") throw new UsageError("explain needs --config FILE");
  if (typeof values.route !== "string") throw new UsageError('explain needs --route "METHOD /path"');
  if (values.jwks !== undefined && values.fetch) throw new UsageError("give --jwks FILE or --fetch, not both");
  if (positionals.length > 1) throw new UsageError("explain takes one TOKEN (or - for stdin)");
  let nowMs = Date.now();
  if (values.now !== undefined) {
    const seconds = Number(values.now);
    if (values.now.trim() === "" || !Number.isFinite(seconds) || seconds < 0) throw new UsageError("--now takes seconds since the epoch");
    nowMs = seconds * 1000;
  }
  try {
    const report = await explain({
      rawConfig: await readTextFile(values.config, "configuration file"),
      route: values.route,
      token: await readToken(positionals[0], io.stdin),
      ...(typeof values.jwks === "string" ? { jwksText: await readTextFile(values.jwks, "JWKS file") } : {}),
      fetchJwks: values.fetch === true,
      nowMs,
    });
    io.out(values.json ? json(report) : explainText(report));
    if (report.disagreements.length > 0) {
      io.err(`edge-authorizer: INTERNAL ERROR: explain and authorize() disagree: ${report.disagreements.join("; ")}\n`);
      return 3;
    }
    return report.decision.allow ? 0 : 1;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (values.json) io.out(json({ command: "explain", error: error.message, problems: error.problems }));
    else io.err(inputErrorText(error.message, error.problems));
    return 2;
  }
}

function help(io: Io): number {
  io.out(USAGE);
  return 0;
}

export async function main(io: Io): Promise<number> {
  const [command, ...rest] = io.argv;
  try {
    switch (command) {
      case "check-config":
        return await runCheckConfig(rest, io);
      case "explain":
        return await runExplain(rest, io);
      case "token":
        io.err(TOKEN_HELP);
        return 1;
      case "help":
      case "--help":
      case "-h":
        return help(io);
      default:
        throw new UsageError(command === undefined ? "no command given" : `unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`edge-authorizer: ${error.message}\n${USAGE}`);
      return 64;
    }
    // A bug: say so without echoing input (a message could quote the token).
    io.err(`edge-authorizer: internal error (${error instanceof Error ? error.name : typeof error}); please report it\n`);
    if (io.env.EDGE_AUTHORIZER_DEBUG === "1" && error instanceof Error) io.err(`${error.stack}\n`);
    return 3;
  }
}

const code = await main({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exitCode = code;
