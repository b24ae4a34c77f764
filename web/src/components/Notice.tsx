import type { ReactNode } from "react";
import { ApiError, messageOf } from "../lib/api.ts";

/** A message block: `status` for progress and results, `alert` for failures. */
export function Notice(props: { kind: "info" | "success" | "warning" | "error"; children: ReactNode; title?: string }) {
  return (
    <div className={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.title ? <strong className="notice-title">{props.title}</strong> : null}
      <div>{props.children}</div>
    </div>
  );
}

/** An API failure with the server's problems listed. */
export function ErrorNotice(props: { error: unknown; title?: string }) {
  const problems = props.error instanceof ApiError ? props.error.problems : [];
  const code = props.error instanceof ApiError ? props.error.code : undefined;
  return (
    <Notice kind="error" title={props.title ?? "Something went wrong"}>
      <p>
        {messageOf(props.error)}
        {code ? <span className="muted"> ({code})</span> : null}
      </p>
      {problems.length > 0 ? (
        <ul className="problems">
          {problems.map((p) => (
            <li key={`${p.pointer}|${p.message}`}>
              <code>{p.pointer || "/"}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </Notice>
  );
}
