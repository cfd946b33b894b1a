// Writes schema.graphql (public API) and admin-schema.graphql (Operator API) from the code
// (`npm run schema:emit`), or with --check fails when a committed file differs from what the
// code builds (`npm run schema:check`, run in CI).
import "reflect-metadata";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createPubSub } from "@graphql-yoga/subscription";
import type { NonEmptyArray } from "type-graphql";
import { buildAppSchema, printAppSchema, type ResolverClass } from "../src/platform/graphql/build-schema.js";
import { resolverClasses } from "../src/resolvers.js";
import { adminResolverClasses } from "../src/admin-resolvers.js";

const schemas: { file: string; resolvers: NonEmptyArray<ResolverClass> }[] = [
  { file: "schema.graphql", resolvers: resolverClasses },
  { file: "admin-schema.graphql", resolvers: adminResolverClasses },
];

// --dir=<path>: read and write the files there instead of the project root (for its test).
const dirArg = process.argv.find((a) => a.startsWith("--dir="))?.slice("--dir=".length);
const root = dirArg ? resolve(dirArg) : fileURLToPath(new URL("..", import.meta.url));

let stale = false;
for (const { file, resolvers } of schemas) {
  const path = join(root, file);
  // An in-memory pubsub: type-graphql refuses to build subscriptions without one.
  const sdl = printAppSchema(await buildAppSchema({ resolvers, pubSub: createPubSub() }));
  if (process.argv.includes("--check")) {
    const committed = await readFile(path, "utf8").catch(() => "");
    if (committed !== sdl) {
      console.error(`${file} is stale: run \`npm run schema:emit\` and commit the result.`);
      stale = true;
    } else {
      console.log(`${file} is up to date.`);
    }
  } else {
    await writeFile(path, sdl);
    console.log(`wrote ${path}`);
  }
}
if (stale) process.exit(1);
