// The Redis Cluster rule for every Lua script in src (docs/scaling.md): a script touches only
// keys declared in KEYS, never one it builds from other keys or arguments, so the client routes
// it to the one shard that owns its slot. This static check reads every exported script (any
// string constant of src that calls redis.call / redis.pcall) and requires each key position
// to be KEYS[n] (n a number or an index the script computes) or a parameter of a local function
// that every call site passes KEYS[n]. The run-time half (every touched key declared, all of one
// hash tag) is KEY_GUARD in tests/helpers/redis-modes.ts, under which the queue store suite runs
// on a real cluster.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../../src", import.meta.url));
/** Commands whose every argument after the name is a key (the rest take one key first). */
const ALL_KEYS = new Set(["DEL", "UNLINK", "EXISTS", "MGET", "TOUCH", "WATCH"]);
/** Commands whose first two arguments are keys (the pre-queue's draw renames two sets). */
const TWO_KEYS = new Set(["RENAME", "RENAMENX"]);
/** Commands with more than one key in other positions: not allowed by this check. */
const MULTI_KEY = new Set([
  "COPY",
  "SMOVE",
  "LMOVE",
  "BLMOVE",
  "RPOPLPUSH",
  "SUNIONSTORE",
  "SINTERSTORE",
  "SDIFFSTORE",
  "ZUNIONSTORE",
  "ZINTERSTORE",
  "ZDIFFSTORE",
  "ZRANGESTORE",
  "PFMERGE",
  "BITOP",
  "GEOSEARCHSTORE",
  "MSET",
  "EVAL",
  "EVALSHA",
  "SORT",
]);
const KEYLESS = new Set(["TIME", "PUBLISH", "SPUBLISH", "ECHO", "PING"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" ? [] : sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Template literals that call redis from Lua, with the constants they interpolate resolved. */
function luaScripts(): { name: string; lua: string }[] {
  const scripts: { name: string; lua: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const consts = new Map<string, string>();
    for (const m of text.matchAll(/(export\s+)?const\s+(\w+)\s*=\s*`([\s\S]*?)`;/g)) {
      const body = m[3]!.replace(/\$\{(\w+)\}/g, (_x, ref: string) => consts.get(ref) ?? "");
      consts.set(m[2]!, body);
      // Fragments (shared functions) are checked inside the exported scripts that include them.
      if (m[1] && /redis\.p?call\(/.test(body))
        scripts.push({ name: `${relative(SRC, file)}:${m[2]}`, lua: body });
    }
  }
  return scripts;
}

/** Splits an argument list at top-level commas. */
function splitArgs(list: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of list) {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (ch === "," && depth === 0) {
      args.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) args.push(current.trim());
  return args;
}

/** The argument list of each call `name(...)` in the text (balanced parentheses). */
function calls(lua: string, name: string): string[][] {
  const found: string[][] = [];
  const re = new RegExp(`(?<![\\w.:]|function )${name.replace(".", "\\.")}\\(`, "g");
  for (const m of lua.matchAll(re)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < lua.length && depth > 0; i++) {
      if (lua[i] === "(") depth++;
      if (lua[i] === ")") depth--;
    }
    found.push(splitArgs(lua.slice(start, i - 1)));
  }
  return found;
}

/** Every problem with the key positions of one script; empty when it keeps the rule. */
export function keyViolations(lua: string): string[] {
  const problems: string[] = [];
  const functions = [...lua.matchAll(/local\s+function\s+(\w+)\s*\(([^)]*)\)/g)].map((m) => ({
    name: m[1]!,
    params: m[2]!
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
  }));
  const isKeyParam = (expr: string) =>
    functions.some((f) => {
      const at = f.params.indexOf(expr);
      if (at < 0) return false;
      const sites = calls(lua, f.name).filter((args) => args.length > at);
      return sites.length > 0 && sites.every((args) => /^KEYS\[\d+\]$/.test(args[at]!));
    });
  // KEYS[n], or KEYS at an index the script computes (a loop over one key per ticket): still a
  // declared key, which the run-time guard checks on a real cluster.
  const keyOk = (expr: string) => /^KEYS\[[\w\s+*-]+\]$/.test(expr) || isKeyParam(expr);
  for (const fn of ["redis.call", "redis.pcall"]) {
    for (const args of calls(lua, fn)) {
      const command = args[0]?.replace(/^['"]|['"]$/g, "").toUpperCase() ?? "";
      if (!/^[A-Z]+$/.test(command)) {
        problems.push(`${fn}(${args.join(", ")}): the command must be a literal`);
        continue;
      }
      if (KEYLESS.has(command)) continue;
      if (MULTI_KEY.has(command)) {
        problems.push(`${command}: a command with several keys (not covered by this check)`);
        continue;
      }
      const keys = ALL_KEYS.has(command) ? args.slice(1) : args.slice(1, TWO_KEYS.has(command) ? 3 : 2);
      for (const key of keys) {
        if (!keyOk(key)) problems.push(`${command} ${key}: the key is not one of KEYS`);
      }
    }
  }
  return problems;
}

describe("every Lua script declares its keys (Redis Cluster rule)", () => {
  const scripts = luaScripts();

  it("finds the scripts of src", () => {
    expect(scripts.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "modules/queue/queue-scripts.ts:ENTER",
        "modules/queue/queue-scripts.ts:ADMIT",
        "modules/queue/prequeue-scripts.ts:DRAW",
        "modules/queue/prequeue-scripts.ts:RESTORE_PREQUEUED",
      ]),
    );
  });

  it.each(scripts.map((s) => [s.name, s.lua] as const))("%s uses only KEYS as keys", (_name, lua) => {
    expect(keyViolations(lua)).toEqual([]);
  });

  it("catches a key built inside a script, through a helper function too", () => {
    expect(keyViolations("redis.call('HSET', ARGV[1] .. u, 'status', 'EXPIRED')")).toHaveLength(1);
    expect(
      keyViolations("local function f(k) redis.call('GET', k) end f(KEYS[1]) f(prefix .. u)"),
    ).toHaveLength(1);
    expect(keyViolations("local function f(k) redis.call('GET', k) end f(KEYS[1])")).toEqual([]);
    expect(keyViolations("redis.call('DEL', KEYS[1], KEYS[2] .. 'x')")).toHaveLength(1);
    expect(keyViolations("redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[2], KEYS[3])")).toHaveLength(1);
    expect(keyViolations("redis.call('RENAME', KEYS[1], KEYS[2])")).toEqual([]);
    expect(keyViolations("redis.call('RENAME', KEYS[1], ARGV[1])")).toHaveLength(1);
    expect(keyViolations("for i = 1, #KEYS - 5 do redis.call('HMGET', KEYS[5 + i], 'ticketId') end")).toEqual(
      [],
    );
    expect(keyViolations("redis.call('GET', 'x' .. KEYS[1])")).toHaveLength(1);
    expect(keyViolations("redis.call('GET', KEYS[1] .. ARGV[1])")).toHaveLength(1);
  });
});
