import type { Request, Response } from "express";

export type ReadinessCheck = () => Promise<void>;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** `/readyz`: 200 when every dependency answers within a second, 503 naming the ones that do not. */
export function readinessHandler(checks: Record<string, ReadinessCheck>) {
  return async (_req: Request, res: Response) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 1000);
          return [name, "ok"] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    const ok = results.every(([, r]) => r === "ok");
    res.status(ok ? 200 : 503).json({
      status: ok ? "ready" : "unavailable",
      checks: Object.fromEntries(results.map(([n, r]) => [n, r === "ok" ? "ok" : "down"])),
    });
  };
}
