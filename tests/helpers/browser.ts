// Debian's chromium through playwright-core for the browser tests (npm cannot download a
// browser here), and the page build they test.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
// Without the background-networking flags chromium keeps dialling out of this closed network.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-quic",
  "--no-first-run",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Newest modification time under a folder: the pages are rebuilt when a source is newer. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  );
}

/** Builds web/ (the waiting room at / and the console at /admin/) unless the build is current. */
export function buildPagesIfStale(): void {
  const source = newest(join(ROOT, "web"));
  const built = ["public/dist/index.html", "public/dist/admin/index.html"].map((f) => join(ROOT, f));
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= source)) return;
  execFileSync(
    process.execPath,
    [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "web/vite.config.ts"],
    { cwd: ROOT, stdio: "pipe" },
  );
}
