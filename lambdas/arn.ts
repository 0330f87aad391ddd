/**
 * The execute-api ARNs API Gateway hands an authorizer (`methodArn` for REST, `routeArn` for
 * HTTP APIs) and HTTP API route keys. Shape:
 *
 *   arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}
 *
 * The path part is the concrete request path without the stage (`/orders/42`, never
 * `/orders/{id}`), which is what the policy's Resource patterns are matched against.
 */

export interface ExecuteApiArn {
  /** `arn:{partition}:execute-api:{region}:{account}:{apiId}`: every policy Resource starts here. */
  apiArn: string;
  partition: string;
  region: string;
  accountId: string;
  apiId: string;
  /** `prod`, `v1-beta`, `$default`, ... */
  stage: string;
  /** Upper-case HTTP method, or `$default` for an HTTP API `$default` route ARN without a method. */
  method: string;
  /** The request path with its leading `/` (`/` for the root). */
  path: string;
}

// Stage names: letters, digits, `-`, `_`, `.`, `~`, and `$default`. Never `/` (it separates the
// parts) nor `*`/`?`: a stage with a wildcard character would widen every Resource in the policy.
const STAGE = /^(?:\$default|[A-Za-z0-9._~-]+)$/;
const METHOD = /^[A-Z]+$/;
const API_ID = /^[A-Za-z0-9]+$/;
const PARTITION = /^aws(?:-[a-z]+)*$/;
const REGION = /^[a-z0-9-]+$/;
const ACCOUNT = /^[0-9]{12}$/;

/** `undefined` for anything that is not a well-formed execute-api ARN (the caller then denies). */
export function parseExecuteApiArn(arn: unknown): ExecuteApiArn | undefined {
  if (typeof arn !== "string" || arn.length > 2048) return undefined;
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || parts[2] !== "execute-api") return undefined;
  const [, partition = "", , region = "", accountId = ""] = parts;
  // The resource part may itself contain `:` (a path segment like `/a:b`): rejoin it.
  const resource = parts.slice(5).join(":");
  if (!PARTITION.test(partition) || !REGION.test(region) || !ACCOUNT.test(accountId)) return undefined;

  const firstSlash = resource.indexOf("/");
  if (firstSlash <= 0) return undefined;
  const apiId = resource.slice(0, firstSlash);
  const rest = resource.slice(firstSlash + 1);
  const stageEnd = rest.indexOf("/");
  if (stageEnd <= 0) return undefined;
  const stage = rest.slice(0, stageEnd);
  const afterStage = rest.slice(stageEnd + 1);
  if (!API_ID.test(apiId) || !STAGE.test(stage)) return undefined;

  const apiArn = `arn:${partition}:execute-api:${region}:${accountId}:${apiId}`;
  const base = { apiArn, partition, region, accountId, apiId, stage };
  // An HTTP API `$default` route may be reported without a method: `.../{stage}/$default`.
  if (afterStage === "$default") return { ...base, method: "$default", path: "/" };
  const methodEnd = afterStage.indexOf("/");
  const method = methodEnd === -1 ? afterStage : afterStage.slice(0, methodEnd);
  if (!METHOD.test(method)) return undefined;
  const path = methodEnd === -1 ? "/" : `/${afterStage.slice(methodEnd + 1)}`;
  return { ...base, method, path };
}

/** The ARN of one concrete request, as API Gateway writes it (the inverse of the parser). */
export function requestArn(arn: Pick<ExecuteApiArn, "apiArn" | "stage" | "method" | "path">): string {
  if (arn.method === "$default") return `${arn.apiArn}/${arn.stage}/$default`;
  return `${arn.apiArn}/${arn.stage}/${arn.method}/${arn.path.slice(1)}`;
}

export type ParsedApiRouteKey = { isDefault: true } | { isDefault: false; method: string; path: string };

/** An HTTP API `routeKey` (`GET /orders/{id}`, `ANY /{proxy+}`, `$default`). */
export function parseApiRouteKey(routeKey: unknown): ParsedApiRouteKey | undefined {
  if (typeof routeKey !== "string") return undefined;
  if (routeKey === "$default") return { isDefault: true };
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (match === null) return undefined;
  return { isDefault: false, method: match[1] as string, path: match[2] as string };
}

/**
 * Two route keys that match the same requests compare equal: parameter names do not matter
 * (`GET /orders/{id}` and `GET /orders/{orderId}`), greedy stays distinct from single.
 */
export function routeKeyShape(routeKey: string): string | undefined {
  const parsed = parseApiRouteKey(routeKey);
  if (parsed === undefined) return undefined;
  if (parsed.isDefault) return "$default";
  const shape = parsed.path
    .split("/")
    .map((segment) => (/^\{[^{}]+\+\}$/.test(segment) ? "{+}" : /^\{[^{}]+\}$/.test(segment) ? "{}" : segment))
    .join("/");
  return `${parsed.method} ${shape}`;
}
