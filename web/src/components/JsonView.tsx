/** Pretty JSON in a scrollable, focusable block (keyboard users can scroll it). */
export function JsonView(props: { value: unknown; label: string; maxHeight?: "short" | "tall" }) {
  const text = typeof props.value === "string" ? props.value : JSON.stringify(props.value, null, 2);
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <pre className={`json ${props.maxHeight ?? "short"}`} tabIndex={0} aria-label={props.label}>
      {text}
    </pre>
  );
}
