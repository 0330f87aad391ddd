import { describe, expect, it } from "vitest";
import { parseApiRouteKey, parseExecuteApiArn, requestArn, routeKeyShape } from "../../lambdas/arn.js";

describe("parseExecuteApiArn", () => {
  it("reads region, account, api, stage, method and the concrete path", () => {
    const arn = parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token");
    expect(arn).toMatchObject({ region: "eu-west-1", accountId: "123456789012", apiId: "puhdx84jy9", stage: "prod", method: "POST", path: "/lambda-token" });
    expect(arn?.apiArn).toBe("arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9");
    expect(requestArn(arn!)).toBe("arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token");
  });

  it("handles $default and special stage names, the root path, colons in paths and other partitions", () => {
    expect(parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/POST/lambda")).toMatchObject({ stage: "$default", path: "/lambda" });
    expect(parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc/v1-beta_2.x~/GET/a")).toMatchObject({ stage: "v1-beta_2.x~" });
    expect(parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/")).toMatchObject({ method: "GET", path: "/" });
    expect(parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/a:b/c")).toMatchObject({ path: "/a:b/c" });
    expect(parseExecuteApiArn("arn:aws-cn:execute-api:cn-north-1:123456789012:abc/prod/GET/x")).toMatchObject({ partition: "aws-cn" });
    expect(parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc/$default/$default")).toMatchObject({ method: "$default" });
  });

  it("refuses what is not an execute-api ARN, and stages with wildcard characters", () => {
    for (const bad of [
      undefined, 42, "", "arn:aws:s3:::bucket/prod/GET/x", "arn:aws:execute-api:eu-west-1:123456789012:abc",
      "arn:aws:execute-api:eu-west-1:123456789012:abc/pr*d/GET/x", "arn:aws:execute-api:eu-west-1:123456789012:abc/prod/get/x",
      "arn:aws:execute-api:eu-west-1:12345:abc/prod/GET/x",
    ]) {
      expect(parseExecuteApiArn(bad)).toBeUndefined();
    }
  });
});

describe("route keys", () => {
  it("parses HTTP API route keys and compares them by shape, not parameter names", () => {
    expect(parseApiRouteKey("$default")).toEqual({ isDefault: true });
    expect(parseApiRouteKey("GET /orders/{id}")).toEqual({ isDefault: false, method: "GET", path: "/orders/{id}" });
    expect(parseApiRouteKey("get /x")).toBeUndefined();
    expect(routeKeyShape("GET /orders/{id}")).toBe(routeKeyShape("GET /orders/{orderId}"));
    expect(routeKeyShape("ANY /{proxy+}")).not.toBe(routeKeyShape("ANY /{proxy}"));
  });
});
