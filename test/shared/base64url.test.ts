import { describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../../shared/base64url.js";
import { AuthorizerError } from "../../shared/errors.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizerError);
    return (error as AuthorizerError).code;
  }
  return undefined;
}

describe("base64url", () => {
  it("round-trips every length and agrees with Node's encoder", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = encodeBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64url"));
      expect(decodeBase64Url(text)).toEqual(bytes);
    }
  });

  it("decodes every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeBase64Url(Buffer.from(all).toString("base64url"))).toEqual(all);
  });

  it.each([
    ["padding", "QQ=="],
    ["padding (3 chars)", "QUI="],
    ["a space", "QU I"],
    ["a newline", "QUJD\nREVG"],
    ["a tab", "\tQUJD"],
    ["standard alphabet +", "+/+/"],
    ["standard alphabet /", "ab/c"],
    ["a dot", "QU.J"],
    ["a question mark", "QU?J"],
    ["a non-ASCII letter", "QUJé"],
    ["a look-alike from above U+00FF", "QUJ\u0391"],
    ["impossible length (4n+1)", "QUJDR"],
    ["non-zero unused bits, 2 chars", "QR"],
    ["non-zero unused bits, 3 chars", "QUJ"],
  ])("rejects %s", (_name, text) => {
    expect(codeOf(() => decodeBase64Url(text))).toBe("ERR_JWS_INVALID");
  });

  it("accepts the canonical spelling where a non-canonical one was refused", () => {
    expect(decodeBase64Url("QQ")).toEqual(new Uint8Array([0x41]));
    expect(decodeBase64Url("QUI")).toEqual(new Uint8Array([0x41, 0x42]));
    expect(decodeBase64Url("")).toEqual(new Uint8Array(0));
  });

  it("names what it was decoding, never the input", () => {
    try {
      decodeBase64Url("secret-looking value!", "the JWS payload");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("the JWS payload");
      expect((error as Error).message).not.toContain("secret");
    }
  });
});
