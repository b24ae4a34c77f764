/**
 * The states of flows and runs, and the transitions allowed between them. Every write of a state
 * goes through `assertRunTransition`/`flowAction`, so an impossible change is a bug caught at once.
 *
 * Runs:    pending ──claim──► inProgress ──► success | failed
 *             │                 │  ▲ └─ taken over (owner died) ──┘
 *             │                 └──┴─ released (process stopping) ──► pending
 *             └── cancelled (flow deleted before it started) ──► failed
 */
import { FlowError } from "../errors.ts";

export const runStates = ["pending", "inProgress", "success", "failed"] as const;
export type RunState = (typeof runStates)[number];

export const runTransitions: Readonly<Record<RunState, readonly RunState[]>> = {
  pending: ["inProgress", "failed"],
  inProgress: ["inProgress", "pending", "success", "failed"],
  success: [],
  failed: [],
};

export const terminalRunStates: readonly RunState[] = ["success", "failed"];

export function isRunState(value: unknown): value is RunState {
  return typeof value === "string" && (runStates as readonly string[]).includes(value);
}

export function isTerminal(state: RunState): boolean {
  return terminalRunStates.includes(state);
}

export function canTransition(from: RunState, to: RunState): boolean {
  return runTransitions[from].includes(to);
}

/** Throws (an internal error: the runner's own logic is wrong) when a run may not move from → to. */
export function assertRunTransition(from: RunState, to: RunState): void {
  if (!canTransition(from, to)) throw new Error(`A run cannot move from ${from} to ${to}`);
}

export const flowStates = ["enabled", "disabled"] as const;
export type FlowState = (typeof flowStates)[number];

export const flowActions = ["enable", "disable"] as const;
export type FlowAction = (typeof flowActions)[number];

/** Which state an action leads to, from which state it applies (Adobe's 1422 otherwise). */
export const flowActionTable: Readonly<Record<FlowAction, { readonly from: FlowState; readonly to: FlowState }>> = {
  enable: { from: "disabled", to: "enabled" },
  disable: { from: "enabled", to: "disabled" },
};

export function isFlowAction(value: unknown): value is FlowAction {
  return typeof value === "string" && (flowActions as readonly string[]).includes(value);
}

/** The state after `action`; FlowError 1422 when the action is not applicable in `state`. */
export function flowAction(state: FlowState, action: FlowAction): FlowState {
  const rule = flowActionTable[action];
  if (state !== rule.from) {
    throw new FlowError("actionNotApplicable", `Action ${action} is not applicable in state ${state}.`, {
      action,
      state,
    });
  }
  return rule.to;
}
