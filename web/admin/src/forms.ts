// The catalogue forms of the console: a new concert, a date with its price ranges, the opening.
import { h } from "../../src/dom.js";
import type { PriceRange } from "./api.js";

/** A labelled input: the label names the control for assistive technology and for tests. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", {}, hint) : null);
}

export function concertForm(onCreate: (input: Record<string, string>) => Promise<void>): HTMLFormElement {
  const title = h("input", { name: "title", required: true, maxlength: 200 });
  const artist = h("input", { name: "artist", required: true, maxlength: 200 });
  const venue = h("input", { name: "venue", required: true, maxlength: 200 });
  const opens = h("input", { name: "saleOpensAt", type: "datetime-local" });
  const form = h(
    "form",
    { class: "stack", "aria-label": "New concert" },
    h("h3", {}, "New concert"),
    field("Title", title),
    field("Artist", artist),
    field("Venue", venue),
    field("Sale opens at", opens, "Empty: on sale at once."),
    h("button", { type: "submit", class: "primary" }, "Create concert"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input: Record<string, string> = { title: title.value, artist: artist.value, venue: venue.value };
    if (opens.value) input["saleOpensAt"] = new Date(opens.value).toISOString();
    void onCreate(input).then(() => form.reset());
  });
  return form;
}

/** A date and its price ranges (rows of from-seat, to-seat, price that cover 1..50). */
export function dateForm(onAdd: (date: string, prices: PriceRange[]) => Promise<void>): HTMLFormElement {
  const date = h("input", { name: "date", type: "date", required: true });
  const rows = h("tbody", {});
  const addRow = (from: number, to: number, price: number) => {
    const n = rows.children.length + 1;
    const input = (value: number, label: string, min: number, max: number) =>
      h("input", { type: "number", value, min, max, required: true, "aria-label": `${label} (range ${n})` });
    const tr = h(
      "tr",
      {},
      h("td", {}, input(from, "From seat", 1, 50)),
      h("td", {}, input(to, "To seat", 1, 50)),
      h("td", {}, input(price, "Price in KRW", 1, 1_000_000)),
      h(
        "td",
        {},
        h("button", { type: "button", class: "link", onclick: () => tr.remove() }, `Remove range ${n}`),
      ),
    );
    rows.append(tr);
  };
  addRow(1, 10, 165_000);
  addRow(11, 50, 99_000);
  const form = h(
    "form",
    { class: "stack", "aria-label": "Add a date" },
    h("h3", {}, "Add a date"),
    field("Date", date),
    h(
      "table",
      { class: "ranges" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "From seat"),
          h("th", {}, "To seat"),
          h("th", {}, "Price (KRW)"),
          h("th", {}),
        ),
      ),
      rows,
    ),
    h(
      "div",
      { class: "row" },
      h(
        "button",
        { type: "button", class: "secondary", onclick: () => addRow(1, 50, 50_000) },
        "Add price range",
      ),
      h("button", { type: "submit", class: "primary" }, "Add date"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const prices = [...rows.querySelectorAll("tr")].map((tr) => {
      const [from, to, price] = [...tr.querySelectorAll("input")].map((i) => Number(i.value));
      return { fromSeat: from!, toSeat: to!, price: price! };
    });
    void onAdd(date.value, prices);
  });
  return form;
}

export function scheduleForm(onSchedule: (opensAt: string) => Promise<void>): HTMLFormElement {
  const opens = h("input", { name: "opensAt", type: "datetime-local", required: true });
  const form = h(
    "form",
    { class: "stack", "aria-label": "Schedule the opening" },
    h("h3", {}, "Schedule the opening"),
    field("Opens at", opens, "Fans who arrive before are drawn into a random order at this time."),
    h("button", { type: "submit", class: "primary" }, "Schedule opening"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void onSchedule(new Date(opens.value).toISOString());
  });
  return form;
}
