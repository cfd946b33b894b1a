// An in-process server on its own database and Redis prefix, for integration tests.
import "reflect-metadata";
import { createApp, type App } from "../../src/app.js";
import type { Clock } from "../../src/platform/clock.js";
import { createLogger } from "../../src/platform/logger.js";
import { createTestEnv, type TestEnv } from "./test-env.js";
import { GraphQLTestClient } from "./graphql-client.js";

export interface TestApp {
  app: App;
  env: TestEnv;
  url: string;
  client: GraphQLTestClient;
  stop(): Promise<void>;
}

export async function startTestApp(
  overrides: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<TestApp> {
  const env = createTestEnv(overrides);
  const app = createApp(env.config, {
    log: createLogger(env.config.LOG_LEVEL),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const address = await app.start();
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    env,
    url,
    client: new GraphQLTestClient(url),
    async stop() {
      await app.stop();
      await env.cleanup();
    },
  };
}
