// One subscriber's stream for the hubs that push to many (queueUpdates, saleStatsUpdates), on
// Repeater (@repeaterjs/repeater, what graphql-yoga's subscriptions use). The subscriber counts
// from the moment it is made: what is sent before the consumer's first read (a Repeater starts
// only then) waits for it.
import { Repeater } from "@repeaterjs/repeater";

export class LiveStream<T> {
  readonly iterator: AsyncIterableIterator<T>;
  /** Sent but not yet taken by the consumer (graphql-ws takes the next once the last is written). */
  unwritten = 0;
  private ended = false;
  private pending: T[] | null = [];
  private push: ((value: T) => Promise<unknown>) | null = null;
  private stop: (() => void) | null = null;
  private readonly written = () => {
    this.unwritten -= 1;
  };

  /** `onClose` runs once, when the consumer stopped reading (return()) or after end(). */
  constructor(onClose: () => void) {
    let closed = false;
    const close = () => {
      this.ended = true;
      this.push = null;
      if (closed) return;
      closed = true;
      onClose();
    };
    const repeater = new Repeater<T>(async (push, stop) => {
      this.push = push;
      this.stop = stop;
      const pending = this.pending ?? [];
      this.pending = null;
      for (const value of pending) void push(value).then(this.written, this.written);
      if (this.ended) stop();
      await stop;
      close();
    });
    // A Repeater never read never runs its executor, so its return() alone would not close.
    const finish = repeater.return.bind(repeater);
    repeater.return = (value?: unknown) => {
      close();
      return finish(value as T);
    };
    this.iterator = repeater;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  send(value: T): void {
    if (this.ended) return;
    this.unwritten += 1;
    if (this.push) void this.push(value).then(this.written, this.written);
    else this.pending?.push(value);
  }

  /** No more values: the consumer gets what was sent, then done. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stop?.();
  }
}
