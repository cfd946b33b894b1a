// Keeps docker-compose.yml, the Dockerfile and the nginx config honest against the code: there
// is no Docker engine here, so these are the checks that stand in for `docker compose up`.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema, loadConfig } from "../../../src/config.js";
import { SERVER_NODE_ARGS } from "../../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}/${file}`, "utf8");

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: string[];
  volumes?: string[];
}
const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const appServices = Object.entries(services).filter(([, s]) => s.build !== undefined);
const nginx = read("deploy/nginx/default.conf");
const dockerfile = read("Dockerfile");

/** Compose's variable substitution: ${X}, ${X:-default}, ${X-default}, ${X:?error}, $$. */
function interpolate(value: string, env: Record<string, string>): string {
  return value
    .replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
      const set = env[name];
      if (op === ":-") return set ? set : (arg ?? "");
      if (op === "-") return set ?? arg ?? "";
      if (op === ":?" || op === "?") {
        if (!set) throw new Error(`${name}: ${arg}`);
        return set;
      }
      return set ?? "";
    })
    .replace(/\$\$/g, "$");
}

function appEnv(service: Service, host: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), host)]),
  );
}

describe("docker-compose.yml", () => {
  it("runs MySQL 8.4, Redis 7, nginx and two app replicas built from the Dockerfile", () => {
    expect(services["db"]?.image).toBe("mysql:8.4");
    expect(services["redis"]?.image).toMatch(/^redis:7(\.|-|$)/);
    expect(services["proxy"]?.image).toMatch(/^nginx:/);
    expect(appServices.map(([name]) => name)).toEqual(["app1", "app2"]);
    for (const [, app] of appServices) expect(app.build).toBe(".");
  });

  it("sets only variables that src/config.ts reads", () => {
    const known = Object.keys(configSchema.shape);
    for (const [name, app] of appServices) {
      const unknown = Object.keys(app.environment ?? {}).filter((k) => !known.includes(k));
      expect(unknown, `${name} sets variables the config schema does not have`).toEqual([]);
    }
  });

  it("gives the apps a configuration that loads once TOKEN_SECRET is set, and refuses one without it", () => {
    for (const [, app] of appServices) {
      const config = loadConfig(appEnv(app, { TOKEN_SECRET: "s".repeat(64) }));
      expect(config.NODE_ENV).toBe("production");
      expect(config.TRUST_PROXY).toBe(true);
      expect(config.PORT).toBe(4000);
      expect(() => loadConfig(appEnv(app, {}))).toThrow(/TOKEN_SECRET/);
    }
  });

  it("points every replica at the same db and redis services, prefix and secret", () => {
    const envs = appServices.map(([, app]) => appEnv(app, { TOKEN_SECRET: "s".repeat(64) }));
    for (const env of envs) {
      expect(new URL(env["DATABASE_URL"]!).hostname).toBe("db");
      expect(new URL(env["REDIS_URL"]!).hostname).toBe("redis");
      expect(env).toEqual(envs[0]);
    }
    expect(new URL(envs[0]!["DATABASE_URL"]!).port).toBe("3306");
    expect(new URL(envs[0]!["REDIS_URL"]!).port).toBe("6379");
  });

  it("starts the apps only after db and redis are healthy, and the proxy after the apps", () => {
    for (const [, app] of appServices) {
      expect(app.depends_on).toEqual({
        db: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
      expect(JSON.stringify(app.healthcheck?.test)).toContain("/readyz");
    }
    expect(Object.keys(services["proxy"]?.depends_on ?? {}).sort()).toEqual(appServices.map(([n]) => n));
    for (const name of ["db", "redis", "proxy"]) expect(services[name]?.healthcheck).toBeDefined();
  });

  it("publishes no app port: clients go through the proxy", () => {
    for (const [, app] of appServices) expect(app.ports).toBeUndefined();
    expect(services["proxy"]?.ports?.some((p) => p.endsWith(":80"))).toBe(true);
  });

  it("mounts the nginx config that is in the repository", () => {
    const mount = services["proxy"]?.volumes?.find((v) => v.includes("/etc/nginx/"));
    const file = mount?.split(":")[0];
    expect(file).toBe("./deploy/nginx/default.conf");
    expect(existsSync(`${ROOT}/${file}`)).toBe(true);
  });
});

describe("deploy/nginx/default.conf", () => {
  it("balances over exactly the app services on their port", () => {
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx);
    expect(upstream).not.toBeNull();
    const servers = [...upstream![2]!.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    expect(servers).toEqual(appServices.map(([name, app]) => `${name}:${app.environment?.["PORT"]}`));
    expect(nginx).toContain(`proxy_pass http://${upstream![1]};`);
  });

  it("upgrades WebSockets on /graphql", () => {
    const graphql = /location\s+=?\s*\/graphql\s*\{([^}]*)\}/.exec(nginx)?.[1] ?? "";
    expect(graphql).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(graphql).toMatch(/proxy_set_header\s+Connection\s+\$connection_upgrade;/);
    expect(nginx).toMatch(/proxy_http_version\s+1\.1;/);
    expect(nginx).toMatch(/map\s+\$http_upgrade\s+\$connection_upgrade/);
  });

  it("overwrites X-Forwarded-For with the peer address in every proxied location, so a client cannot forge its IP", () => {
    // A location with any proxy_set_header of its own inherits none from the server block.
    const locations = [...nginx.matchAll(/location\s+[^{]+\{([^}]*)\}/g)]
      .map((m) => m[1]!)
      .filter((body) => body.includes("proxy_pass"));
    expect(locations.length).toBeGreaterThanOrEqual(4);
    for (const location of locations) {
      expect(location).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;/);
      expect(location).toMatch(/proxy_set_header\s+X-Request-Id\s+\$request_id;/);
      expect(location).toMatch(/proxy_set_header\s+Host\s+\$host;/);
    }
    expect(nginx).not.toContain("$proxy_add_x_forwarded_for");
  });
});

/** The `server { ... }` blocks of the nginx config, by the port they listen on. */
function serverBlocks(conf: string): Map<string, string> {
  const starts = [...conf.matchAll(/^server\s*\{/gm)].map((m) => m.index);
  const blocks = starts.map((start, i) => conf.slice(start, starts[i + 1] ?? conf.length));
  return new Map(blocks.map((b) => [/listen\s+(\d+)/.exec(b)?.[1] ?? "?", b]));
}
const locationIn = (block: string, path: string) =>
  new RegExp(`location\\s+(=\\s*)?${path.replace(/\//g, "\\/")}\\s*\\{([^}]*)\\}`).exec(block)?.[2];

describe("the Operator API is kept off the public internet", () => {
  const servers = serverBlocks(nginx);

  it("is refused on the public listener", () => {
    const pub = servers.get("80")!;
    expect(locationIn(pub, "/admin/")).toMatch(/return\s+404;/);
    expect(pub).not.toMatch(/location\s+=?\s*\/admin\/graphql/);
  });

  it("has a listener of its own: /admin/ only, private addresses only, WebSockets upgraded", () => {
    const admin = servers.get("8081")!;
    expect(admin).toBeDefined();
    expect(admin).toMatch(/deny\s+all;/);
    for (const range of ["127.0.0.1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]) {
      expect(admin).toContain(`allow ${range};`);
    }
    const graphql = locationIn(admin, "/admin/graphql") ?? "";
    expect(graphql).toMatch(/proxy_pass\s+http:\/\/concert_app;/);
    expect(graphql).toMatch(/proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
    expect(locationIn(admin, "/admin/")).toMatch(/proxy_pass/);
    expect(locationIn(admin, "/")).toMatch(/return\s+404;/);
  });

  it("publishes the admin listener on the host's loopback only, and passes OPERATOR_KEYS to every app", () => {
    const ports = services["proxy"]?.ports ?? [];
    const admin = ports.filter((p) => p.endsWith(":8081"));
    expect(admin).toHaveLength(1);
    expect(admin[0]).toMatch(/^127\.0\.0\.1:/);
    const keys = `alice:${"k".repeat(40)}`;
    for (const [, app] of appServices) {
      const config = loadConfig(appEnv(app, { TOKEN_SECRET: "s".repeat(64), OPERATOR_KEYS: keys }));
      expect(config.OPERATOR_KEYS).toEqual([{ name: "alice", secret: "k".repeat(40) }]);
      expect(loadConfig(appEnv(app, { TOKEN_SECRET: "s".repeat(64) })).OPERATOR_KEYS).toEqual([]);
    }
  });
});

describe("Dockerfile", () => {
  it("builds in stages on a Node LTS image and runs the entry point as an unprivileged user", () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\w+))?/gim)];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const version = /^ARG NODE_VERSION=(\d+)/m.exec(dockerfile)?.[1];
    expect(["26"]).toContain(version); // the Active LTS, = engines (tests/unit/project/runtime.test.ts)
    for (const [, image] of froms) expect(image).toMatch(/^node:\$\{NODE_VERSION\}-/);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const cmd = JSON.parse(/^CMD\s+(\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(existsSync(`${ROOT}/${cmd.at(-1)!}`)).toBe(true);
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    // The runtime stage has only production dependencies: the loader must be one.
    expect(Object.keys(pkg.dependencies)).toEqual(
      expect.arrayContaining(["@swc-node/register", "@swc/core"]),
    );
    expect(cmd).toContain("@swc-node/register/esm-register");
  });

  it("starts the server with the same node flags in the image, in `npm start` and in the tests and bench", () => {
    const cmd = JSON.parse(/^CMD\s+(\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd).toEqual(["node", ...SERVER_NODE_ARGS]);
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts["start"]).toBe(["node", ...SERVER_NODE_ARGS].join(" "));
  });

  it("exposes the port the apps listen on", () => {
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${appServices[0]![1].environment?.["PORT"]}$`, "m"));
  });

  it("keeps local modules and secrets out of the build context", () => {
    const ignored = read(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".git", ".env", "src/generated"]) expect(ignored).toContain(entry);
  });
});
