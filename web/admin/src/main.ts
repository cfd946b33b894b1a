// The operator console (GET /admin/): sign in with an operator key (kept in sessionStorage only),
// pick or create a concert, watch its sale live over graphql-ws and steer it.
import "../../src/style.css";
import "./console.css";
import type { Client } from "graphql-ws";
import { byId, h } from "../../src/dom.js";
import { toApiError } from "../../src/api.js";
import { ApiError } from "../../src/errors.js";
import { admin, adminLive, Q, type Concert, type OperatorAction, type SaleStats } from "./api.js";
import { concertForm, field } from "./forms.js";
import { SaleView } from "./sale-view.js";

const KEY = "saleConsole.operatorKey";
const app = byId("app");
const notice = byId("notice");
const connection = byId("connection");

let key = sessionStorage.getItem(KEY);
let live: Client | null = null;
let view: SaleView | null = null;
let stopStats: (() => void) | null = null;
let auditTimer: ReturnType<typeof setInterval> | null = null;
let concerts: Concert[] = [];
let selected: string | null = null;

function say(message: string | null, kind: "error" | "ok" = "error"): void {
  notice.hidden = message === null;
  notice.textContent = message ?? "";
  notice.dataset["kind"] = kind;
}

const explain = (error: unknown) =>
  error instanceof ApiError ? `${error.code}: ${error.serverMessage}` : String(error);

async function call<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  try {
    return await admin<T>(key!, query, variables);
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED")
      signOut("Your key was refused. Sign in again.");
    throw error;
  }
}

function signInScreen(message?: string): void {
  const input = h("input", { type: "password", name: "operatorKey", autocomplete: "off", required: true });
  const form = h(
    "form",
    { class: "card signin stack", "aria-label": "Sign in" },
    h("h2", {}, "Sign in"),
    h("p", { class: "muted" }, "Use an operator key from OPERATOR_KEYS. It stays in this tab only."),
    field("Operator key", input),
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    key = input.value.trim();
    void start();
  });
  app.replaceChildren(form);
  say(message ?? null);
  input.focus();
}

function signOut(message?: string): void {
  sessionStorage.removeItem(KEY);
  key = null;
  closeSale();
  void live?.dispose();
  live = null;
  byId("operator").replaceChildren();
  signInScreen(message);
}

async function start(): Promise<void> {
  try {
    concerts = (await admin<{ concerts: Concert[] }>(key!, Q.concerts)).concerts;
  } catch (error) {
    sessionStorage.removeItem(KEY);
    return signInScreen(
      error instanceof ApiError && error.code === "UNAUTHENTICATED"
        ? "That key was refused."
        : explain(error),
    );
  }
  sessionStorage.setItem(KEY, key!);
  live = adminLive(key!, (up) => {
    connection.dataset["state"] = up ? "live" : "reconnecting";
    connection.textContent = up ? "Live" : "Reconnecting…";
  });
  byId("operator").replaceChildren(
    h("button", { type: "button", class: "link", onclick: () => signOut() }, "Sign out"),
  );
  say(null);
  consoleScreen();
}

function consoleScreen(): void {
  const list = h("nav", { class: "concert-list", "aria-label": "Concerts" });
  const renderList = () =>
    list.replaceChildren(
      h("h3", {}, "Concerts"),
      ...concerts.map((c) =>
        h(
          "button",
          {
            type: "button",
            class: c.id === selected ? "concert current" : "concert",
            "aria-pressed": c.id === selected ? "true" : "false",
            onclick: () => {
              selected = c.id;
              renderList();
              openSale(c);
            },
          },
          h("strong", {}, c.title),
          h("small", {}, c.artist),
        ),
      ),
    );
  renderList();
  const create = concertForm(async (input) => {
    try {
      const made = (await call<{ createConcert: Concert }>(Q.createConcert, { input })).createConcert;
      concerts = [...concerts, made];
      selected = made.id;
      renderList();
      openSale(made);
      say(`Created ${made.title}. Add its dates below.`, "ok");
    } catch (error) {
      say(explain(error));
      throw error;
    }
  });
  const pane = h(
    "div",
    { id: "sale-pane", class: "sale-pane" },
    h("p", { class: "muted" }, "Pick a concert to watch its sale."),
  );
  app.replaceChildren(
    h("div", { class: "console" }, h("aside", {}, list, h("div", { class: "card" }, create)), pane),
  );
  const first = concerts[0];
  if (first) {
    selected = first.id;
    renderList();
    openSale(first);
  }
}

function closeSale(): void {
  stopStats?.();
  stopStats = null;
  if (auditTimer) clearInterval(auditTimer);
  auditTimer = null;
  view?.destroy();
  view = null;
}

function openSale(concert: Concert): void {
  closeSale();
  const concertId = concert.id;
  const act = async (what: string, query: string, vars: Record<string, unknown>) => {
    try {
      await call(query, { concertId, ...vars });
      say(what, "ok");
      await refreshAudit(concertId);
    } catch (error) {
      say(explain(error));
    }
  };
  const current = new SaleView(concert, {
    pause: () => act("Admission paused on every instance.", Q.pause, {}),
    resume: () => act("Admission resumed.", Q.resume, {}),
    policy: (maxActive, admitPerTick) => act("Policy applied.", Q.policy, { maxActive, admitPerTick }),
    addDate: (date, prices) =>
      act(`Date ${date} added with its 50 seats.`, Q.addConcertDate, { date, prices }),
    schedule: (opensAt) => act("Opening scheduled.", Q.scheduleSale, { opensAt }),
  });
  view = current;
  byId("sale-pane").replaceChildren(current.root);
  current.mounted();
  stopStats = live!.subscribe<{ saleStatsUpdates: SaleStats }>(
    { query: Q.saleStatsUpdates, variables: { concertId } },
    {
      next: (result) => {
        if (result.errors?.length) return say(explain(toApiError(result.errors as { message: string }[])));
        if (result.data && view === current) current.update(result.data.saleStatsUpdates);
      },
      error: (error) =>
        say(`Live figures stopped: ${error instanceof Error ? error.message : "connection closed"}`),
      complete: () => undefined,
    },
  );
  void refreshAudit(concertId).catch((error: unknown) => say(explain(error)));
  auditTimer = setInterval(
    () => void refreshAudit(concertId).catch((error: unknown) => say(explain(error))),
    5_000,
  );
}

async function refreshAudit(concertId: string): Promise<void> {
  const shown = view;
  const data = await call<{ operatorActions: OperatorAction[] }>(Q.actions, { concertId, limit: 20 });
  if (view === shown) shown?.showActions(data.operatorActions);
}

if (key) void start();
else signInScreen();
