/**
 * The Lambda's IAM-wildcard warnings for check-config: route pairs whose cache-safe policy can
 * only be written with false denies. The analysis belongs to the Lambda policy builder.
 */
import type { AuthorizerConfig, ConfigProblem } from "../shared/index.js";

export interface IamWarnings {
  warnings: ConfigProblem[];
  /** Why the check did not run, when it did not. */
  note?: string;
}

export function iamWarnings(_config: AuthorizerConfig): IamWarnings {
  return { warnings: [], note: "the IAM-wildcard check (lambdas/policy-warnings.ts) is not part of this build yet" };
}
