import type { MappingRow, ProposedField } from "../../lib/mapping.ts";
import type { ScheduleForm } from "../../lib/schedule.ts";

export type Json = Record<string, unknown>;

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly authSpecName: string;
}

export interface PreviewData {
  readonly schema: Json;
  readonly data: readonly Json[];
}

export interface ExistingDataset {
  readonly id: string;
  readonly name: string;
  readonly schema: Json;
}

export interface TargetChoice {
  readonly mode: "new" | "existing";
  readonly name: string;
  readonly fields: readonly ProposedField[];
  readonly existing: ExistingDataset | undefined;
}

export interface FlowSettings {
  readonly name: string;
  readonly description: string;
  readonly schedule: ScheduleForm;
  readonly errorDiagnostics: boolean;
  /** As typed; empty for none. */
  readonly partialIngestionPercent: string;
}

export interface WizardState {
  readonly account: Account | undefined;
  readonly params: Json;
  readonly preview: PreviewData | undefined;
  readonly target: TargetChoice;
  readonly rows: readonly MappingRow[];
  readonly flow: FlowSettings;
}
