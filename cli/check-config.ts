/**
 * `check-config`: the configuration judged exactly as the runtimes judge it at a cold start
 * (`parseConfig` on the same text), plus the warnings worth a look before deploying: the core's
 * `configWarnings` and, for the Lambda, route pairs whose IAM policy cannot be exact.
 */
import { configWarnings, parseConfig } from "../shared/index.js";
import { ConfigError, type ConfigProblem } from "../shared/errors.js";
import { iamWarnings } from "./iam-warnings.js";

export interface CheckConfigReport {
  command: "check-config";
  source: string;
  ok: boolean;
  errors: ConfigProblem[];
  warnings: (ConfigProblem & { kind: "config" | "iam" })[];
  /** Checks that could not run, and why. */
  notes: string[];
  exitCode: 0 | 1 | 2;
}

export function checkConfig(text: string, source: string, strict: boolean): CheckConfigReport {
  const report: CheckConfigReport = { command: "check-config", source, ok: false, errors: [], warnings: [], notes: [], exitCode: 1 };
  let config;
  try {
    config = parseConfig(text);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report.errors = [...error.problems];
    return report;
  }
  report.ok = true;
  report.warnings.push(...configWarnings(config).map((w) => ({ ...w, kind: "config" as const })));
  const iam = iamWarnings(config);
  report.warnings.push(...iam.warnings.map((w) => ({ ...w, kind: "iam" as const })));
  if (iam.note !== undefined) report.notes.push(iam.note);
  report.exitCode = strict && report.warnings.length > 0 ? 2 : 0;
  return report;
}
