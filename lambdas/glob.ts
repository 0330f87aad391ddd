/**
 * IAM's Resource wildcards as API Gateway applies them: `*` matches any run of characters
 * (including `/` and nothing at all), `?` exactly one character, everything else itself.
 * Used by the policy builder to keep policies small (drop redundant statements) and to check
 * its own answer against the request at hand.
 */

/** Does the glob `pattern` match the literal `text`? */
export function globMatches(pattern: string, text: string): boolean {
  // Classic two-pointer match with backtracking to the last `*`: linear in practice.
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === "*") {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === "?" || c === text[t])) {
      p++;
      t++;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Is there at least one string that both globs match? */
export function globsIntersect(a: string, b: string): boolean {
  return reachable(a, b, (x, y) => x === "*" || y === "*" || x === "?" || y === "?" || x === y, false);
}

/**
 * Does every string matched by `specific` also match `general`? Sound (never claims a
 * subsumption that does not hold): a wildcard in `specific` can only be covered by `*` in
 * `general` (or `?` by `?`).
 */
export function globSubsumes(general: string, specific: string): boolean {
  return reachable(general, specific, (g, s) => g === "?" ? s !== "*" : s !== "*" && s !== "?" && g === s, true);
}

/**
 * Breadth-first walk over pairs of positions. `step(x, y)` says whether one character can be
 * consumed by `a[i]` and `b[j]` together when neither is a `*` that stays put. With
 * `onlyAStars`, a `*` in `b` can only be absorbed by a `*` in `a` (subsumption).
 */
function reachable(a: string, b: string, step: (x: string, y: string) => boolean, onlyAStars: boolean): boolean {
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const queue: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number): void => {
    const k = i * width + j;
    if (seen[k] === 0) {
      seen[k] = 1;
      queue.push(k);
    }
  };
  while (queue.length > 0) {
    const k = queue.pop() as number;
    const i = Math.floor(k / width);
    const j = k % width;
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x === "*") {
      push(i + 1, j); // the star matches nothing more
      if (y !== undefined) push(i, j + 1); // the star eats b[j] (a char, or all of b's star)
    }
    if (y === "*" && !onlyAStars) push(i, j + 1);
    if (x !== undefined && y !== undefined && x !== "*" && !(y === "*" && onlyAStars)) {
      if (y === "*") push(i + 1, j); // b's star produces the char a[i] needs
      else if (step(x, y)) push(i + 1, j + 1);
    }
  }
  return false;
}

/** In a shape: exactly one character that is not `/`. */
export const ONE_SEGMENT_CHAR = "\u0001";
/** In a shape: any run of characters that are not `/` (possibly none). */
export const SEGMENT_REST = "\u0002";

/**
 * Does the IAM glob match at least one string of `shape`? A shape is a literal string in which
 * `ONE_SEGMENT_CHAR SEGMENT_REST` stands for one path segment (a parameter: no `/` inside),
 * `*` for anything. It describes the requests a route really owns, which are fewer than its
 * IAM pattern (where `*` also swallows `/`).
 */
export function globReachesShape(glob: string, shape: string): boolean {
  const width = shape.length + 1;
  const seen = new Uint8Array((glob.length + 1) * width);
  const queue: number[] = [0];
  seen[0] = 1;
  const push = (i: number, j: number): void => {
    const k = i * width + j;
    if (seen[k] === 0) {
      seen[k] = 1;
      queue.push(k);
    }
  };
  while (queue.length > 0) {
    const k = queue.pop() as number;
    const i = Math.floor(k / width);
    const j = k % width;
    if (i === glob.length && j === shape.length) return true;
    const x = glob[i];
    const y = shape[j];
    if (x === "*") push(i + 1, j);
    if (y === "*" || y === SEGMENT_REST) push(i, j + 1);
    if (y === undefined) continue;
    if (x === "*") {
      // The glob's star produces whatever the shape needs next (one char, or its star's run).
      if (y !== SEGMENT_REST) push(i, j + 1);
      continue;
    }
    if (x === undefined) continue;
    if (y === "*") push(i + 1, j); // the shape's star produces glob char x
    else if (y === SEGMENT_REST) {
      if (x !== "/") push(i + 1, j);
    } else if (y === ONE_SEGMENT_CHAR) {
      if (x !== "/") push(i + 1, j + 1);
    } else if (x === "?" || x === y) push(i + 1, j + 1);
  }
  return false;
}
