// Builds the browser waiting room (web/index.html) and the operator console (web/admin/index.html)
// into public/dist, which the server serves at "/" and "/admin/".
// `npx vite --config web/vite.config.ts` serves it with hot reload against a local server on :4000.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const api = process.env["WAITING_ROOM_API"] ?? "http://127.0.0.1:4000";

export default defineConfig({
  root,
  base: "/",
  // The page never talks to a CDN: everything it needs is bundled into public/dist.
  build: {
    outDir: fileURLToPath(new URL("../public/dist", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("./index.html", import.meta.url)),
        admin: fileURLToPath(new URL("./admin/index.html", import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      "/graphql": { target: api, ws: true, changeOrigin: true },
      "/admin/graphql": { target: api, ws: true, changeOrigin: true },
    },
  },
});
