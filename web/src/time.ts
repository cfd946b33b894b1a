// Countdowns run on the server's clock: the offset from `serverTime` corrects a browser clock
// that is minutes off, which would otherwise show a hold as longer (or shorter) than it is.
import { gql, Q } from "./api.js";

let offsetMs = 0;

export async function syncServerClock(): Promise<void> {
  const sent = Date.now();
  const { serverTime } = await gql<{ serverTime: string }>(Q.serverTime);
  const received = Date.now();
  offsetMs = Date.parse(serverTime) - (sent + received) / 2;
}

export const serverNow = (): number => Date.now() + offsetMs;

/** Milliseconds left until an ISO instant, by the server's clock; never negative. */
export const msUntil = (iso: string): number => Math.max(0, Date.parse(iso) - serverNow());

export function formatDuration(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** "mm:ss" (minutes keep counting past 59): the pre-queue's countdown to the opening. */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(ms / 1000);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

export function formatWait(seconds: number | null): string {
  if (seconds === null) return "a moment";
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`;
  return `about ${Math.round(seconds / 60)} min`;
}

/** Calls `tick` every second until the returned function is called (and once at once). */
export function everySecond(tick: () => void): () => void {
  tick();
  const timer = setInterval(tick, 1000);
  return () => clearInterval(timer);
}
