import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/workers/**", "node_modules/**"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        // The Worker inside workerd, driven from Node through Miniflare's API (real KV binding,
        // real origin and JWKS servers on 127.0.0.1). Each file starts its own workerd processes.
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
