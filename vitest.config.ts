import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// One copy of graphql for type-graphql and Apollo: without this alias vite may load both
// the ESM and the CJS build, and graphql-js refuses to mix them.
const graphql = fileURLToPath(new URL("./node_modules/graphql/index.js", import.meta.url));

const shared = {
  resolve: { alias: { graphql } },
};

export default defineConfig({
  ...shared,
  test: {
    globalSetup: ["tests/helpers/global-setup.ts"],
    projects: [
      {
        ...shared,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          setupFiles: ["reflect-metadata"],
        },
      },
      {
        ...shared,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          setupFiles: ["reflect-metadata"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          setupFiles: ["reflect-metadata"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // e2e files start whole server processes; two at a time is what 2 cores bear.
          maxWorkers: 2,
          // Projects with their own maxWorkers must run in their own group (vitest refuses
          // otherwise): unit + integration first, then e2e, then browser.
          sequence: { groupOrder: 1 },
        },
      },
      {
        ...shared,
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          // A server process and a headless chromium per file: slow to start, so long timeouts.
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
