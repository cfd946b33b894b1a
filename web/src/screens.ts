// The screens outside the shop, as plain DOM: they take data and callbacks, main.ts decides when.
import type { Concert, Payment } from "./api.js";
import { formatWon, h } from "./dom.js";

export function signInScreen(actions: {
  signUp(name: string | null): void;
  signIn(userId: string, accessKey: string): void;
}): HTMLElement[] {
  const name = h("input", { id: "name", autocomplete: "nickname", maxlength: "50" });
  const userId = h("input", { id: "signin-user", autocomplete: "username", required: true });
  const key = h("input", {
    id: "signin-key",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = (run: () => void) => (e: Event) => {
    e.preventDefault();
    run();
  };
  return [
    h("h2", { tabindex: "-1" }, "Get in line for tickets"),
    h(
      "form",
      { class: "card", onsubmit: submit(() => actions.signUp(name.value.trim() || null)) },
      h("h3", {}, "New here?"),
      h("label", { for: "name" }, "Your name (optional)"),
      name,
      h("button", { type: "submit", id: "sign-up", class: "primary" }, "Sign up"),
    ),
    h(
      "form",
      { class: "card", onsubmit: submit(() => actions.signIn(userId.value.trim(), key.value.trim())) },
      h("h3", {}, "Have an account?"),
      h("label", { for: "signin-user" }, "User id"),
      userId,
      h("label", { for: "signin-key" }, "Access key"),
      key,
      h("button", { type: "submit", id: "sign-in" }, "Sign in"),
    ),
  ];
}

export function concertsScreen(
  concerts: Concert[],
  inLine: (concertId: string) => boolean,
  enter: (concert: Concert) => void,
): HTMLElement[] {
  return [
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
            { type: "button", class: "primary", "data-concert-id": c.id, onclick: () => enter(c) },
            inLine(c.id) ? "Back to your place in line" : "Enter the queue",
          ),
        ),
      ),
    ),
  ];
}

/** Built once per visit; `updateWaiting` changes it in place so focus survives every push. */
export function waitingScreen(concert: Concert, leave: () => void): HTMLElement {
  return h(
    "section",
    { id: "waiting", class: "card waiting" },
    h("h2", { tabindex: "-1" }, "You are in line for ", concert.title),
    h("p", { class: "position-label" }, "Your place in line"),
    h("p", { id: "queue-position", class: "position", "aria-live": "polite" }),
    h("p", {}, "Estimated wait: ", h("strong", { id: "queue-wait" })),
    h("p", { id: "queue-state", class: "queue-state", role: "status", hidden: true }),
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
    h("button", { type: "button", id: "leave", onclick: leave }, "Leave the queue"),
  );
}

/**
 * Before the sale opens: a countdown to the draw. Everyone in the pre-queue is drawn into the
 * line in a random, verifiable order at the opening, so arriving early gives no advantage.
 */
export function prequeuedScreen(concert: Concert, leave: () => void): HTMLElement {
  return h(
    "section",
    { id: "prequeued", class: "card waiting" },
    h("h2", { tabindex: "-1" }, "You are in the pre-queue for ", concert.title),
    h(
      "p",
      { id: "sale-countdown", class: "countdown", "aria-live": "off" },
      h("span", { class: "position-label" }, "Sale opens in "),
      h("span", { class: "position" }),
    ),
    h(
      "p",
      { class: "hint" },
      "When the sale opens, everyone in the pre-queue is put in line in a random order that anyone can check afterwards, so there is no need to hurry. Keep this page open: your place appears here by itself.",
    ),
    h("button", { type: "button", id: "leave", onclick: leave }, "Leave the pre-queue"),
  );
}

export function updatePrequeued(view: HTMLElement, msUntilOpen: number, countdown: string): void {
  const [label, time] = view.querySelectorAll<HTMLElement>("#sale-countdown span");
  label!.textContent = msUntilOpen > 0 ? "Sale opens in " : "The sale is opening: drawing the line… ";
  time!.textContent = msUntilOpen > 0 ? countdown : "";
}

export function updateWaiting(
  view: HTMLElement,
  position: number,
  firstPosition: number,
  wait: string,
): void {
  // From the first position seen towards the counter; being admitted is 100 %.
  const progress = Math.round((100 * (firstPosition - position + 1)) / (firstPosition + 1));
  view.querySelector("#queue-position")!.textContent = String(position);
  view.querySelector("#queue-wait")!.textContent = wait;
  view.querySelector(".progress")!.setAttribute("aria-valuenow", String(progress));
  view.querySelector<HTMLElement>(".progress-bar")!.style.width = `${progress}%`;
}

/** What the organiser's controls mean for this fan now: paused, sold out, or nothing to say. */
export function updateWaitingState(
  view: HTMLElement,
  state: { admissionPaused: boolean; soldOut: boolean },
): void {
  const el = view.querySelector<HTMLElement>("#queue-state")!;
  const text = state.soldOut
    ? "Sold out: every seat of every coming date is taken. You can leave the line."
    : state.admissionPaused
      ? "The organiser has paused admission for a moment. Your place is kept."
      : "";
  el.textContent = text;
  el.hidden = text === "";
  el.dataset["state"] = state.soldOut ? "sold-out" : state.admissionPaused ? "paused" : "";
}

export function expiredScreen(again: () => void, back: () => void): HTMLElement {
  return h(
    "section",
    { class: "card", id: "expired" },
    h("h2", { tabindex: "-1" }, "Your turn has ended"),
    h(
      "p",
      {},
      "Your active time ran out, you paid in another tab, or you left. A seat you held but did not pay was released.",
    ),
    h("button", { type: "button", class: "primary", onclick: again }, "Enter the queue again"),
    h("button", { type: "button", onclick: back }, "Back to concerts"),
  );
}

export function paidScreen(concert: Concert, payment: Payment, back: () => void): HTMLElement {
  return h(
    "section",
    { class: "card confirmation", id: "confirmation" },
    h("h2", { tabindex: "-1" }, "Booking confirmed"),
    h(
      "p",
      {},
      `Seat ${payment.reservation.seatNumber} for ${concert.title} is yours. Paid ${formatWon(payment.amount)}.`,
    ),
    h("p", { class: "hint" }, `Payment ${payment.id} · ${new Date(payment.paidAt).toLocaleString()}`),
    h("h3", {}, "Your payments"),
    h("ul", { id: "payments", class: "payments" }, h("li", {}, "Loading your payments…")),
    h("button", { type: "button", onclick: back }, "Back to concerts"),
  );
}

export function paymentItems(payments: Payment[]): HTMLElement[] {
  return payments.map((p) =>
    h(
      "li",
      {},
      `Seat ${p.reservation.seatNumber} · ${formatWon(p.amount)} · ${new Date(p.paidAt).toLocaleString()}`,
    ),
  );
}
