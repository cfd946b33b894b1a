// `npm run migrate`: creates the database named in DATABASE_URL if needed and applies the
// pending migrations (Prisma's bookkeeping, same as `prisma migrate deploy`).
import { loadConfig } from "../src/config.js";
import { migrate } from "../src/platform/db/migrate.js";

const config = loadConfig();
const { applied } = await migrate(config.DATABASE_URL);
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
