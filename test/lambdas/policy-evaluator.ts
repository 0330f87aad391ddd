/**
 * An independent evaluator of API Gateway's IAM policy rules for execute-api, written from the
 * documented semantics (not from lambdas/glob.ts, which it checks): a request is allowed when some
 * Allow statement's Resource matches its ARN and no Deny statement's does (explicit Deny wins);
 * in a Resource, `*` matches any run of characters including `/` and `?` exactly one character.
 */

export interface Statement {
  Action: string | string[];
  Effect: string;
  Resource: string | string[];
}

export interface Policy {
  Version: string;
  Statement: Statement[];
}

function toRegExp(resource: string): RegExp {
  let source = "";
  for (const c of resource) {
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function coversInvoke(statement: Statement): boolean {
  return list(statement.Action).some((a) => a === "execute-api:Invoke" || a === "execute-api:*" || a === "*");
}

export function resourceMatches(resource: string, arn: string): boolean {
  return toRegExp(resource).test(arn);
}

export function evaluatePolicy(policy: Policy, arn: string): "allow" | "deny" {
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!coversInvoke(statement)) continue;
    const hit = list(statement.Resource).some((r) => resourceMatches(r, arn));
    if (!hit) continue;
    if (statement.Effect === "Deny") return "deny";
    if (statement.Effect === "Allow") allowed = true;
  }
  return allowed ? "allow" : "deny";
}
