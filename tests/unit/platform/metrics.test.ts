import { describe, expect, it } from "vitest";
import { AppMetrics } from "../../../src/platform/metrics/metrics.js";

describe("AppMetrics", () => {
  it("keeps each app's series in its own registry", async () => {
    const one = new AppMetrics();
    const two = new AppMetrics();
    one.paid(5000);
    expect((await one.render()).body).toMatch(/^payments_amount_krw_total 5000$/m);
    expect((await two.render()).body).toMatch(/^payments_amount_krw_total 0$/m);
  });

  it("reads queue sizes from the watched store at scrape time", async () => {
    const metrics = new AppMetrics();
    let waiting = 3;
    metrics.watchQueues({ concerts: async () => ["c1"], sizes: async () => ({ waiting, active: 2 }) });
    expect((await metrics.render()).body).toMatch(/^queue_waiting\{concert_id="c1"\} 3$/m);
    waiting = 7;
    const body = (await metrics.render()).body;
    expect(body).toMatch(/^queue_waiting\{concert_id="c1"\} 7$/m);
    expect(body).toMatch(/^queue_active\{concert_id="c1"\} 2$/m);
  });

  it("folds client-chosen operation names beyond the label budget into 'other'", async () => {
    const metrics = new AppMetrics();
    for (let i = 0; i < 250; i++) metrics.operation(`op${i}`, "query", "ok", 0.001);
    const body = (await metrics.render()).body;
    expect(body).toMatch(/operation="op199"/);
    expect(body).not.toMatch(/operation="op200"/);
    expect(body).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="other",type="query",outcome="ok"\} 50$/m,
    );
  });
});
