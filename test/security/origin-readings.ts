/**
 * How origins of various kinds might read a request path: percent-decoding (once or twice),
 * backslash as a separator (IIS, some Windows stacks), `;` path parameters stripped (Tomcat,
 * Jetty), NUL truncation (C servers), merged slashes (nginx) and dot-segment removal (everyone).
 * `originReadings` applies these in every order, so a path is "safe" only if no plausible origin
 * resolves it into the protected area.
 */

const transforms: ((path: string) => string)[] = [
  (p) => percentDecode(p),
  (p) => p.replace(/\\/g, "/"),
  (p) => p.split("/").map((s) => s.split(";")[0]).join("/"),
  (p) => {
    const nul = p.indexOf("\u0000");
    return nul < 0 ? p : p.slice(0, nul);
  },
  (p) => p.replace(/\/{2,}/g, "/"),
  (p) => removeDotSegments(p),
];

/** Every path reachable from `raw` (query removed) by up to `depth` transforms. */
export function originReadings(raw: string, depth = 4): Set<string> {
  const q = raw.indexOf("?");
  const start = q < 0 ? raw : raw.slice(0, q);
  const seen = new Set<string>([start]);
  let frontier = [start];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: string[] = [];
    for (const path of frontier) {
      for (const transform of transforms) {
        const out = transform(path);
        if (!seen.has(out) && seen.size < 2000) {
          seen.add(out);
          next.push(out);
        }
      }
    }
    frontier = next;
  }
  return seen;
}

/** True when some reading of `raw` lands in `area` (a prefix such as `/admin/` followed by a segment). */
export function someReadingReaches(raw: string, area: RegExp): string | undefined {
  for (const reading of originReadings(raw)) if (area.test(reading)) return reading;
  return undefined;
}

/** Lenient decoding: bad escapes are left as they are, as many servers do. */
function percentDecode(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** RFC 3986 §5.2.4. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    if (s === ".") {
      if (i === segments.length - 1) out.push("");
    } else if (s === "..") {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push("");
    } else {
      out.push(s);
    }
  }
  return out.join("/") || "/";
}
