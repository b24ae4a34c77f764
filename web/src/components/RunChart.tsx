/**
 * Records in and failed per run, as grouped bars drawn in SVG (no chart library). The counts are
 * written on the bars, and the same figures are in the runs table below the chart.
 */
import { useId } from "react";
import { chartModel, formatCount, type RunRow } from "../lib/runs.ts";

export function RunChart(props: { runs: readonly RunRow[] }) {
  const id = useId();
  const model = chartModel(props.runs, { width: 760, height: 250, limit: 20 });
  const total = props.runs.reduce((sum, run) => sum + run.input, 0);
  const failed = props.runs.reduce((sum, run) => sum + run.failed, 0);
  const summary = `${model.groups.length} run(s) shown: ${formatCount(total)} records in, ${formatCount(failed)} failed in all.`;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${model.width} ${model.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>Records in and failed per run</title>
        <desc id={`${id}-desc`}>
          {summary} {model.groups.map((g) => `Run ${g.label}: ${g.run.input} in, ${g.run.failed} failed.`).join(" ")}
        </desc>
        {model.ticks.map((tick) => (
          <g key={tick.value} className="tick">
            <line x1={model.plot.left} x2={model.plot.left + model.plot.width} y1={tick.y} y2={tick.y} />
            <text x={model.plot.left - 8} y={tick.y + 4} textAnchor="end">
              {formatCount(tick.value)}
            </text>
          </g>
        ))}
        {model.bars.map((bar) => (
          <g
            key={`${bar.runId}-${bar.series}`}
            className={`bar ${bar.series}`}
            data-run={bar.runId}
            data-series={bar.series}
          >
            <rect
              x={bar.x}
              y={bar.y}
              width={Math.max(bar.width, 1)}
              height={Math.max(bar.height, bar.value > 0 ? 1 : 0)}
              rx={2}
            />
            <text x={bar.x + bar.width / 2} y={bar.y - 4} textAnchor="middle" className="value">
              {formatCount(bar.value)}
            </text>
          </g>
        ))}
        {model.groups.map((group) => (
          <text
            key={group.run.id}
            x={group.x + group.width / 2}
            y={model.plot.top + model.plot.height + 18}
            textAnchor="middle"
            className="group-label"
          >
            {group.label}
          </text>
        ))}
        <line
          className="axis"
          x1={model.plot.left}
          x2={model.plot.left + model.plot.width}
          y1={model.plot.top + model.plot.height}
          y2={model.plot.top + model.plot.height}
        />
        {model.groups.length === 0 ? (
          <text x={model.width / 2} y={model.height / 2} textAnchor="middle" className="empty">
            No runs yet
          </text>
        ) : null}
      </svg>
      <figcaption>
        <span className="legend in">Records in</span>
        <span className="legend failed">Failed</span>
        <span className="muted">{summary}</span>
      </figcaption>
    </figure>
  );
}
