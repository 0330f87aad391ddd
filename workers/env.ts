/**
 * The Worker's bindings, in one place (wrangler.toml declares them; CONTRACT.md section 3 names them).
 */
export interface Env {
  /** The authorizer configuration: a JSON string, or a table (object) in `[vars]`. */
  AUTHORIZER_CONFIG?: string | Record<string, unknown>;
  /** Optional KV namespace that holds fetched JWKS documents so that new isolates start warm. */
  JWKS_CACHE?: KVNamespace;
  /** Optional origin for allowed requests (path and query are kept); absent: the request's own URL. */
  UPSTREAM_URL?: string;
  /** Optional Workers Analytics Engine dataset for metrics (analytics-metrics.ts); absent: logs only. */
  METRICS?: AnalyticsEngineDataset;
}
