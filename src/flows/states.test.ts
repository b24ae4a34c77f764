import { describe, expect, it } from "vitest";
import { FlowError } from "../errors.ts";
import { assertRunTransition, canTransition, flowAction, isTerminal, runStates, runTransitions } from "./states.ts";

describe("run states", () => {
  it("lets a run go pending → inProgress → success or failed", () => {
    expect(canTransition("pending", "inProgress")).toBe(true);
    expect(canTransition("inProgress", "success")).toBe(true);
    expect(canTransition("inProgress", "failed")).toBe(true);
  });

  it("allows a takeover (inProgress → inProgress), a release (→ pending) and a cancel (pending → failed)", () => {
    expect(canTransition("inProgress", "inProgress")).toBe(true);
    expect(canTransition("inProgress", "pending")).toBe(true);
    expect(canTransition("pending", "failed")).toBe(true);
  });

  it("never leaves a terminal state and never skips inProgress to succeed", () => {
    for (const state of runStates) {
      expect(canTransition("success", state)).toBe(false);
      expect(canTransition("failed", state)).toBe(false);
    }
    expect(canTransition("pending", "success")).toBe(false);
    expect(() => assertRunTransition("success", "inProgress")).toThrow(/cannot move from success to inProgress/);
    expect(isTerminal("failed")).toBe(true);
    expect(isTerminal("pending")).toBe(false);
    expect(Object.keys(runTransitions)).toEqual([...runStates]);
  });
});

describe("flow actions", () => {
  it("enables a disabled flow and disables an enabled one", () => {
    expect(flowAction("disabled", "enable")).toBe("enabled");
    expect(flowAction("enabled", "disable")).toBe("disabled");
  });

  it("answers 1422 for an action not applicable in the state", () => {
    const error = (() => {
      try {
        flowAction("enabled", "enable");
      } catch (e) {
        return e;
      }
    })() as FlowError;
    expect(error).toBeInstanceOf(FlowError);
    expect(error.code).toBe(1422);
    expect(error.message).toBe("Action enable is not applicable in state enabled.");
  });
});
