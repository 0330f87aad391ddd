/**
 * The deployment templates, checked as far as an offline machine allows: both parse (with the
 * CloudFormation short tags), wire the authorizer as the issue asks (REST TOKEN on Authorization
 * with a TTL; HTTP API REQUEST 2.0, simple responses, route key in the identity sources), pass
 * AUTHORIZER_CONFIG, and point at the handler of the bundle that `npm run build:lambda` writes.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, type Tags } from "yaml";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** `!Ref X` -> { Ref: X }, `!GetAtt A.B` -> { "Fn::GetAtt": [A, B] }, `!Sub s` -> { "Fn::Sub": s } ... */
const CFN_TAGS: Tags = ["Ref", "GetAtt", "Sub", "Join", "If", "Equals", "Select", "Split", "FindInMap", "ImportValue", "Base64", "Not", "And", "Or"].flatMap(
  (name) => {
    const key = name === "Ref" ? "Ref" : `Fn::${name}`;
    const value = (v: unknown): unknown => (name === "GetAtt" && typeof v === "string" ? v.split(".") : v);
    return [
      { tag: `!${name}`, resolve: (v: string) => ({ [key]: value(v) }) },
      { tag: `!${name}`, collection: "seq" as const, resolve: (v: { toJSON(): unknown }) => ({ [key]: v.toJSON() }) },
    ];
  },
);

function load(file: string): any {
  return parse(readFileSync(join(root, "serverless", file), "utf8"), { customTags: CFN_TAGS });
}

let bundle: string;
beforeAll(async () => {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildLambda, LAMBDA_OUTFILE } = await import("../../lambdas/build.mjs");
  bundle = LAMBDA_OUTFILE as string;
  // Always from the current sources: a dist/ left by an older build proves nothing.
  await buildLambda();
}, 60_000);

describe("the Lambda bundle", () => {
  it("is one ESM file exporting handler, with jose bundled in", async () => {
    const text = readFileSync(bundle, "utf8");
    expect(text).not.toMatch(/from\s*["']jose["']|require\(["']jose["']\)/);
    const mod = await import(pathToFileURL(bundle).href);
    expect(typeof mod.handler).toBe("function");
  });
});

describe("serverless/template.yaml (SAM)", () => {
  const t = load("template.yaml");
  const fn = t.Resources.AuthorizerFunction;

  it("defines the authorizer function from the build output on nodejs20.x", () => {
    expect(t.Transform).toBe("AWS::Serverless-2016-10-31");
    expect(fn.Type).toBe("AWS::Serverless::Function");
    expect(t.Globals.Function.Runtime).toBe("nodejs20.x");
    const [file, exported] = fn.Properties.Handler.split(".");
    expect(exported).toBe("handler");
    expect(join(root, "serverless", t.Globals.Function.CodeUri, `${file}.mjs`)).toBe(bundle);
    expect(fn.Properties.Environment.Variables.AUTHORIZER_CONFIG).toEqual({ Ref: "AuthorizerConfig" });
    expect(fn.Properties.Environment.Variables.HTTP_API_RESPONSE).toBe("simple");
  });

  it("uses it as a REST TOKEN authorizer on Authorization with a result TTL", () => {
    const auth = t.Resources.RestApi.Properties.Auth;
    const authorizer = auth.Authorizers[auth.DefaultAuthorizer];
    expect(authorizer.FunctionArn).toEqual({ "Fn::GetAtt": ["AuthorizerFunction", "Arn"] });
    expect(authorizer.FunctionPayloadType).toBe("TOKEN");
    expect(authorizer.Identity.Header).toBe("Authorization");
    expect(authorizer.Identity.ReauthorizeEvery).toEqual({ Ref: "AuthorizerResultTtl" });
    expect(t.Parameters.AuthorizerResultTtl.Default).toBeGreaterThan(0);
  });

  it("uses it as an HTTP API REQUEST authorizer, payload 2.0, simple responses, cached per route key", () => {
    const auth = t.Resources.HttpApi.Properties.Auth;
    const authorizer = auth.Authorizers[auth.DefaultAuthorizer];
    expect(authorizer.FunctionArn).toEqual({ "Fn::GetAtt": ["AuthorizerFunction", "Arn"] });
    expect(authorizer.AuthorizerPayloadFormatVersion).toBe("2.0");
    expect(authorizer.EnableSimpleResponses).toBe(true);
    expect(authorizer.Identity.Headers).toContain("Authorization");
    expect(authorizer.Identity.Context).toContain("routeKey");
  });

  it("routes the example backend through both APIs", () => {
    const events = Object.values(t.Resources.EchoFunction.Properties.Events) as any[];
    expect(events.some((e) => e.Type === "Api" && e.Properties.RestApiId.Ref === "RestApi")).toBe(true);
    expect(events.some((e) => e.Type === "HttpApi" && e.Properties.ApiId.Ref === "HttpApi")).toBe(true);
    expect(existsSync(join(root, "serverless", t.Globals.Function.CodeUri, "echo.mjs"))).toBe(true);
  });
});

describe("serverless/serverless.yml (Serverless Framework)", () => {
  const s = load("serverless.yml");

  it("defines the authorizer function from the build output (paths from the service folder, serverless/)", () => {
    expect(s.provider.runtime).toBe("nodejs20.x");
    const fn = s.functions.authorizer;
    const dot = fn.handler.lastIndexOf(".");
    expect(fn.handler.slice(dot + 1)).toBe("handler");
    const packaged = join(root, "serverless", `${fn.handler.slice(0, dot)}.mjs`);
    expect(fn.package.patterns).toContain(`${fn.handler.slice(0, dot)}.mjs`);
    // Serverless v3 packages only files inside the service folder: the copy there is the bundle.
    expect(readFileSync(packaged, "utf8")).toBe(readFileSync(bundle, "utf8"));
    for (const f of Object.values(s.functions) as { handler: string }[]) {
      expect(existsSync(join(root, "serverless", `${f.handler.slice(0, f.handler.lastIndexOf("."))}.mjs`))).toBe(true);
    }
    expect(fn.environment.AUTHORIZER_CONFIG).toBe("${env:AUTHORIZER_CONFIG}");
  });

  it("uses it as a REST TOKEN authorizer on Authorization with a result TTL", () => {
    const http = s.functions.echo.events.filter((e: any) => e.http).map((e: any) => e.http.authorizer);
    expect(http.length).toBeGreaterThan(0);
    for (const a of http) {
      expect(a).toMatchObject({ name: "authorizer", type: "token", identitySource: "method.request.header.Authorization" });
      expect(a.resultTtlInSeconds).toBeGreaterThan(0);
    }
  });

  it("uses it as an HTTP API REQUEST authorizer, payload 2.0, simple responses, cached per route key", () => {
    const a = s.provider.httpApi.authorizers.edgeRequestAuthorizer;
    expect(a).toMatchObject({ type: "request", functionName: "authorizer", payloadVersion: "2.0", enableSimpleResponses: true });
    expect(a.identitySource).toEqual(expect.arrayContaining(["$request.header.Authorization", "$context.routeKey"]));
    const httpApi = s.functions.echo.events.filter((e: any) => e.httpApi);
    for (const e of httpApi) expect(e.httpApi.authorizer.name).toBe("edgeRequestAuthorizer");
  });
});
