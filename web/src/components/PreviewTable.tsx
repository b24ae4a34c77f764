/** Preview records: a table of the inferred columns, and each record's JSON on demand. */
import { Fragment, useState } from "react";
import { cellText, leaves, valueAt } from "../lib/fields.ts";
import { JsonView } from "./JsonView.tsx";

type Json = Record<string, unknown>;

export function PreviewTable(props: { schema: Json; records: readonly Json[]; caption: string }) {
  const columns = leaves(props.schema);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [limit, setLimit] = useState(25);
  const shown = props.records.slice(0, limit);
  const toggle = (index: number) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (next.has(index)) next.delete(index);
      else next.add(index);
      return next;
    });
  return (
    <div className="table-wrap preview">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            {columns.map((column) => (
              <th scope="col" key={column.label} title={column.label}>
                <span className="column-name">{column.label}</span>
                <span className="column-type">{column.format ?? column.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((record, index) => {
            const detailId = `record-json-${index}`;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: preview records have no identity but their position
              <Fragment key={index}>
                <tr>
                  <td className="row-head">
                    <span className="row-number">{index + 1}</span>{" "}
                    <button
                      type="button"
                      className="small"
                      aria-expanded={open.has(index)}
                      aria-controls={detailId}
                      onClick={() => toggle(index)}
                    >
                      JSON<span className="visually-hidden"> of record {index + 1}</span>
                    </button>
                  </td>
                  {columns.map((column) => (
                    <td key={column.label}>{cellText(valueAt(record, column.segments))}</td>
                  ))}
                </tr>
                {open.has(index) ? (
                  <tr className="json-row" id={detailId}>
                    <td colSpan={columns.length + 1}>
                      <JsonView value={record} label={`Record ${index + 1} as JSON`} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {props.records.length > shown.length ? (
        <div className="actions">
          <button type="button" onClick={() => setLimit((n) => n + 25)}>
            Show more records ({shown.length} of {props.records.length} shown)
          </button>
        </div>
      ) : null}
    </div>
  );
}
