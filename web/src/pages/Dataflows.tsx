/** Dataflows: every flow of the sandbox with its state, last run and next run; refreshed every 10 s. */
import { Link, useApp, useInterval, useLoad } from "../app-context.tsx";
import { ErrorNotice } from "../components/Notice.tsx";
import { Page } from "../components/Page.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { fs } from "../lib/api.ts";
import { cardsById, flowSourceSpecId } from "../lib/catalog.ts";
import { hrefs } from "../lib/routes.ts";
import { describeSchedule, formatTime } from "../lib/schedule.ts";

type Json = Record<string, unknown>;

export function Dataflows() {
  const { api, scope } = useApp();
  const flows = useLoad(() => api.list<Json>(fs("/flows?orderby=-createdAt&limit=100")), [scope]);
  const specs = useLoad(() => api.list<Json>(fs("/connectionSpecs?limit=100")), [scope]);
  const cards = cardsById(specs.data ?? []);
  useInterval(flows.reload, 10_000);
  const items = flows.data ?? [];
  return (
    <Page
      title="Dataflows"
      lead="Each dataflow reads a source on its schedule and writes a dataset."
      actions={
        <button type="button" onClick={flows.reload} disabled={flows.loading}>
          Refresh
        </button>
      }
    >
      {flows.error ? <ErrorNotice error={flows.error} title="Could not load the dataflows" /> : null}
      {flows.loading && !flows.data ? <p className="muted">Loading…</p> : null}
      {!flows.loading && items.length === 0 && !flows.error ? (
        <p>
          No dataflows in this sandbox yet. <Link href={hrefs.catalog}>Set up a source</Link> to create one.
        </p>
      ) : null}
      {items.length > 0 ? (
        <div className="table-wrap card flush">
          <table className="flows">
            <caption className="visually-hidden">Dataflows</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source</th>
                <th scope="col">State</th>
                <th scope="col">Schedule</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((flow) => {
                const id = String(flow.id);
                const last = (flow.lastRunDetails ?? undefined) as Json | undefined;
                return (
                  <tr key={id}>
                    <td>
                      <Link href={hrefs.dataflow(id)}>{String(flow.name ?? id)}</Link>
                    </td>
                    <td>{cards.get(flowSourceSpecId(flow) ?? "")?.label ?? <span className="muted">—</span>}</td>
                    <td>
                      <StateBadge state={String(flow.state ?? "")} />
                    </td>
                    <td>{describeSchedule(flow.scheduleParams)}</td>
                    <td>
                      {last ? (
                        <>
                          <StateBadge state={String(last.state ?? "")} />{" "}
                          <span className="small">{formatTime(Number(last.completedAtUTC ?? last.startedAtUTC))}</span>
                        </>
                      ) : (
                        <span className="muted">No run yet</span>
                      )}
                    </td>
                    <td>
                      {typeof flow.nextRunAt === "number" ? (
                        formatTime(flow.nextRunAt)
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="small">{formatTime(Number(flow.createdAt))}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  );
}
