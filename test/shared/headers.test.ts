import { describe, expect, it } from "vitest";
import { headerValues } from "../../shared/headers.js";

describe("headerValues", () => {
  it("reads a Headers object case-insensitively", () => {
    const headers = new Headers({ Authorization: "Bearer a" });
    expect(headerValues(headers, "authorization")).toEqual(["Bearer a"]);
    expect(headerValues(headers, "AUTHORIZATION")).toEqual(["Bearer a"]);
    expect(headerValues(headers, "x-missing")).toEqual([]);
  });

  it("returns repeated Headers entries joined as the platform joins them", () => {
    const headers = new Headers();
    headers.append("authorization", "Bearer a");
    headers.append("Authorization", "Bearer b");
    expect(headerValues(headers, "authorization")).toEqual(["Bearer a, Bearer b"]);
  });

  it("reads a plain object case-insensitively and counts every casing of the name", () => {
    const headers = { authorization: "Bearer a", Authorization: "Bearer b", AUTHORIZATION: ["Bearer c", "Bearer d"] };
    expect(headerValues(headers, "Authorization")).toEqual(["Bearer a", "Bearer b", "Bearer c", "Bearer d"]);
  });

  it("skips undefined and null values and non-string list entries", () => {
    const headers = { a: undefined, A: null, b: "x", c: ["y", null as unknown as string] };
    expect(headerValues(headers, "a")).toEqual([]);
    expect(headerValues(headers, "c")).toEqual(["y"]);
    expect(headerValues({}, "a")).toEqual([]);
  });

  it("keeps empty string values (the caller decides what an empty header means)", () => {
    expect(headerValues({ "X-Token": "" }, "x-token")).toEqual([""]);
  });

  it("does not read prototype members of a plain object as headers", () => {
    expect(headerValues({}, "constructor")).toEqual([]);
    expect(headerValues({}, "toString")).toEqual([]);
  });
});
