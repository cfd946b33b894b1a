// The waiting room: account → concert → queue (live position) → seats, hold, balance, payment.
import "./style.css";
import { gql, Q, type Concert, type Payment, type QueueTicket } from "./api.js";
import { byId, h } from "./dom.js";
import { errorCode, humanMessage } from "./errors.js";
import type { ConnectionState } from "./live.js";
import { watchQueue, type QueueWatch } from "./queue.js";
import {
  concertsScreen,
  expiredScreen,
  paidScreen,
  paymentItems,
  prequeuedScreen,
  signInScreen,
  updatePrequeued,
  updateWaiting,
  waitingScreen,
  updateWaitingState,
} from "./screens.js";
import { Shop } from "./shop.js";
import { storage } from "./storage.js";
import { everySecond, formatCountdown, formatWait, msUntil, syncServerClock } from "./time.js";

const app = byId("app");
const notice = byId("notice");
const badge = byId("connection");

/** The concert the user is in line for (at most one at a time) and what is on screen for it. */
interface Visit {
  concert: Concert;
  token: string;
  watch: QueueWatch;
  waiting?: HTMLElement;
  /** The pre-queue screen and its countdown, until the draw. */
  prequeued?: { view: HTMLElement; stop: () => void };
  shop?: Shop;
  paid: boolean;
}
let visit: Visit | undefined;

/** One message banner: a string as is, an error as its human sentence; undefined hides it. */
function notify(message: unknown): void {
  if (message === undefined) {
    notice.hidden = true;
    return;
  }
  if (typeof message !== "string" && errorCode(message) === "INTERNAL_SERVER_ERROR") console.error(message);
  notice.dataset["code"] = typeof message === "string" ? "INFO" : errorCode(message);
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
  visit?.prequeued?.stop();
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
  show(
    ...signInScreen({
      signUp: (name) =>
        void gql<{ signUp: { userId: string; accessKey: string } }>(Q.signUp, { name }).then((r) => {
          storage.setAccount(r.signUp);
          notify(
            `Welcome! Your user id is ${r.signUp.userId} and your access key is ${r.signUp.accessKey}. ` +
              "This browser remembers both; note them down to sign in on another device.",
          );
          renderAccount();
          return showConcerts();
        }, notify),
      // Nothing to check yet: issueQueueToken verifies the key (UNAUTHENTICATED signs out again).
      signIn: (userId, accessKey) => {
        storage.setAccount({ userId, accessKey });
        renderAccount();
        void showConcerts().catch(notify);
      },
    }),
  );
}

async function showConcerts(): Promise<void> {
  endVisit();
  storage.setConcertId(undefined);
  const { concerts } = await gql<{ concerts: Concert[] }>(Q.concerts);
  show(
    ...concertsScreen(
      concerts,
      (id) => storage.ticket(id) !== undefined,
      (c) => void enterQueue(c),
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
          if (["UNAUTHENTICATED", "QUEUE_TOKEN_EXPIRED"].includes(errorCode(error))) return undefined;
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
  const watch = watchQueue(first.token, {
    onTicket,
    onState: showConnection,
    onFail: (error) => {
      notify(error);
      storage.setTicket(concert.id, undefined);
      void showConcerts().catch(notify);
    },
  });
  visit = { concert, token: first.token, watch, paid: false };
  onTicket(first);
}

function onTicket(ticket: QueueTicket): void {
  const v = visit;
  if (!v || ticket.token !== v.token || v.paid) return;
  if (ticket.status === "PREQUEUED") return showPrequeued(v, ticket);
  v.prequeued?.stop();
  v.prequeued = undefined;
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

function showPrequeued(v: Visit, ticket: QueueTicket): void {
  if (v.prequeued) return;
  const view = prequeuedScreen(v.concert, () => void leave(v));
  show(view);
  const opensAt = ticket.saleOpensAt ?? new Date().toISOString();
  const stop = everySecond(() => {
    const ms = msUntil(opensAt);
    updatePrequeued(view, ms, formatCountdown(ms));
  });
  v.prequeued = { view, stop };
}

function showWaiting(v: Visit, ticket: QueueTicket): void {
  const position = ticket.position ?? 1;
  const saved = storage.ticket(v.concert.id);
  const firstPosition = Math.max(saved?.firstPosition ?? position, position);
  if (saved && saved.firstPosition !== firstPosition)
    storage.setTicket(v.concert.id, { ...saved, firstPosition });
  if (!v.waiting) {
    v.waiting = waitingScreen(v.concert, () => void leave(v));
    show(v.waiting);
  }
  updateWaiting(v.waiting, position, firstPosition, formatWait(ticket.estimatedWaitSeconds));
  updateWaitingState(v.waiting, ticket);
}

async function leave(v: Visit): Promise<void> {
  try {
    await gql(Q.leaveQueue, {}, v.token);
  } catch (error) {
    notify(error);
  }
  storage.setTicket(v.concert.id, undefined);
  await showConcerts().catch(notify);
}

function showExpired(v: Visit): void {
  if (v.paid) return;
  storage.setTicket(v.concert.id, undefined);
  endVisit();
  show(
    expiredScreen(
      () => void enterQueue(v.concert),
      () => void showConcerts().catch(notify),
    ),
  );
}

async function showPaid(v: Visit, payment: Payment): Promise<void> {
  v.paid = true;
  storage.setTicket(v.concert.id, undefined);
  endVisit();
  const screen = paidScreen(v.concert, payment, () => void showConcerts().catch(notify));
  show(screen);
  try {
    // The spent token still reads the history (docs/api.md: what an EXPIRED token may do).
    const { myPayments } = await gql<{ myPayments: Payment[] }>(Q.myPayments, {}, v.token);
    screen.querySelector("#payments")!.replaceChildren(...paymentItems(myPayments));
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
  // Coming back (reload, new tab) to a concert with a live ticket resumes the same place.
  const resume =
    concertId && app.querySelector<HTMLButtonElement>(`button[data-concert-id="${CSS.escape(concertId)}"]`);
  if (resume && storage.ticket(concertId)) resume.click();
}

boot().catch(notify);
