/**
 * Real public keys as literals, for configuration tests that are synchronous and never verify a
 * signature. Inline keys are checked by the key policy at start, so a made-up `n` no longer passes.
 *
 *   { issuer, jwks: { keys: [STATIC_RSA_JWK] }, algorithms: ["RS256"] }
 */

/** A 2048-bit RSA public key, e = 65537 (made with jose for these tests; its private half is gone). */
export const STATIC_RSA_JWK = {
  kty: "RSA",
  kid: "static-rsa",
  n:
    "qhIANIBsqsXmD18CDDZeNteUiJ7NphCQW5idHo9YIDuYoAknB9SNBAes0Z0_YZrkkcCFYsDzMbzegTEw6JMkSjU43eIdVmtIWK0p_QldqfSFl55alYBLIKpn9t_fL8Gh" +
    "U5vWy1sb6glGWrgJZxwI1UkgRyQu5acwUx2hUvH_theFWPsWc4bDfgQXSoWftCKv7uWSYSYPy5V6MS2UmV-7YT0u3XC0VSI7AoLNDpoi0ku0bTjlTc1E7g7OTFvCt3GJ" +
    "WDYVGvdTwSDbVsKyXZmDxWlxiSiHZgxMFd_6Vd89-75oOgRB6CUZ9cPDGjh0Jg77S50OWniAs_HezHh5zSXNKQ",
  e: "AQAB",
} as const;

/** A P-256 public key. */
export const STATIC_EC_JWK = {
  kty: "EC",
  kid: "static-ec",
  crv: "P-256",
  x: "woUZV2sAsMGGnifqcSlUwmSe6dVr6wPDCVQ-6AMXdKE",
  y: "VK1EyoKTjFrnTOHaFjqQYW0OYAA6c7vBEHMWvaMO0QQ",
} as const;
