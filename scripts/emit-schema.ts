// Writes schema.graphql from the code (`npm run schema:emit`), or with --check fails when the
// committed file differs from what the code builds (`npm run schema:check`, run in CI).
import "reflect-metadata";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createPubSub } from "@graphql-yoga/subscription";
import { buildAppSchema, printAppSchema } from "../src/platform/graphql/build-schema.js";
import { resolverClasses } from "../src/resolvers.js";

const file = fileURLToPath(new URL("../schema.graphql", import.meta.url));
// An in-memory pubsub: type-graphql refuses to build subscriptions without one.
const sdl = printAppSchema(await buildAppSchema({ resolvers: resolverClasses, pubSub: createPubSub() }));

if (process.argv.includes("--check")) {
  const committed = await readFile(file, "utf8").catch(() => "");
  if (committed !== sdl) {
    console.error("schema.graphql is stale: run `npm run schema:emit` and commit the result.");
    process.exit(1);
  }
  console.log("schema.graphql is up to date.");
} else {
  await writeFile(file, sdl);
  console.log(`wrote ${file}`);
}
