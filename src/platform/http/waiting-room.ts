// Serves the browser waiting room (web/, built by `npm run build:web` into public/dist) at "/"
// and the operator console (web/admin/) at "/admin/"; both share the hashed /assets.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Express } from "express";

const WAITING_ROOM_DIST = fileURLToPath(new URL("../../../public/dist", import.meta.url));

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Waiting room not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>The waiting room page is not built</h1>
<p>Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it) and reload.
The API itself is up at <a href="/graphql">/graphql</a>.</p>
</body></html>`;

/** Mounts the page; hashed assets are cached for a year, index.html is always revalidated. */
export function mountWaitingRoom(app: Express, dist: string = WAITING_ROOM_DIST): void {
  app.use(
    "/assets",
    express.static(join(dist, "assets"), {
      immutable: true,
      maxAge: "365d",
      index: false,
      fallthrough: true,
    }),
  );
  const page = (file: string) => (_req: express.Request, res: express.Response) => {
    const index = join(dist, file);
    // Checked per request, so a build made after the server started is picked up.
    if (!existsSync(index)) {
      res.status(503).type("html").send(NOT_BUILT);
      return;
    }
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  };
  app.get("/", page("index.html"));
  app.get("/admin/", page("admin/index.html"));
}
