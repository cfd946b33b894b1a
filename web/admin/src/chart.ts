// The live chart: waiting, active and admitted per minute over the last 15 minutes (uPlot,
// bundled from npm; nothing is loaded from a CDN).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { History } from "./history.js";

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

export interface LiveChart {
  update(history: History): void;
  destroy(): void;
}

export function createChart(container: HTMLElement): LiveChart {
  const width = () => Math.max(320, container.clientWidth - 8);
  const plot = new uPlot(
    {
      width: width(),
      height: 260,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max * 1.1))] } },
      series: [
        {},
        { label: "Waiting", stroke: "#2f6fde", width: 2, fill: "rgba(47,111,222,0.08)" },
        { label: "Active", stroke: "#1f9d6a", width: 2 },
        { label: "Admitted / min", stroke: "#d9822b", width: 2, dash: [6, 4] },
      ],
      axes: [
        {
          stroke: "#5b6472",
          grid: { stroke: "#eef0f4" },
          space: 80,
          values: (_u, splits) => splits.map((s) => clock.format(new Date(s * 1000))),
        },
        { stroke: "#5b6472", grid: { stroke: "#eef0f4" } },
      ],
      legend: { live: false },
    },
    [[], [], [], []],
    container,
  );
  const resize = () => plot.setSize({ width: width(), height: 260 });
  window.addEventListener("resize", resize);
  return {
    update(history) {
      plot.setData(history.columns());
    },
    destroy() {
      window.removeEventListener("resize", resize);
      plot.destroy();
    },
  };
}
