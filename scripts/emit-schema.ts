// Writes every committed schema file (src/resolvers.ts#emittedSchemas: schema.graphql for the
// public API, admin-schema.graphql for the Operator API) from the code (`npm run schema:emit`),
// or with --check fails when a committed file differs from what the code builds
// (`npm run schema:check`, run in CI).
import "reflect-metadata";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPubSub } from "@graphql-yoga/subscription";
import { buildAppSchema, printAppSchema } from "../src/platform/graphql/build-schema.js";
import { emittedSchemas } from "../src/resolvers.js";

// --dir=<path>: read and write the files there instead of the project root (for its test).
const dirArg = process.argv.find((a) => a.startsWith("--dir="))?.slice("--dir=".length);
const root = dirArg ? resolve(dirArg) : fileURLToPath(new URL("..", import.meta.url));
const check = process.argv.includes("--check");

let stale = 0;
for (const { file, resolvers } of emittedSchemas) {
  const path = join(root, file);
  // An in-memory pubsub: type-graphql refuses to build subscriptions without one.
  const sdl = printAppSchema(await buildAppSchema({ resolvers, pubSub: createPubSub() }));
  if (check) {
    const committed = await readFile(path, "utf8").catch(() => "");
    if (committed === sdl) {
      console.log(`${file} is up to date.`);
    } else {
      console.error(`${file} is stale: run \`npm run schema:emit\` and commit the result.`);
      stale += 1;
    }
  } else {
    await writeFile(path, sdl);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
