// The start-up checks' one line: what names the server, and what is never in it.
import { describe, expect, it } from "vitest";
import { hostAndPort, UnreachableError, withMysql } from "../../../src/platform/startup-checks.js";

const failing = (code: string) => () => Promise.reject(Object.assign(new Error(`boom ${code}`), { code }));

describe("hostAndPort", () => {
  it("keeps host and port and drops user and password", () => {
    expect(hostAndPort("mysql://root:s3cret@db.internal:3307/concert", 3306)).toBe("db.internal:3307");
    expect(hostAndPort("redis://:s3cret@cache", 6379)).toBe("cache:6379");
  });
});

describe("withMysql", () => {
  const url = "mysql://app:s3cret@db.internal:3307/concert";

  it("turns a connection failure into one line with the variable, host, port and the way out", async () => {
    const error = await withMysql(url, failing("ECONNREFUSED")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Cannot reach MySQL\/MariaDB at db\.internal:3307 \(DATABASE_URL\): ECONNREFUSED\./,
    );
    expect(message).toContain("docker compose up -d db");
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("\n");
  });

  it("says so when the server refuses the credentials", async () => {
    const error = await withMysql(url, failing("ER_ACCESS_DENIED_ERROR")).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/refused the user or password of DATABASE_URL/);
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("leaves any other failure (a bad migration) as it is", async () => {
    const error = await withMysql(url, failing("ER_PARSE_ERROR")).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UnreachableError);
    expect((error as Error).message).toBe("boom ER_PARSE_ERROR");
  });

  it("passes the result through", async () => {
    await expect(withMysql(url, () => Promise.resolve(42))).resolves.toBe(42);
  });
});
