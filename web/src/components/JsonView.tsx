/** Pretty JSON in a scrollable block that keyboard users can reach and scroll, named for screen readers. */
export function JsonView(props: { value: unknown; label: string; maxHeight?: "short" | "tall" }) {
  const text = typeof props.value === "string" ? props.value : JSON.stringify(props.value, null, 2);
  return (
    <figure className="json-view">
      <figcaption className="visually-hidden">{props.label}</figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
      <pre className={`json ${props.maxHeight ?? "short"}`} tabIndex={0}>
        {text}
      </pre>
    </figure>
  );
}
