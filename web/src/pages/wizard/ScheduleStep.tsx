/** Step 4: the dataflow's name, schedule (frequency, interval, start, backfill) and error handling. */
import { useState } from "react";
import { Notice } from "../../components/Notice.tsx";
import {
  describeSchedule,
  frequencies,
  minimumInterval,
  scheduleParams,
  scheduleProblems,
} from "../../lib/schedule.ts";
import type { FlowSettings } from "./types.ts";

const frequencyLabels: Record<string, string> = {
  once: "Once",
  minute: "Every N minutes",
  hour: "Hourly",
  day: "Daily",
  week: "Weekly",
};

export function percentProblem(text: string): string | undefined {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  return Number.isFinite(value) && value > 0 && value <= 100 ? undefined : "Enter a percentage above 0, at most 100.";
}

export function ScheduleStep(props: {
  flow: FlowSettings;
  onFlow(flow: FlowSettings): void;
  onBack(): void;
  onNext(): void;
}) {
  const { flow } = props;
  const { schedule } = flow;
  const [checked, setChecked] = useState(false);
  const problems = scheduleProblems(schedule);
  const nameProblem = flow.name.trim() === "" ? "Give the dataflow a name." : undefined;
  const percent = percentProblem(flow.partialIngestionPercent);
  const problemOf = (field: string) => (checked ? problems.find((p) => p.field === field)?.message : undefined);
  const set = (change: Partial<FlowSettings>) => props.onFlow({ ...flow, ...change });
  const setSchedule = (change: Partial<FlowSettings["schedule"]>) => set({ schedule: { ...schedule, ...change } });

  return (
    <div className="step">
      <section className="card" aria-labelledby="flow-title">
        <h2 id="flow-title">Dataflow</h2>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="flow-name">Dataflow name</label>
            <input
              id="flow-name"
              value={flow.name}
              onChange={(e) => set({ name: e.target.value })}
              aria-invalid={checked && nameProblem ? true : undefined}
              aria-describedby={checked && nameProblem ? "flow-name-error" : undefined}
            />
            {checked && nameProblem ? (
              <p className="field-error" id="flow-name-error">
                {nameProblem}
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="flow-description">Description (optional)</label>
            <input
              id="flow-description"
              value={flow.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          </div>
        </div>
      </section>

      <section className="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">Schedule</h2>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="schedule-frequency">Frequency</label>
            <select
              id="schedule-frequency"
              value={schedule.frequency}
              onChange={(e) => {
                const frequency = e.target.value as FlowSettings["schedule"]["frequency"];
                const interval = Math.max(Number(schedule.interval) || 0, minimumInterval(frequency));
                setSchedule({ frequency, interval: String(interval) });
              }}
            >
              {frequencies.map((f) => (
                <option key={f} value={f}>
                  {frequencyLabels[f]}
                </option>
              ))}
            </select>
          </div>
          {schedule.frequency !== "once" ? (
            <div className="field">
              <label htmlFor="schedule-interval">
                Interval ({schedule.frequency}s, at least {minimumInterval(schedule.frequency)})
              </label>
              <input
                id="schedule-interval"
                type="number"
                inputMode="numeric"
                min={minimumInterval(schedule.frequency)}
                step={1}
                value={schedule.interval}
                onChange={(e) => setSchedule({ interval: e.target.value })}
                aria-invalid={problemOf("interval") ? true : undefined}
                aria-describedby={problemOf("interval") ? "schedule-interval-error" : undefined}
              />
              {problemOf("interval") ? (
                <p className="field-error" id="schedule-interval-error">
                  {problemOf("interval")}
                </p>
              ) : null}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="schedule-start">Start (your local time)</label>
            <input
              id="schedule-start"
              type="datetime-local"
              value={schedule.start}
              onChange={(e) => setSchedule({ start: e.target.value })}
              aria-invalid={problemOf("start") ? true : undefined}
              aria-describedby={problemOf("start") ? "schedule-start-error" : undefined}
            />
            {problemOf("start") ? (
              <p className="field-error" id="schedule-start-error">
                {problemOf("start")}
              </p>
            ) : null}
          </div>
          {schedule.frequency !== "once" ? (
            <div className="field checkbox">
              <input
                id="schedule-backfill"
                type="checkbox"
                checked={schedule.backfill}
                onChange={(e) => setSchedule({ backfill: e.target.checked })}
                aria-describedby="schedule-backfill-help"
              />
              <label htmlFor="schedule-backfill">Backfill</label>
              <p className="help" id="schedule-backfill-help">
                The first run reads everything up to the start; without backfill, only what changes after it.
              </p>
            </div>
          ) : (
            <p className="help">
              A dataflow scheduled once reads everything up to its start, then can be run again on demand.
            </p>
          )}
        </div>
        {problems.length === 0 ? <p className="muted">{describeSchedule(scheduleParams(schedule))}</p> : null}
      </section>

      <section className="card" aria-labelledby="errors-title">
        <h2 id="errors-title">Error handling</h2>
        <div className="grid-2">
          <div className="field checkbox">
            <input
              id="flow-diagnostics"
              type="checkbox"
              checked={flow.errorDiagnostics}
              onChange={(e) => set({ errorDiagnostics: e.target.checked })}
            />
            <label htmlFor="flow-diagnostics">Keep failed records for diagnosis</label>
          </div>
          <div className="field">
            <label htmlFor="flow-partial">Partial ingestion threshold (% failed records allowed, optional)</label>
            <input
              id="flow-partial"
              type="number"
              min={0}
              max={100}
              step="any"
              value={flow.partialIngestionPercent}
              onChange={(e) => set({ partialIngestionPercent: e.target.value })}
              aria-invalid={checked && percent ? true : undefined}
              aria-describedby="flow-partial-help"
            />
            <p className="help" id="flow-partial-help">
              {checked && percent ? percent : "Empty: any failed record fails the run."}
            </p>
          </div>
        </div>
      </section>

      {checked && (problems.length > 0 || nameProblem || percent) ? (
        <Notice kind="error">Fix the problems shown above to continue.</Notice>
      ) : null}
      <div className="actions wizard-nav">
        <button type="button" onClick={props.onBack}>
          Back
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setChecked(true);
            if (problems.length === 0 && !nameProblem && !percent) props.onNext();
          }}
        >
          Next: review
        </button>
      </div>
    </div>
  );
}
