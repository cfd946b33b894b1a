// The suite, and every process it starts, runs on the Node that package.json's engines names
// (installed by the `node` dev dependency, first on npm scripts' PATH), which is also the
// Dockerfile's image.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const enginesMajor = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);

describe("the Node the project runs on", () => {
  it("runs this test on the engines' major version", () => {
    console.log(`process.version ${process.version}, engines ${pkg.engines.node}`);
    expect(enginesMajor).toBeGreaterThanOrEqual(26);
    expect(Number(process.versions.node.split(".")[0])).toBe(enginesMajor);
  });

  it("starts the same Node for child processes, by process.execPath and by `node` on PATH", () => {
    const byPath = execFileSync("node", ["--version"], { encoding: "utf8" }).trim();
    const byExecPath = execFileSync(process.execPath, ["--version"], { encoding: "utf8" }).trim();
    expect(byPath).toBe(process.version);
    expect(byExecPath).toBe(process.version);
  });

  it("installs that Node with npm ci, and the image is built on it", () => {
    expect(Number(/(\d+)/.exec(pkg.devDependencies["node"] ?? "")?.[1])).toBe(enginesMajor);
    const dockerfile = readFileSync(`${ROOT}/Dockerfile`, "utf8");
    expect(dockerfile).toMatch(new RegExp(`^ARG NODE_VERSION=${enginesMajor}$`, "m"));
  });
});
