const tones: Record<string, string> = {
  enabled: "good",
  success: "good",
  disabled: "neutral",
  pending: "neutral",
  scheduled: "neutral",
  inProgress: "busy",
  failed: "bad",
};

const labels: Record<string, string> = { inProgress: "in progress" };

/** A run or flow state as a coloured label (the colour is never the only cue: the word is there). */
export function StateBadge(props: { state: string }) {
  return <span className={`badge ${tones[props.state] ?? "neutral"}`}>{labels[props.state] ?? props.state}</span>;
}
