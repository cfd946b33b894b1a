// The guard of tests/helpers/test-env.ts checks the database the tests will really use (after
// TEST_DATABASE_URL and the overrides), so it can refuse one.
import { describe, expect, it } from "vitest";
import { createTestEnv } from "../../helpers/test-env.js";

describe("createTestEnv's database guard", () => {
  it("builds concert_test_<id> on TEST_DATABASE_URL's server when the URL names no database", () => {
    const env = createTestEnv({}, "mysql://root@db.example:3307/");
    expect(env.databaseUrl).toMatch(/^mysql:\/\/root@db\.example:3307\/concert_test_\w+$/);
    expect(env.env["DATABASE_URL"]).toBe(env.databaseUrl);
    expect(env.config.DATABASE_URL).toBe(env.databaseUrl);
  });

  it("names the databases after TEST_DATABASE_URL's database when it names one with test", () => {
    expect(createTestEnv({}, "mysql://root@127.0.0.1:3306/ci_test").databaseUrl).toMatch(/\/ci_test_\w+$/);
  });

  it("refuses a TEST_DATABASE_URL whose database lacks test", () => {
    expect(() => createTestEnv({}, "mysql://root@127.0.0.1:3306/concert")).toThrow(
      /Refusing to run tests against database "concert_\w+": its name must contain "test"/,
    );
  });

  it("refuses an override that points the app at a database without test", () => {
    expect(() => createTestEnv({ DATABASE_URL: "mysql://root@127.0.0.1:3306/concert" })).toThrow(
      /Refusing to run tests against database "concert"/,
    );
  });
});
