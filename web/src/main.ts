// The waiting room: account → concert → queue (live position) → seats, hold, balance, payment.
import "./style.css";
import { gql, Q, type Concert, type Payment, type QueueTicket } from "./api.js";
import { byId, formatWon, h } from "./dom.js";
import { ApiError, errorCode, humanMessage } from "./errors.js";
import type { ConnectionState } from "./live.js";
import { watchQueue, type QueueWatch } from "./queue.js";
import { Shop } from "./shop.js";
import { storage } from "./storage.js";
import { formatWait, syncServerClock } from "./time.js";

const app = byId("app");
const notice = byId("notice");
const badge = byId("connection");

/** What is on screen for the concert the user is in line for (at most one at a time). */
interface Visit {
  concert: Concert;
  token: string;
  watch: QueueWatch;
  shop?: Shop;
  paid: boolean;
}
let visit: Visit | undefined;

function notify(message: unknown): void {
  if (message === undefined) {
    notice.hidden = true;
    return;
  }
  if (message instanceof ApiError && message.code === "INTERNAL_SERVER_ERROR") console.error(message);
  notice.dataset["code"] =
    message instanceof ApiError ? message.code : typeof message === "string" ? "INFO" : errorCode(message);
  notice.replaceChildren(
    h("span", {}, typeof message === "string" ? message : humanMessage(message)),
    h(
      "button",
      { type: "button", class: "link", "aria-label": "Dismiss message", onclick: () => notify(undefined) },
      "×",
    ),
  );
  notice.hidden = false;
}

const BADGE: Record<ConnectionState, string> = {
  idle: "",
  connecting: "Connecting…",
  live: "● Live",
  reconnecting: "Reconnecting… (checking every few seconds)",
};
function showConnection(state: ConnectionState): void {
  badge.dataset["state"] = state;
  badge.textContent = BADGE[state];
}

/** Replaces the screen and moves focus to its heading, so keyboard and screen-reader users follow. */
function show(...children: HTMLElement[]): void {
  app.replaceChildren(...children);
  app.querySelector<HTMLElement>("h2")?.focus();
}

function endVisit(): void {
  visit?.watch.stop();
  visit?.shop?.destroy();
  visit = undefined;
  showConnection("idle");
}

function renderAccount(): void {
  const account = storage.account();
  byId("account").replaceChildren(
    ...(account
      ? [
          h("span", { id: "user-id", title: "Your user id" }, `User ${account.userId}`),
          h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
        ]
      : []),
  );
}

function signOut(): void {
  endVisit();
  storage.signOut();
  renderAccount();
  showSignIn();
}

function showSignIn(): void {
  const name = h("input", { id: "name", autocomplete: "nickname", maxlength: "50" });
  const userId = h("input", { id: "signin-user", autocomplete: "username", required: true });
  const accessKey = h("input", {
    id: "signin-key",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const signUp = async (e: Event) => {
    e.preventDefault();
    try {
      const { signUp } = await gql<{ signUp: { userId: string; accessKey: string } }>(Q.signUp, {
        name: name.value.trim() || null,
      });
      storage.setAccount(signUp);
      notify(
        `Welcome! Your user id is ${signUp.userId} and your access key is ${signUp.accessKey}. ` +
          "This browser remembers both; note them down to sign in on another device.",
      );
      renderAccount();
      await showConcerts();
    } catch (error) {
      notify(error);
    }
  };
  const signIn = async (e: Event) => {
    e.preventDefault();
    storage.setAccount({ userId: userId.value.trim(), accessKey: accessKey.value.trim() });
    renderAccount();
    await showConcerts();
  };
  show(
    h("h2", { tabindex: "-1" }, "Get in line for tickets"),
    h(
      "form",
      { class: "card", onsubmit: signUp },
      h("h3", {}, "New here?"),
      h("label", { for: "name" }, "Your name (optional)"),
      name,
      h("button", { type: "submit", id: "sign-up", class: "primary" }, "Sign up"),
    ),
    h(
      "form",
      { class: "card", onsubmit: signIn },
      h("h3", {}, "Have an account?"),
      h("label", { for: "signin-user" }, "User id"),
      userId,
      h("label", { for: "signin-key" }, "Access key"),
      accessKey,
      h("button", { type: "submit", id: "sign-in" }, "Sign in"),
    ),
  );
}

async function showConcerts(): Promise<void> {
  endVisit();
  storage.setConcertId(undefined);
  const { concerts } = await gql<{ concerts: Concert[] }>(Q.concerts);
  show(
    h("h2", { tabindex: "-1" }, "Pick a concert"),
    h(
      "ul",
      { class: "concerts" },
      ...concerts.map((c) =>
        h(
          "li",
          { class: "card" },
          h("h3", {}, c.title),
          h("p", {}, `${c.artist} · ${c.venue}`),
          h(
            "button",
            { type: "button", class: "primary", "data-concert-id": c.id, onclick: () => void enterQueue(c) },
            storage.ticket(c.id) ? "Back to your place in line" : "Enter the queue",
          ),
        ),
      ),
    ),
  );
}

/** Reuses the saved token while it is alive (same place in line); otherwise asks for a ticket. */
async function enterQueue(concert: Concert): Promise<void> {
  const account = storage.account();
  if (!account) return showSignIn();
  try {
    const saved = storage.ticket(concert.id);
    let ticket: QueueTicket | undefined;
    if (saved) {
      ticket = await gql<{ queueStatus: QueueTicket }>(Q.queueStatus, {}, saved.token).then(
        (r) => (r.queueStatus.status === "EXPIRED" ? undefined : r.queueStatus),
        (error: unknown) => {
          if (errorCode(error) === "UNAUTHENTICATED" || errorCode(error) === "QUEUE_TOKEN_EXPIRED")
            return undefined;
          throw error;
        },
      );
    }
    ticket ??= (
      await gql<{ issueQueueToken: QueueTicket }>(Q.issueQueueToken, { ...account, concertId: concert.id })
    ).issueQueueToken;
    storage.setTicket(concert.id, {
      token: ticket.token,
      firstPosition: saved?.token === ticket.token ? saved.firstPosition : ticket.position,
    });
    storage.setConcertId(concert.id);
    startVisit(concert, ticket);
  } catch (error) {
    notify(error);
    if (errorCode(error) === "UNAUTHENTICATED") signOut();
  }
}

function startVisit(concert: Concert, first: QueueTicket): void {
  endVisit();
  const token = first.token;
  const watch = watchQueue(token, {
    onTicket: (t) => onTicket(t),
    onState: showConnection,
    onFail: (error) => {
      notify(error);
      storage.setTicket(concert.id, undefined);
      void showConcerts();
    },
  });
  visit = { concert, token, watch, paid: false };
  onTicket(first);
}

function onTicket(ticket: QueueTicket): void {
  const v = visit;
  if (!v || ticket.token !== v.token || v.paid) return;
  if (ticket.status === "WAITING") return showWaiting(v, ticket);
  if (ticket.status === "EXPIRED") return v.shop?.paying ? undefined : showExpired(v);
  if (!v.shop) {
    notice.hidden = true;
    const shop = new Shop({
      concert: v.concert,
      token: v.token,
      live: v.watch.live,
      notify,
      onPaid: (payment) => void showPaid(v, payment),
      onExpired: () => showExpired(v),
    });
    v.shop = shop;
    show(shop.el);
    shop.start().catch((error: unknown) => {
      notify(error);
      if (errorCode(error) === "QUEUE_TOKEN_EXPIRED") showExpired(v);
    });
  }
  v.shop.setActiveUntil(ticket.activeUntil);
}

function showWaiting(v: Visit, ticket: QueueTicket): void {
  const position = ticket.position ?? 1;
  const saved = storage.ticket(v.concert.id);
  const firstPosition = Math.max(saved?.firstPosition ?? position, position);
  if (saved && saved.firstPosition !== firstPosition)
    storage.setTicket(v.concert.id, { ...saved, firstPosition });
  // Moved from firstPosition towards the counter; being admitted is 100 %.
  const progress = Math.round((100 * (firstPosition - position + 1)) / (firstPosition + 1));
  // Updated in place, so focus (e.g. on "Leave the queue") survives every push.
  if (!app.querySelector("#waiting")) {
    show(
      h(
        "section",
        { id: "waiting", class: "card waiting" },
        h("h2", { tabindex: "-1" }, "You are in line for ", v.concert.title),
        h("p", { class: "position-label" }, "Your place in line"),
        h("p", { id: "queue-position", class: "position", "aria-live": "polite" }),
        h("p", {}, "Estimated wait: ", h("strong", { id: "queue-wait" })),
        h(
          "div",
          {
            class: "progress",
            role: "progressbar",
            "aria-label": "Progress to the front",
            "aria-valuemin": "0",
            "aria-valuemax": "100",
          },
          h("div", { class: "progress-bar" }),
        ),
        h("p", { class: "hint" }, "Keep this page open: it moves on by itself. A reload keeps your place."),
        h("button", { type: "button", id: "leave", onclick: () => void leave(v) }, "Leave the queue"),
      ),
    );
  }
  byId("queue-position").textContent = String(position);
  byId("queue-wait").textContent = formatWait(ticket.estimatedWaitSeconds);
  app.querySelector(".progress")?.setAttribute("aria-valuenow", String(progress));
  app.querySelector<HTMLElement>(".progress-bar")?.style.setProperty("width", `${progress}%`);
}

async function leave(v: Visit): Promise<void> {
  try {
    await gql(Q.leaveQueue, {}, v.token);
  } catch (error) {
    notify(error);
  }
  storage.setTicket(v.concert.id, undefined);
  await showConcerts();
}

function showExpired(v: Visit): void {
  if (v.paid) return;
  storage.setTicket(v.concert.id, undefined);
  const concert = v.concert;
  endVisit();
  show(
    h(
      "section",
      { class: "card", id: "expired" },
      h("h2", { tabindex: "-1" }, "Your turn has ended"),
      h("p", {}, "Your active time ran out or you left. Any seat you held was released."),
      h(
        "button",
        { type: "button", class: "primary", onclick: () => void enterQueue(concert) },
        "Enter the queue again",
      ),
      h("button", { type: "button", onclick: () => void showConcerts() }, "Back to concerts"),
    ),
  );
}

async function showPaid(v: Visit, payment: Payment): Promise<void> {
  v.paid = true;
  storage.setTicket(v.concert.id, undefined);
  const token = v.token;
  endVisit();
  const list = h("ul", { id: "payments", class: "payments" }, h("li", {}, "Loading your payments…"));
  show(
    h(
      "section",
      { class: "card confirmation", id: "confirmation" },
      h("h2", { tabindex: "-1" }, "Booking confirmed"),
      h(
        "p",
        {},
        `Seat ${payment.reservation.seatNumber} for ${v.concert.title} is yours. Paid ${formatWon(payment.amount)}.`,
      ),
      h("p", { class: "hint" }, `Payment ${payment.id} · ${new Date(payment.paidAt).toLocaleString()}`),
      h("h3", {}, "Your payments"),
      list,
      h("button", { type: "button", onclick: () => void showConcerts() }, "Back to concerts"),
    ),
  );
  try {
    const { myPayments } = await gql<{ myPayments: Payment[] }>(Q.myPayments, {}, token);
    list.replaceChildren(
      ...myPayments.map((p) =>
        h(
          "li",
          {},
          `Seat ${p.reservation.seatNumber} · ${formatWon(p.amount)} · ${new Date(p.paidAt).toLocaleString()}`,
        ),
      ),
    );
  } catch (error) {
    notify(error);
  }
}

async function boot(): Promise<void> {
  renderAccount();
  await syncServerClock().catch((error: unknown) =>
    console.warn("server clock unavailable; using the local clock", error),
  );
  if (!storage.account()) return showSignIn();
  const concertId = storage.concertId();
  await showConcerts();
  const concert =
    concertId && app.querySelector<HTMLButtonElement>(`button[data-concert-id="${CSS.escape(concertId)}"]`);
  if (concert && storage.ticket(concertId)) concert.click();
}

boot().catch((error: unknown) => notify(error));
