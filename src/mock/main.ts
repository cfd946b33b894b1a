// `npm run mock`: the mock API on MOCK_PORT (default 4001). No database, no Redis.
import { startMockServer } from "./server.js";

const raw = process.env["MOCK_PORT"] ?? "4001";
const port = Number(raw);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid configuration:\n  MOCK_PORT: must be a port number (got "${raw}")`);
  process.exit(78);
}

const server = await startMockServer(port, { host: process.env["MOCK_HOST"] ?? "0.0.0.0" });
console.log(
  `Mock API (schema.graphql, mocked data, no database) on http://localhost:${server.port}/graphql` +
    ` — GraphiQL at http://localhost:${server.port}/graphiql`,
);

const stop = () => {
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
