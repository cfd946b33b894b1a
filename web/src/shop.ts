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
  type Seat,
  type SeatChange,
  type SeatStatus,
  type Wallet,
} from "./api.js";
import { formatWon, h } from "./dom.js";
import { ApiError } from "./errors.js";
import type { Live } from "./live.js";
import { everySecond, formatDuration, msUntil } from "./time.js";

export interface ShopContext {
  concert: Concert;
  token: string;
  live: Live;
  notify(message: unknown): void;
  onPaid(payment: Payment): void;
  onExpired(): void;
}

const STATUS_TEXT: Record<SeatStatus | "MINE", string> = {
  FREE: "free",
  HELD: "held",
  SOLD: "sold",
  MINE: "held by you",
};

export class Shop {
  readonly el: HTMLElement;
  private activeUntil: string | null = null;
  private dates: ConcertDate[] = [];
  private dateId: string | undefined;
  private seats = new Map<number, Seat>();
  private hold: Reservation | undefined;
  private payKeys = new Map<string, string>(); // one key per reservation: a retried click never pays twice
  private stopSeatUpdates: (() => void) | undefined;
  private stopTimers: () => void;

  /** True while a payment is in flight: its own EXPIRED push must not look like a timeout. */
  paying = false;
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
  private readonly mapEl = h("div", {
    class: "seat-map",
    id: "seat-map",
    role: "group",
    "aria-label": "Seats",
  });
  private readonly holdEl = h("section", {
    class: "card hold",
    id: "hold",
    "aria-live": "polite",
    hidden: true,
  });

  constructor(private readonly ctx: ShopContext) {
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
      h("section", { class: "card" }, h("h3", {}, "2. Pick a seat"), legend(), this.mapEl),
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

  async start(): Promise<void> {
    await Promise.all([this.loadBalance(), this.loadDates()]);
    const mine = await gql<{ myReservations: Reservation[] }>(Q.myReservations, {}, this.ctx.token);
    const known = new Set(this.dates.map((d) => d.id));
    const held = mine.myReservations.find((r) => r.status === "HELD" && known.has(r.concertDateId));
    if (held) this.hold = held;
    const first = held?.concertDateId ?? this.dates[0]?.id;
    if (first) await this.selectDate(first);
    this.renderHold();
  }

  setActiveUntil(iso: string | null): void {
    this.activeUntil = iso;
    this.tick();
  }

  destroy(): void {
    this.stopTimers();
    this.stopSeatUpdates?.();
  }

  private tick(): void {
    this.activeLeft.textContent = this.activeUntil ? formatDuration(msUntil(this.activeUntil)) : "–";
    const left = this.holdEl.querySelector<HTMLElement>("#hold-countdown");
    if (this.hold && left) {
      const ms = msUntil(this.hold.expiresAt);
      left.textContent = formatDuration(ms);
      if (ms === 0) {
        this.ctx.notify("Your hold ran out and the seat was released. Pick a seat again.");
        this.hold = undefined;
        this.renderHold();
        if (this.dateId) void this.selectDate(this.dateId);
      }
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

  /** Subscribes first and buffers: a change that lands while the snapshot loads is replayed on it. */
  private async selectDate(dateId: string): Promise<void> {
    this.stopSeatUpdates?.();
    this.dateId = dateId;
    for (const b of this.datesEl.querySelectorAll<HTMLElement>("button.date"))
      b.setAttribute("aria-pressed", String(b.dataset["dateId"] === dateId));
    let buffer: SeatChange[] | undefined = [];
    this.stopSeatUpdates = this.ctx.live.subscribe<SeatChange>(
      Q.seatUpdates,
      { concertDateId: dateId },
      {
        next: (change) => (buffer ? buffer.push(change) : this.applyChange(change)),
        error: (error) => {
          // After payment the pass is spent and the server ends the stream: nothing to tell.
          if (error.code !== "QUEUE_TOKEN_EXPIRED") this.ctx.notify(error);
        },
        complete: () => undefined,
      },
    );
    const { seatMap } = await gql<{ seatMap: Seat[] }>(Q.seatMap, { concertDateId: dateId }, this.ctx.token);
    if (this.dateId !== dateId) return;
    this.seats = new Map(seatMap.map((s) => [s.number, s]));
    const pending = buffer;
    buffer = undefined;
    for (const change of pending) this.applyChange(change);
    this.renderMap();
  }

  private applyChange(change: SeatChange): void {
    const seat = this.seats.get(change.number);
    if (change.concertDateId !== this.dateId || !seat) return;
    seat.status = change.status;
    this.renderSeat(seat);
  }

  private renderMap(): void {
    this.mapEl.replaceChildren(
      ...[...this.seats.values()]
        .sort((a, b) => a.number - b.number)
        .map((seat) => {
          const button = h("button", { type: "button", class: "seat", "data-seat": seat.number });
          button.addEventListener("click", () => void this.guard(this.reserve(seat.number)));
          return button;
        }),
    );
    for (const seat of this.seats.values()) this.renderSeat(seat);
  }

  private renderSeat(seat: Seat): void {
    const button = this.mapEl.querySelector<HTMLButtonElement>(`button[data-seat="${seat.number}"]`);
    if (!button) return;
    const mine = this.hold?.concertDateId === this.dateId && this.hold?.seatNumber === seat.number;
    const status = mine ? "MINE" : seat.status;
    button.textContent = String(seat.number);
    button.dataset["status"] = status;
    button.disabled = status !== "FREE";
    button.setAttribute(
      "aria-label",
      `Seat ${seat.number}, ${formatWon(seat.price)}, ${STATUS_TEXT[status]}`,
    );
    button.title = `${formatWon(seat.price)} · ${STATUS_TEXT[status]}`;
  }

  private async reserve(seatNumber: number): Promise<void> {
    if (!this.dateId) return;
    const { reserveSeat } = await gql<{ reserveSeat: Reservation }>(
      Q.reserveSeat,
      { concertDateId: this.dateId, seatNumber },
      this.ctx.token,
    );
    const previous = this.hold;
    this.hold = reserveSeat;
    const seat = this.seats.get(seatNumber);
    if (seat) seat.status = "HELD";
    if (previous && this.seats.has(previous.seatNumber))
      this.renderSeat(this.seats.get(previous.seatNumber)!);
    if (seat) this.renderSeat(seat);
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
    if (!this.hold) return;
    await gql(Q.cancelReservation, { reservationId: this.hold.id }, this.ctx.token);
    const seat = this.seats.get(this.hold.seatNumber);
    this.hold = undefined;
    if (seat) {
      seat.status = "FREE";
      this.renderSeat(seat);
    }
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
      if (code === "QUEUE_TOKEN_EXPIRED") this.ctx.onExpired();
      if (code === "INSUFFICIENT_BALANCE" && error instanceof ApiError) {
        const { price, balance } = error.extensions;
        if (typeof price === "number" && typeof balance === "number")
          this.amount.value = String(price - balance);
        this.amount.focus();
      }
      if (code === "RESERVATION_EXPIRED") {
        this.hold = undefined;
        this.renderHold();
      }
      if (["SEAT_UNAVAILABLE", "RESERVATION_EXPIRED"].includes(code) && this.dateId) {
        await this.selectDate(this.dateId).catch((e: unknown) => this.ctx.notify(e));
      }
    }
  }
}

function legend(): HTMLElement {
  return h(
    "ul",
    { class: "legend", "aria-label": "Seat colours" },
    ...(["FREE", "HELD", "SOLD", "MINE"] as const).map((s) =>
      h("li", {}, h("span", { class: "swatch", "data-status": s, "aria-hidden": "true" }), STATUS_TEXT[s]),
    ),
  );
}
