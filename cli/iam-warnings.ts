/**
 * The Lambda's warnings for check-config, from the Lambda policy builder's own analysis
 * (lambdas/policy-warnings.ts): route pairs whose cache-safe IAM policy can only be written with
 * false denies, and routes whose claim templates a cached HTTP API simple answer cannot carry.
 */
import type { AuthorizerConfig, ConfigProblem } from "../shared/index.js";
import { policyWarnings } from "../lambdas/policy-warnings.js";

export interface IamWarning extends ConfigProblem {
  /**
   * What the warning is about: `iam-policy` (a pair IAM wildcards cannot tell apart; moot when
   * answers are exact per request) or `simple-responses` (a claim template; moot with IAM
   * responses or per-request answers).
   */
  concerns: "iam-policy" | "simple-responses";
}

export function iamWarnings(config: AuthorizerConfig): IamWarning[] {
  // policyWarnings words overlaps at `routes[i].route` and claim templates at `routes[i].claims`.
  return policyWarnings(config).map((w) => ({ ...w, concerns: w.path.endsWith(".claims") ? "simple-responses" : "iam-policy" }));
}
