import { type ReactNode, useEffect, useRef } from "react";

/** A page: its heading takes focus when it opens (screen readers announce the new page), and sets the title. */
export function Page(props: { title: string; children: ReactNode; actions?: ReactNode; lead?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Inlet`;
    heading.current?.focus({ preventScroll: true });
  }, [props.title]);
  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1 ref={heading} tabIndex={-1}>
            {props.title}
          </h1>
          {props.lead ? <p className="lead">{props.lead}</p> : null}
        </div>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </div>
      {props.children}
    </section>
  );
}
