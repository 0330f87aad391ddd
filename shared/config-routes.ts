/**
 * Validation of `routes[]`. Secure by default: a protected route must name its audience (as
 * aws-jwt-verify requires one), a public route may carry no token requirement (that would be a
 * contradiction the reader could take either way), and a route table must not be empty.
 */
import {
  checkKnownFields, field, isObject, item, Problems, quote, readBoolean, readNonEmptyString, readObject,
  readStringList, setOwn,
} from "./config-reader.js";
import { parseRouteKey } from "./routes.js";
import type { RouteConfig } from "./types.js";

const ROUTE_FIELDS = ["route", "public", "audience", "scopes", "anyScopes", "claims", "issuers"] as const;
const REQUIREMENT_FIELDS = ["audience", "scopes", "anyScopes", "claims", "issuers"] as const;
const TEMPLATE = /^\{([^{}]*)\}$/;

export function readRoutes(value: unknown, issuerNames: ReadonlySet<string>, problems: Problems): RouteConfig[] {
  if (value === undefined) {
    problems.add("routes", "required: at least one route (an empty route table would deny every request)");
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add("routes", "must be a non-empty list of routes");
    return [];
  }
  const out: RouteConfig[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry, i) => {
    const path = item("routes", i);
    const route = readRoute(entry, path, issuerNames, problems);
    if (route === undefined) return;
    const first = seen.get(route.canonical);
    if (first !== undefined) {
      problems.add(field(path, "route"), `duplicate of routes[${first}].route (same method and path shape)`);
    } else seen.set(route.canonical, i);
    out.push(route.config);
  });
  return out;
}

function readRoute(
  value: unknown,
  path: string,
  issuerNames: ReadonlySet<string>,
  problems: Problems,
): { config: RouteConfig; canonical: string } | undefined {
  const obj = readObject(value, path, problems);
  if (obj === undefined) return undefined;
  checkKnownFields(obj, ROUTE_FIELDS, path, problems);
  const key = readNonEmptyString(obj.route, field(path, "route"), problems);
  const parsed = key === undefined ? undefined : parseRouteKey(key);
  if (parsed !== undefined && !parsed.ok) problems.add(field(path, "route"), parsed.message);
  const params = parsed?.ok === true ? parsed.params : undefined;

  const isPublic = readBoolean(obj.public, field(path, "public"), problems, false);
  const config: RouteConfig = { route: key ?? "", public: isPublic, audience: [], scopes: [], anyScopes: [], claims: {} };
  if (isPublic) {
    for (const name of REQUIREMENT_FIELDS) {
      if (obj[name] !== undefined) problems.add(field(path, name), "not allowed on a public route (a public route checks no token)");
    }
  } else {
    config.audience = readAudience(obj.audience, field(path, "audience"), problems);
    if (obj.scopes !== undefined) config.scopes = readStringList(obj.scopes, field(path, "scopes"), problems, { noSpaces: true }) ?? [];
    if (obj.anyScopes !== undefined) {
      config.anyScopes = readStringList(obj.anyScopes, field(path, "anyScopes"), problems, { noSpaces: true }) ?? [];
    }
    if (obj.claims !== undefined) config.claims = readClaims(obj.claims, field(path, "claims"), params, problems);
    if (obj.issuers !== undefined) {
      const list = readStringList(obj.issuers, field(path, "issuers"), problems, { nonEmpty: true });
      list?.forEach((name, i) => {
        if (!issuerNames.has(name)) problems.add(item(field(path, "issuers"), i), `issuer ${quote(name)} is not configured in issuers[]`);
      });
      if (list !== undefined) config.issuers = list;
    }
  }
  return parsed?.ok === true ? { config, canonical: parsed.canonical } : undefined;
}

function readAudience(value: unknown, path: string, problems: Problems): string[] {
  if (value === undefined) {
    problems.add(path, "required for a protected route (or set public: true)");
    return [];
  }
  if (typeof value === "string") {
    if (value === "") problems.add(path, "must not be empty");
    return value === "" ? [] : [value];
  }
  if (!Array.isArray(value)) {
    problems.add(path, "must be a string or a non-empty list of strings");
    return [];
  }
  return readStringList(value, path, problems, { nonEmpty: true }) ?? [];
}

/**
 * `claims`: claim name -> required string value, or `{param}` for a path parameter of this route
 * (the tenant-boundary check). A brace anywhere else is refused rather than read as literal text.
 */
function readClaims(value: unknown, path: string, params: readonly string[] | undefined, problems: Problems): Record<string, string> {
  if (!isObject(value)) {
    problems.add(path, "must be an object of claim name -> value");
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, required] of Object.entries(value)) {
    const at = field(path, name);
    if (name === "") {
      problems.add(at, "claim names must not be empty");
      continue;
    }
    if (typeof required !== "string" || required === "") {
      problems.add(at, "must be a non-empty string");
      continue;
    }
    const template = TEMPLATE.exec(required);
    if (template !== null) {
      const param = template[1] as string;
      if (params !== undefined && !params.includes(param)) {
        problems.add(at, `names path parameter {${param}}, which this route does not have` + (params.length > 0 ? ` (it has {${params.join("}, {")}})` : ""));
        continue;
      }
    } else if (required.includes("{") || required.includes("}")) {
      problems.add(at, "a template must be the whole value, such as \"{tenant}\"");
      continue;
    }
    setOwn(out, name, required);
  }
  return out;
}
