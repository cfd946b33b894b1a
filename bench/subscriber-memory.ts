// Where an idle queueUpdates subscriber's memory goes: ONE server in the production
// configuration (with a loopback inspector), N WAITING tickets, a heap snapshot before and after
// N subscriptions are opened (each after a full GC), and the difference by object kind and
// constructor, per subscriber. The bench's subscriber row measures the total; this says what
// it is made of.
//   node --import @swc-node/register/esm-register bench/subscriber-memory.ts [subscribers]
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { createTestEnv, productionOverrides } from "../tests/helpers/test-env.js";
import { SERVER_NODE_ARGS } from "../tests/helpers/server-processes.js";
import { gql, rssOf, seedUsers, sleep } from "./lib.js";
import { WatcherFleet } from "./watchers.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const n = Math.min(15_000, Number(process.argv[2] ?? 3000));
const port = 40_000 + Math.floor(Math.random() * 10_000);
const env = createTestEnv(
  productionOverrides({ RATE_LIMIT_ENABLED: "false", LOG_LEVEL: "warn", QUEUE_MAX_ACTIVE: "1" }),
);
let output = "";
const child = spawn(process.execPath, ["--inspect=127.0.0.1:0", ...SERVER_NODE_ARGS], {
  cwd: ROOT,
  env: { ...process.env, ...env.env, PORT: String(port), HOST: "127.0.0.1" },
  stdio: ["ignore", "pipe", "pipe"],
});
child.stdout.on("data", (d: Buffer) => (output += d.toString()));
child.stderr.on("data", (d: Buffer) => (output += d.toString()));
const url = `http://127.0.0.1:${port}`;

/** One inspector session: `call(method)` answers the result, `chunks` collects snapshot text. */
async function inspector() {
  const address = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (!address) throw new Error("the server printed no inspector address");
  const ws = new WebSocket(address, { maxPayload: 2 ** 30 });
  await new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let next = 0;
  let chunks: string[] = [];
  const scripts = new Map<string, string>();
  const waiting = new Map<number, (v: unknown) => void>();
  ws.on("message", (raw: Buffer) => {
    const m = JSON.parse(raw.toString()) as {
      id?: number;
      method?: string;
      params?: { chunk: string; scriptId: string; url: string };
    };
    if (m.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(m.params!.chunk);
    else if (m.method === "Debugger.scriptParsed") scripts.set(m.params!.scriptId, m.params!.url);
    else if (m.id !== undefined) waiting.get(m.id)?.(m);
  });
  const call = (method: string, params: object = {}) =>
    new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    call,
    scripts,
    async snapshot(): Promise<{ kinds: Map<string, { count: number; bytes: number }>; raw: HeapSnapshot }> {
      await call("HeapProfiler.collectGarbage");
      await call("HeapProfiler.collectGarbage");
      chunks = [];
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      const raw = JSON.parse(chunks.join("")) as HeapSnapshot;
      return { kinds: byKind(raw), raw };
    },
    close: () => ws.close(),
  };
}

interface HeapSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  /** Per closure: its node's index into `nodes`, script id, line and column (0-based). */
  locations: number[];
}

/**
 * CLOSURES=1: closures by where their function is written (script:line:col), counted, for the
 * "closure" kinds above. `scripts`: script id → URL, from the inspector's Debugger domain.
 */
function closuresBySource(s: HeapSnapshot, scripts: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < s.locations.length; i += 4) {
    const url = (scripts.get(String(s.locations[i + 1])) ?? `script ${s.locations[i + 1]}`)
      .replace(/^file:\/\//, "")
      .replace(/.*\/node_modules\//, "")
      .replace(ROOT, "");
    const key = `${url}:${s.locations[i + 2]! + 1}:${s.locations[i + 3]! + 1}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * RETAINERS="<kind>" (a kind as printed): who holds objects of that kind, as "holder kind
 * —edge→", counted over all of them (the first holder of each, weak edges left out).
 */
function retainersOf(s: HeapSnapshot, wanted: string): Map<string, number> {
  const f = s.snapshot.meta.node_fields;
  const e = s.snapshot.meta.edge_fields;
  const [typeAt, nameAt, edgesAt] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("edge_count")];
  const [eType, eName, eTo] = [e.indexOf("type"), e.indexOf("name_or_index"), e.indexOf("to_node")];
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const kindAt = (i: number) => {
    const type = nodeTypes[s.nodes[i + typeAt]!]!;
    const name = type.includes("string") || type === "code" ? "" : s.strings[s.nodes[i + nameAt]!]!;
    return `${type} ${name}`.trim();
  };
  const out = new Map<string, number>();
  let edge = 0;
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const holder = kindAt(i);
    for (let k = 0; k < s.nodes[i + edgesAt]!; k++, edge += e.length) {
      const type = edgeTypes[s.edges[edge + eType]!]!;
      if (type === "weak") continue;
      const to = s.edges[edge + eTo]!;
      if (kindAt(to) !== wanted) continue;
      const raw = s.edges[edge + eName]!;
      const name = type === "element" || type === "hidden" ? `[${type}]` : s.strings[raw]!;
      const key = `${holder} —${name}→`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

/** A string's shape, so that N copies of "one per subscriber" strings group together. */
function shapeOf(text: string): string {
  const shape = text
    .slice(0, 60)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/[A-Za-z0-9_-]{20,}/g, "<b64>")
    .replace(/\d+/g, "<n>");
  return `${JSON.stringify(shape)} (${text.length < 64 ? "<64" : text.length < 256 ? "<256" : "≥256"})`;
}

/** Live objects by "type constructor-or-name": count and shallow bytes. */
function byKind(s: HeapSnapshot): Map<string, { count: number; bytes: number }> {
  const f = s.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = [f.indexOf("type"), f.indexOf("name"), f.indexOf("self_size")];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + typeAt]!]!;
    let name = s.strings[s.nodes[i + nameAt]!]!;
    // Strings and code are named by their content: group them by type alone.
    if (type === "string" || type === "concatenated string" || type === "sliced string") {
      // STRINGS=1: strings by their shape (a token, a UUID, JSON, …) instead of all together.
      name = process.env["STRINGS"] ? shapeOf(name) : "";
    }
    if (type === "code") name = "";
    if (type === "number" || type === "hidden") name = name.slice(0, 40);
    const key = `${type} ${name}`.trim();
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += s.nodes[i + sizeAt]!;
    out.set(key, e);
  }
  return out;
}

try {
  for (let i = 0; ; i++) {
    if (i > 400) throw new Error("server not ready in 60 s");
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(150);
  }
  const concertId = (await gql<{ concerts: { id: string }[] }>(url, "{ concerts { id } }")).data!.concerts[0]!
    .id;
  const users = await seedUsers(env.databaseUrl, n + 1);
  const issue = `mutation ($u: ID!, $k: String!, $c: ID!) { issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status } }`;
  const tokens: string[] = [];
  for (let i = 0; i < users.length; i += 100) {
    const batch = await Promise.all(
      users.slice(i, i + 100).map((u) =>
        gql<{ issueQueueToken: { token: string; status: string } }>(url, issue, {
          u: u.userId,
          k: u.accessKey,
          c: concertId,
        }),
      ),
    );
    for (const r of batch)
      if (r.data?.issueQueueToken.status === "WAITING") tokens.push(r.data.issueQueueToken.token);
  }
  const probe = await inspector();
  const rssBefore = rssOf(child.pid!);
  const before = (await probe.snapshot()).kinds;
  const fleet = new WatcherFleet(() => undefined);
  const opened = await fleet.open(`${url.replace(/^http/, "ws")}/graphql`, tokens, Date.now() + 120_000);
  await sleep(3000);
  const { kinds: after, raw } = await probe.snapshot();
  const rssAfter = rssOf(child.pid!);
  const subs = Math.max(1, opened.opened);
  const rows = [...after]
    .map(([k, a]) => {
      const b = before.get(k) ?? { count: 0, bytes: 0 };
      return { k, count: (a.count - b.count) / subs, bytes: (a.bytes - b.bytes) / subs };
    })
    .sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  console.log(
    `${opened.opened} subscribers (${opened.failed} failed); heap objects ${(total / 1024).toFixed(2)} KB each, RSS ${((rssAfter - rssBefore) / subs / 1024).toFixed(2)} KB each`,
  );
  console.log("bytes/sub  objects/sub  kind");
  for (const r of rows.slice(0, Number(process.env["TOP"] ?? 40)))
    console.log(`${r.bytes.toFixed(0).padStart(9)}  ${r.count.toFixed(2).padStart(11)}  ${r.k}`);
  if (process.env["CLOSURES"]) {
    await probe.call("Debugger.enable");
    const from = closuresBySource(raw, probe.scripts);
    console.log("closures by source, per subscriber (≥ 0.5):");
    for (const [k, c] of [...from].sort((a, b) => b[1] - a[1]))
      if (c / subs >= 0.5) console.log(`${(c / subs).toFixed(2).padStart(8)}  ${k}`);
  }
  const wanted = process.env["RETAINERS"];
  if (wanted) {
    console.log(`held by (${wanted}), per subscriber:`);
    const held = [...retainersOf(raw, wanted)].sort((a, b) => b[1] - a[1]).slice(0, 25);
    for (const [k, c] of held) console.log(`${(c / subs).toFixed(2).padStart(8)}  ${k}`);
  }
  await fleet.close();
  probe.close();
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await env.cleanup();
}
