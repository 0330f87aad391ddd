import { describe, expect, it } from "vitest";
import { AuthorizerError } from "../../shared/errors.js";
import { parseJsonObject } from "../../shared/strict-json.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

function rejection(bytes: Uint8Array, what: "header" | "payload" = "payload"): AuthorizerError {
  try {
    parseJsonObject(bytes, what);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return error as AuthorizerError;
  }
  throw new Error("expected a rejection");
}

describe("parseJsonObject", () => {
  it("parses a JSON object with nested values", () => {
    const text = '{"sub":"a","aud":["x","y"],"n":{"a":1,"b":[{"a":2},{"a":3}]},"s":"{\\"a\\":1,\\"a\\":2}"}';
    expect(parseJsonObject(utf8(text), "payload")).toEqual(JSON.parse(text));
  });

  it("allows one name in different objects and strings full of JSON punctuation", () => {
    const text = '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],"c":"\\"a\\": ,{}[]","d":"\\\\"}';
    expect(parseJsonObject(utf8(text), "payload")).toEqual(JSON.parse(text));
  });

  it.each([
    ["an array", "[1]"],
    ["a string", '"x"'],
    ["a number", "1"],
    ["null", "null"],
    ["empty input", ""],
    ["truncated JSON", '{"a":1'],
    ["trailing garbage", '{"a":1}x'],
    ["two objects", '{"a":1}{"b":2}'],
    ["a byte order mark", '\uFEFF{"a":1}'],
    ["single quotes", "{'a':1}"],
  ])("rejects %s", (_name, text) => {
    expect(rejection(utf8(text)).code).toBe("ERR_JWS_INVALID");
  });

  it.each([
    ["top level", '{"alg":"RS256","alg":"none"}'],
    ["nested object", '{"a":{"x":1,"x":2}}'],
    ["object in an array", '{"a":[{"x":1},{"y":1,"y":2}]}'],
    ["after a nested value", '{"a":{"b":1},"c":[1,{"d":2}],"a":3}'],
    ["spelled with an escape", '{"a":1,"\\u0061":2}'],
  ])("rejects duplicate member names: %s", (_name, text) => {
    expect(rejection(utf8(text)).message).toMatch(/duplicate/);
  });

  it.each([
    ["top level", '{"__proto__":{"admin":true}}'],
    ["nested", '{"a":{"__proto__":{"x":1}}}'],
    ["escaped", '{"__pro\\u0074o__":{}}'],
  ])("rejects __proto__ members: %s", (_name, text) => {
    expect(rejection(utf8(text)).message).toMatch(/__proto__/);
  });

  it("accepts __proto__ as a value", () => {
    expect(parseJsonObject(utf8('{"a":"__proto__"}'), "payload")).toEqual({ a: "__proto__" });
  });

  it.each([
    ["a lone continuation byte", [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]],
    ["an overlong encoding of '/'", [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]],
    ["a UTF-16 surrogate", [0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d]],
    ["0xff", [0x7b, 0xff, 0x7d]],
  ])("rejects invalid UTF-8: %s", (_name, bytes) => {
    expect(rejection(new Uint8Array(bytes)).message).toMatch(/UTF-8/);
  });

  it("says header or payload and never quotes the content", () => {
    const error = rejection(utf8('{"sub":"alice@example.com","sub":"x"}'), "header");
    expect(error.message).toContain("header");
    expect(error.message).not.toContain("alice");
    expect(rejection(utf8('{"x":"alice@example.com"'), "payload").message).not.toContain("alice");
  });
});
