import { Repeater } from "@repeaterjs/repeater";
import { PushChannel } from "../src/modules/queue/push-channel.ts";
const N = 20000;
const kind = process.argv[2];
const gc = (globalThis as any).gc as () => void;
const keep: unknown[] = new Array(N);
function make(i: number) {
  if (kind === "push") {
    const ch = new PushChannel<object>(() => undefined);
    void ch.next();
    keep[i] = ch;
  } else if (kind === "repeater") {
    let push: (v: object) => unknown = () => undefined;
    const r = new Repeater<object>((p, stop) => { push = p; void stop.then(() => undefined); });
    void r.next();
    keep[i] = [r, push];
  } else keep[i] = {};
}
make(0);
await new Promise((r) => setTimeout(r, 10));
gc(); gc();
const before = process.memoryUsage().heapUsed;
for (let i = 1; i < N; i++) make(i);
await new Promise((r) => setTimeout(r, 10));
gc(); gc();
const after = process.memoryUsage().heapUsed;
console.log(kind, before, after, ((after - before) / N).toFixed(0), "bytes each");
