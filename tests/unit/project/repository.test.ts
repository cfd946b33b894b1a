// The repository stands on its own: no tracked file points at a folder beside the clone or at a
// path of one machine (the API reference is docs/api.md, inside the repository).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
// Spelled in pieces so that this file does not name them itself.
const FORBIDDEN = [["..", "shared", ""].join("/"), ["", "work", ""].join("/"), ["", "root", ""].join("/")];

function trackedTextFiles(): string[] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0");
  return files.filter((f) => f && !/\.(png|jpe?g|gif|ico|woff2?)$/.test(f));
}

describe("references outside the repository", () => {
  it("no tracked file names a folder beside the clone or an absolute path of this machine", () => {
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const file of files) {
      const lines = readFileSync(`${ROOT}/${file}`, "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const bad of FORBIDDEN) if (line.includes(bad)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it("has its own API reference where the code points", () => {
    const api = readFileSync(`${ROOT}/docs/api.md`, "utf8");
    for (const section of ["## Operations", "## Errors", "## Configuration", "## Details clients rely on"])
      expect(api).toContain(section);
  });
});
