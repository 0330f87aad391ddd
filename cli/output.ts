/**
 * Rendering: readable text by default, one JSON document with `--json`. The reports hold no token
 * (only its length), so neither form can leak one.
 */
import type { ConfigProblem } from "../shared/errors.js";
import type { CheckConfigReport } from "./check-config.js";
import type { ExplainReport } from "./explain.js";

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function checkConfigText(report: CheckConfigReport): string {
  const lines = [`check-config ${report.source}`];
  const { worker, lambda } = report.runtimes;
  if (!report.ok) {
    const refusing = worker.starts ? "the Lambda" : lambda.starts ? "the Worker" : "both runtimes";
    lines.push(`  ${report.errors.length} error${report.errors.length === 1 ? "" : "s"}: ${refusing} would refuse to start (every request 500)`);
  } else {
    lines.push("  valid: both runtimes would start");
  }
  lines.push(`  Worker   ${runtimeLine(worker)}`, `  Lambda   ${runtimeLine(lambda)}`);
  for (const e of report.errors) lines.push(`  error    ${problem(e)}  ${RUNTIME[e.runtime]}`);
  for (const w of report.warnings) lines.push(`  warning  ${problem(w)}  ${RUNTIME[w.runtime]}`);
  for (const note of report.notes) lines.push(`  note     ${note}`);
  if (report.ok && report.warnings.length > 0 && report.exitCode === 0) lines.push("  (--strict makes warnings fail with exit code 2)");
  return `${lines.join("\n")}\n`;
}

const RUNTIME = { both: "[both runtimes]", lambda: "[Lambda]", worker: "[Worker]" } as const;

function runtimeLine(v: CheckConfigReport["runtimes"]["worker"]): string {
  const parts = ["AUTHORIZER_CONFIG"];
  if (v.fromEnvironment.length > 0) parts.push(`${v.fromEnvironment.join(", ")} from the environment`);
  if (v.defaults.length > 0) parts.push(`${v.defaults.join(", ")} not set`);
  return `${v.starts ? "starts " : "refuses"}  (judged with ${parts.join("; ")})`;
}

export function inputErrorText(message: string, problems: readonly ConfigProblem[]): string {
  return `${[`error: ${message}`, ...problems.map((p) => `  ${problem(p)}`)].join("\n")}\n`;
}

function problem(p: ConfigProblem): string {
  return `${p.path}: ${p.message}`;
}

const MARK = { ok: "ok  ", fail: "FAIL", info: "--  " } as const;

export function explainText(report: ExplainReport): string {
  const out: string[] = [];
  const width = Math.max(...report.steps.map((s) => s.title.length));
  out.push(`explain ${report.request.method} ${report.request.path} (token: ${report.request.tokenBytes} bytes)`, "");
  for (const step of report.steps) {
    out.push(`  ${MARK[step.outcome]}  ${step.title.padEnd(width)}  ${step.detail}${step.code ? `  [${step.code}]` : ""}`);
  }
  if (report.failedStep !== null) out.push(`  (stopped at the first failing step: ${report.failedStep})`);
  out.push("");

  const d = report.decision;
  out.push(d.allow
    ? `decision: ALLOW on route "${d.route}"`
    : `decision: DENY ${d.status} ${d.code} (${d.error}: ${d.description})${d.route ? ` on route "${d.route}"` : ""}`);

  const w = report.worker;
  out.push("", "Worker:");
  if (w.action === "forward") {
    out.push(`  ${w.note}`);
    for (const [name, value] of Object.entries(w.identityHeaders ?? {})) out.push(`  ${name}: ${value}`);
  } else {
    out.push(`  ${w.status}`);
    for (const [name, value] of Object.entries(w.headers ?? {})) out.push(`  ${name}: ${value}`);
    if (w.body) out.push(`  body: ${w.body}`);
  }

  const { iam, simple } = report.lambda;
  out.push("", "Lambda, REST TOKEN/REQUEST and HTTP API with IAM responses:");
  if (iam.outcome === "error") out.push(`  throws Error(${JSON.stringify(iam.error)}): ${iam.note}`);
  else {
    const result = iam.result as { principalId?: string; context?: unknown; policyDocument?: { Statement?: { Effect: string; Resource: string[] }[] } };
    out.push(`  principalId: ${result.principalId}`, `  context: ${JSON.stringify(result.context)}`, "  policy (cached by API Gateway for this token):");
    for (const s of result.policyDocument?.Statement ?? []) {
      const refused = s.Effect === "Deny" ? s.Resource.filter(isRefusedPathPattern) : [];
      for (const resource of s.Resource) if (!refused.includes(resource)) out.push(`    ${s.Effect.padEnd(5)} ${resource}`);
      if (refused.length > 0) out.push(`    Deny  ... ${refused.length} patterns of request paths the core refuses (encoded / . ; \\, dot segments, //, controls; see --json)`);
    }
    out.push("  later calls with this token, one sample request per configured route:");
    for (const r of iam.routes) out.push(`    ${r.allowed ? "allow" : "deny "} ${r.request.padEnd(28)} (${r.route})`);
  }
  out.push("", "Lambda, HTTP API simple responses:");
  out.push(simple.outcome === "error" ? `  throws Error(${JSON.stringify(simple.error)}): ${simple.note}` : `  ${JSON.stringify(simple.result)}`);

  if (report.hygiene.length > 0) {
    out.push("", "token hygiene (advice, not part of the decision):");
    for (const h of report.hygiene) out.push(`  warning  ${h.kind}: the token ${h.message}`);
  }
  if (report.decisionLog !== undefined) out.push("", `decision log line: ${JSON.stringify(report.decisionLog)}`);
  if (report.disagreements.length > 0) {
    out.push("", "INTERNAL ERROR: the step walk and authorize() disagree (a bug; please report it):");
    for (const line of report.disagreements) out.push(`  ${line}`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * The stage-wide Deny patterns for path spellings the core refuses (`{stage}/*%2F*`, `{stage}/*//*`):
 * the only Resources that start with a wildcard right after the stage. Summarised in text output.
 */
function isRefusedPathPattern(resource: string): boolean {
  const afterStage = resource.split("/").slice(2).join("/");
  return afterStage.startsWith("*") && afterStage !== "*";
}
