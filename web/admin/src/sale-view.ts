// One sale on the console: its live figures, the controls, the chart, the catalogue forms and
// the audit log. Figures are updated in place from saleStatsUpdates pushes.
import { formatWon, h } from "../../src/dom.js";
import type { Concert, OperatorAction, PriceRange, SaleStats } from "./api.js";
import { createChart, type LiveChart } from "./chart.js";
import { dateForm, field, scheduleForm } from "./forms.js";
import { History } from "./history.js";

export interface SaleActions {
  pause(): Promise<void>;
  resume(): Promise<void>;
  policy(maxActive: number | null, admitPerTick: number | null): Promise<void>;
  addDate(date: string, prices: PriceRange[]): Promise<void>;
  schedule(opensAt: string): Promise<void>;
}

const FIGURES: [keyof SaleStats, string, (s: SaleStats) => string][] = [
  ["waiting", "Waiting", (s) => String(s.waiting)],
  ["active", "Active", (s) => `${s.active} / ${s.maxActive}`],
  ["prequeued", "Pre-queued", (s) => String(s.prequeued)],
  ["admittedLastMinute", "Admitted / min", (s) => String(s.admittedLastMinute)],
  ["abandonedLastMinute", "Abandoned / min", (s) => String(s.abandonedLastMinute)],
  ["paidLastMinute", "Paid / min", (s) => String(s.paidLastMinute)],
  ["seatsFree", "Seats free", (s) => String(s.seatsFree)],
  ["seatsHeld", "Seats held", (s) => String(s.seatsHeld)],
  ["seatsSold", "Seats sold", (s) => String(s.seatsSold)],
  ["revenue", "Revenue", (s) => formatWon(s.revenue)],
];

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export class SaleView {
  readonly root: HTMLElement;
  private readonly values = new Map<string, HTMLElement>();
  private readonly status = h("span", { class: "pill", role: "status" }, "Connecting…");
  private readonly updated = h("small", { class: "muted" }, "");
  private readonly pauseButton: HTMLButtonElement;
  private readonly resumeButton: HTMLButtonElement;
  private readonly maxActive = h("input", { type: "number", min: 0, max: 1_000_000, name: "maxActive" });
  private readonly admitPerTick = h("input", { type: "number", min: 1, max: 100_000, name: "admitPerTick" });
  private readonly audit = h("tbody", {});
  private readonly history = new History();
  private chart: LiveChart | null = null;
  private readonly chartBox = h("div", {
    class: "chart",
    role: "img",
    "aria-label": "Waiting, active and admitted per minute over the last 15 minutes",
  });
  private policyTouched = false;

  constructor(concert: Concert, actions: SaleActions) {
    this.pauseButton = h(
      "button",
      { type: "button", class: "danger", onclick: () => void actions.pause() },
      "Pause admission",
    );
    this.resumeButton = h(
      "button",
      { type: "button", class: "primary", onclick: () => void actions.resume() },
      "Resume admission",
    );
    for (const input of [this.maxActive, this.admitPerTick])
      input.addEventListener("input", () => (this.policyTouched = true));
    const policy = h(
      "form",
      { class: "row policy", "aria-label": "Admission policy" },
      field("Max active", this.maxActive),
      field("Admit per tick", this.admitPerTick),
      h("button", { type: "submit", class: "secondary" }, "Apply policy"),
    );
    policy.addEventListener("submit", (event) => {
      event.preventDefault();
      const num = (i: HTMLInputElement) => (i.value === "" ? null : Number(i.value));
      void actions
        .policy(num(this.maxActive), num(this.admitPerTick))
        .then(() => (this.policyTouched = false));
    });
    const grid = h("div", { class: "figures" });
    for (const [key, label] of FIGURES) {
      const value = h("strong", {}, "–");
      this.values.set(key, value);
      grid.append(h("div", { class: "figure", "data-figure": key }, h("span", {}, label), value));
    }
    const opens = concert.saleOpensAt ? `opens ${dateTime.format(new Date(concert.saleOpensAt))}` : "on sale";
    this.root = h(
      "section",
      { class: "sale", "aria-label": `Sale of ${concert.title}` },
      h(
        "div",
        { class: "sale-head" },
        h(
          "div",
          {},
          h("h2", { tabindex: -1 }, concert.title),
          h("p", { class: "muted" }, `${concert.artist} · ${concert.venue} · ${opens}`),
        ),
        h("div", { class: "head-status" }, this.status, this.updated),
      ),
      h("div", { class: "card" }, h("h3", {}, "Live figures"), grid),
      h(
        "div",
        { class: "card" },
        h("h3", {}, "Admission"),
        h("div", { class: "row" }, this.pauseButton, this.resumeButton),
        policy,
      ),
      h("div", { class: "card" }, h("h3", {}, "Last 15 minutes"), this.chartBox),
      h("div", { class: "card two" }, dateForm(actions.addDate), scheduleForm(actions.schedule)),
      h(
        "div",
        { class: "card" },
        h("h3", {}, "Audit log"),
        h(
          "table",
          { class: "audit" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Time"),
              h("th", {}, "Operator"),
              h("th", {}, "Action"),
              h("th", {}, "Details"),
            ),
          ),
          this.audit,
        ),
      ),
    );
  }

  /** After the view is in the document (uPlot measures its container). */
  mounted(): void {
    this.chart = createChart(this.chartBox);
  }

  update(stats: SaleStats): void {
    for (const [key, , format] of FIGURES) this.values.get(key)!.textContent = format(stats);
    const state = stats.soldOut ? "sold-out" : stats.paused ? "paused" : "running";
    this.status.textContent = {
      "sold-out": "Sold out",
      paused: "Admission paused",
      running: "Admission running",
    }[state];
    this.status.dataset["state"] = state;
    this.updated.textContent = `updated ${time.format(new Date(stats.at))}`;
    this.pauseButton.disabled = stats.paused;
    this.resumeButton.disabled = !stats.paused;
    if (!this.policyTouched) {
      this.maxActive.value = String(stats.maxActive);
      this.admitPerTick.value = String(stats.admitPerTick);
    }
    this.history.add(stats);
    this.chart?.update(this.history);
  }

  showActions(actions: OperatorAction[]): void {
    this.audit.replaceChildren(
      ...actions.map((a) =>
        h(
          "tr",
          {},
          h("td", {}, time.format(new Date(a.at))),
          h("td", {}, a.operator),
          h("td", {}, h("code", {}, a.action)),
          h("td", { class: "details" }, summary(a.details)),
        ),
      ),
    );
    if (actions.length === 0)
      this.audit.append(h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No operator action yet.")));
  }

  destroy(): void {
    this.chart?.destroy();
  }
}

/** The arguments of an audit entry, shortly ("maxActive 40, admitPerTick 5"). */
function summary(details: string): string {
  try {
    const parsed = JSON.parse(details) as { args?: Record<string, unknown> };
    const args = Object.entries(parsed.args ?? {}).filter(([k]) => k !== "concertId");
    return args.length
      ? args.map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(", ")
      : "—";
  } catch {
    return details;
  }
}
