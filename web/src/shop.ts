// The admitted part: the active-time countdown, the dates, the live seat map, the hold with its
// countdown, the balance and the payment.
import {
  gql,
  newIdempotencyKey,
  Q,
  type Concert,
  type ConcertDate,
  type Payment,
  type Reservation,
  type Wallet,
} from "./api.js";
import { formatWon, h } from "./dom.js";
import { ApiError } from "./errors.js";
import type { Live } from "./live.js";
import { SeatMap, seatLegend } from "./seat-map.js";
import { everySecond, formatDuration, msUntil } from "./time.js";

export interface ShopContext {
  concert: Concert;
  token: string;
  live: Live;
  notify(message: unknown): void;
  onPaid(payment: Payment): void;
  onExpired(): void;
}

export class Shop {
  readonly el: HTMLElement;
  /** True while a payment is in flight: its own EXPIRED push must not look like a timeout. */
  paying = false;
  private activeUntil: string | null = null;
  private dates: ConcertDate[] = [];
  private hold: Reservation | undefined;
  private readonly payKeys = new Map<string, string>(); // one key per reservation: a retried click never pays twice
  private readonly map: SeatMap;
  private readonly stopTimers: () => void;

  private readonly activeLeft = h("strong", { id: "active-countdown" }, "–");
  private readonly balanceEl = h("strong", { id: "balance" }, "–");
  private readonly amount = h("input", {
    id: "charge-amount",
    type: "number",
    inputmode: "numeric",
    min: "1000",
    step: "1000",
    value: "200000",
  });
  private readonly datesEl = h("div", { class: "dates", role: "group", "aria-label": "Dates" });
  private readonly holdEl = h("section", {
    class: "card hold",
    id: "hold",
    "aria-live": "polite",
    hidden: true,
  });

  constructor(private readonly ctx: ShopContext) {
    this.map = new SeatMap({
      token: ctx.token,
      live: ctx.live,
      mine: (dateId) => (this.hold?.concertDateId === dateId ? this.hold.seatNumber : undefined),
      onPick: (n) => void this.guard(this.reserve(n)),
      onCount: (dateId, free) => {
        const count = this.datesEl.querySelector(`button[data-date-id="${CSS.escape(dateId)}"] small`);
        if (count) count.textContent = `${free} seats left`;
      },
      onError: (error) => ctx.notify(error),
    });
    this.el = h(
      "div",
      { class: "shop" },
      h(
        "section",
        { class: "card active-banner" },
        h("h2", { tabindex: "-1" }, "It's your turn: ", ctx.concert.title),
        h("p", {}, "Time left to buy: ", this.activeLeft),
      ),
      h("section", { class: "card" }, h("h3", {}, "1. Pick a date"), this.datesEl),
      h("section", { class: "card" }, h("h3", {}, "2. Pick a seat"), seatLegend(), this.map.el),
      this.holdEl,
      h(
        "section",
        { class: "card wallet" },
        h("h3", {}, "Balance: ", this.balanceEl),
        h(
          "form",
          { class: "row", onsubmit: (e: Event) => (e.preventDefault(), void this.guard(this.charge())) },
          h("label", { for: "charge-amount" }, "Amount (KRW)"),
          this.amount,
          h("button", { type: "submit", id: "charge" }, "Charge balance"),
        ),
      ),
    );
    this.stopTimers = everySecond(() => this.tick());
  }

  /** Loads balance and dates; after a reload, finds the seat still held and shows its date. */
  async start(): Promise<void> {
    await Promise.all([this.loadBalance(), this.loadDates()]);
    const mine = await gql<{ myReservations: Reservation[] }>(Q.myReservations, {}, this.ctx.token);
    const known = new Set(this.dates.map((d) => d.id));
    this.hold = mine.myReservations.find((r) => r.status === "HELD" && known.has(r.concertDateId));
    const first = this.hold?.concertDateId ?? this.dates[0]?.id;
    if (first) await this.selectDate(first);
    this.renderHold();
  }

  setActiveUntil(iso: string | null): void {
    this.activeUntil = iso;
    this.tick();
  }

  destroy(): void {
    this.stopTimers();
    this.map.stop();
  }

  private tick(): void {
    this.activeLeft.textContent = this.activeUntil ? formatDuration(msUntil(this.activeUntil)) : "–";
    const left = this.holdEl.querySelector<HTMLElement>("#hold-countdown");
    if (!this.hold || !left) return;
    const ms = msUntil(this.hold.expiresAt);
    left.textContent = formatDuration(ms);
    if (ms === 0) {
      this.ctx.notify("Your hold ran out and the seat was released. Pick a seat again.");
      this.hold = undefined;
      this.renderHold();
      void this.map.refresh().catch((e: unknown) => this.ctx.notify(e));
    }
  }

  private async loadBalance(): Promise<void> {
    const { balance } = await gql<{ balance: Wallet }>(Q.balance, {}, this.ctx.token);
    this.balanceEl.textContent = formatWon(balance.balance);
  }

  private async loadDates(): Promise<void> {
    const { availableDates } = await gql<{ availableDates: ConcertDate[] }>(
      Q.availableDates,
      { concertId: this.ctx.concert.id },
      this.ctx.token,
    );
    this.dates = availableDates;
    this.datesEl.replaceChildren(
      ...(availableDates.length
        ? availableDates.map((d) =>
            h(
              "button",
              {
                type: "button",
                class: "date",
                "data-date-id": d.id,
                onclick: () => void this.guard(this.selectDate(d.id)),
              },
              h("span", {}, d.date),
              h("small", {}, `${d.availableSeatCount} seats left`),
            ),
          )
        : [h("p", {}, "No seats left on any date. Sorry!")]),
    );
  }

  private async selectDate(dateId: string): Promise<void> {
    for (const b of this.datesEl.querySelectorAll<HTMLElement>("button.date"))
      b.setAttribute("aria-pressed", String(b.dataset["dateId"] === dateId));
    await this.map.show(dateId);
  }

  private async reserve(seatNumber: number): Promise<void> {
    const dateId = this.datesEl.querySelector<HTMLElement>('button.date[aria-pressed="true"]')?.dataset[
      "dateId"
    ];
    if (!dateId) return;
    const { reserveSeat } = await gql<{ reserveSeat: Reservation }>(
      Q.reserveSeat,
      { concertDateId: dateId, seatNumber },
      this.ctx.token,
    );
    this.hold = reserveSeat;
    this.map.set(seatNumber, "HELD");
    this.renderHold();
    this.holdEl.querySelector<HTMLButtonElement>("#pay")?.focus();
  }

  private renderHold(): void {
    const hold = this.hold;
    this.holdEl.hidden = !hold;
    if (!hold) return this.holdEl.replaceChildren();
    const date = this.dates.find((d) => d.id === hold.concertDateId)?.date ?? "";
    this.holdEl.replaceChildren(
      h("h3", {}, "3. Pay for your seat"),
      h(
        "p",
        { id: "hold-summary" },
        `Seat ${hold.seatNumber}${date ? ` on ${date}` : ""} is held for you: `,
        h("strong", { id: "hold-countdown" }, formatDuration(msUntil(hold.expiresAt))),
        " left. Price ",
        h("strong", {}, formatWon(hold.price)),
        ".",
      ),
      h(
        "div",
        { class: "row" },
        h(
          "button",
          { type: "button", id: "pay", class: "primary", onclick: () => void this.guard(this.pay()) },
          "Pay ",
          formatWon(hold.price),
        ),
        h(
          "button",
          { type: "button", id: "cancel-hold", onclick: () => void this.guard(this.cancel()) },
          "Give the seat back",
        ),
      ),
    );
  }

  private async charge(): Promise<void> {
    const amount = Number(this.amount.value);
    // A fresh key per click: two clicks are two charges; a retried request inside one is not.
    const { chargeBalance } = await gql<{ chargeBalance: Wallet }>(
      Q.chargeBalance,
      { amount, idempotencyKey: newIdempotencyKey() },
      this.ctx.token,
    );
    this.balanceEl.textContent = formatWon(chargeBalance.balance);
  }

  private async pay(): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    const key = this.payKeys.get(hold.id) ?? newIdempotencyKey();
    this.payKeys.set(hold.id, key);
    this.paying = true;
    try {
      const { payReservation } = await gql<{ payReservation: Payment }>(
        Q.payReservation,
        { reservationId: hold.id, idempotencyKey: key },
        this.ctx.token,
      );
      this.ctx.onPaid(payReservation);
    } finally {
      this.paying = false;
    }
  }

  private async cancel(): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    await gql(Q.cancelReservation, { reservationId: hold.id }, this.ctx.token);
    this.hold = undefined;
    this.map.set(hold.seatNumber, "FREE");
    this.renderHold();
  }

  /** Shows any failure as its human message and reacts to the ones that change the screen. */
  private async guard(work: Promise<unknown>): Promise<void> {
    this.ctx.notify(undefined); // the last message is about the last action, not this one
    try {
      await work;
    } catch (error) {
      this.ctx.notify(error);
      const code = error instanceof ApiError ? error.code : "";
      if (code === "QUEUE_TOKEN_EXPIRED") return this.ctx.onExpired();
      if (error instanceof ApiError && code === "INSUFFICIENT_BALANCE") {
        const { price, balance } = error.extensions;
        if (typeof price === "number" && typeof balance === "number")
          this.amount.value = String(price - balance);
        this.amount.focus();
      }
      if (code === "RESERVATION_EXPIRED") {
        this.hold = undefined;
        this.renderHold();
      }
      if (code === "SEAT_UNAVAILABLE" || code === "RESERVATION_EXPIRED") {
        await this.map.refresh().catch((e: unknown) => this.ctx.notify(e));
      }
    }
  }
}
