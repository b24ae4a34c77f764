import { describe, expect, it } from "vitest";
import {
  dataLakeConnectionSpec,
  dataLakeConnectionSpecId,
  lintConnectionSpec,
  lintFlowSpec,
  restStorageToAepFlowSpec,
  restStorageToAepFlowSpecId,
} from "./index.ts";
import { at, errorPointers, errors, warnings } from "./test-support.ts";

type Json = Record<string, unknown>;

function flowSpec(): Json {
  return JSON.parse(JSON.stringify(restStorageToAepFlowSpec)) as Json;
}

describe("built-in specs", () => {
  it("RestStorageToAEP has its fixed id, the Data Lake target and the schedule's if/then/else", () => {
    expect(restStorageToAepFlowSpecId).toBe("6499120c-0b15-42dc-936e-847ea3c24d72");
    expect(restStorageToAepFlowSpec).toMatchObject({
      id: restStorageToAepFlowSpecId,
      name: "RestStorageToAEP",
      version: "1.0",
      sourceConnectionSpecIds: [],
      targetConnectionSpecIds: [dataLakeConnectionSpecId],
      transformationSpecs: [{ name: "Mapping" }],
      scheduleSpec: { name: "PeriodicSchedule", type: "Periodic" },
      attributes: { notification: { category: "sources", flowRun: { enabled: true } } },
    });
    const schedule = (restStorageToAepFlowSpec.scheduleSpec as Json).spec as Json;
    expect(Object.keys(schedule)).toEqual(expect.arrayContaining(["if", "then", "else"]));
  });

  it("the built-in flow spec passes lintFlowSpec without a problem", () => {
    expect(lintFlowSpec(restStorageToAepFlowSpec)).toEqual({ valid: true, problems: [] });
  });

  it("the Data Lake target spec passes lintConnectionSpec without a problem", () => {
    expect(dataLakeConnectionSpecId).toBe("c604ff05-7f1a-43c0-8e18-33bf874cb11c");
    expect(dataLakeConnectionSpec).toMatchObject({ name: "Data Lake", version: "1.0", type: "target" });
    expect(((dataLakeConnectionSpec.targetSpec as Json).spec as Json).required).toEqual(["dataSetId"]);
    expect(lintConnectionSpec(dataLakeConnectionSpec)).toEqual({ valid: true, problems: [] });
  });

  it("both are frozen, so a caller cannot change them for everyone", () => {
    expect(Object.isFrozen(restStorageToAepFlowSpec)).toBe(true);
    expect(Object.isFrozen((restStorageToAepFlowSpec.scheduleSpec as Json).spec)).toBe(true);
    expect(Object.isFrozen(dataLakeConnectionSpec.targetSpec)).toBe(true);
  });
});

describe("lintFlowSpec", () => {
  it("fails a flow spec whose schedule schema is broken, pointing at the keyword", () => {
    const spec = flowSpec();
    const schedule = (spec.scheduleSpec as Json).spec as Json;
    (schedule.properties as Json).interval = { type: "integr" };
    schedule.required = "startTime";
    const report = lintFlowSpec(spec);
    expect(report.valid).toBe(false);
    expect(errorPointers(report)).toEqual([
      "/scheduleSpec/spec/required",
      "/scheduleSpec/spec/properties/interval/type",
    ]);
    expect(at(report, "/scheduleSpec/spec/properties/interval/type")[0]?.message).toMatch(/did you mean "integer"/);
  });

  it("checks optionSpec and transformationSpecs schemas too", () => {
    const spec = flowSpec();
    ((spec.optionSpec as Json).spec as Json).properties = [];
    ((spec.transformationSpecs as Json[])[0] as Json).spec = { type: "object", minProperties: -1 };
    expect(errorPointers(lintFlowSpec(spec))).toEqual([
      "/optionSpec/spec/properties",
      "/transformationSpecs/0/spec/minProperties",
    ]);
  });

  it("requires UUID lists and warns about duplicates", () => {
    const spec = flowSpec();
    const id = "2e8580db-6489-4726-96de-e33f5f60295f";
    spec.sourceConnectionSpecIds = [id, "not-a-uuid", id.toUpperCase()];
    const report = lintFlowSpec(spec);
    expect(errorPointers(report)).toEqual(["/sourceConnectionSpecIds/1"]);
    expect(warnings(report)).toEqual([expect.objectContaining({ pointer: "/sourceConnectionSpecIds/2" })]);
    delete spec.targetConnectionSpecIds;
    expect(errorPointers(lintFlowSpec(spec))).toContain("/targetConnectionSpecIds");
  });

  it("accepts the request spelling transformationSpec with a warning, and the server's fields", () => {
    const spec: Json = { ...flowSpec(), etag: '"e"', createdAt: 1, imsOrgId: "o@AdobeOrg" };
    spec.transformationSpec = spec.transformationSpecs;
    delete spec.transformationSpecs;
    const report = lintFlowSpec(spec);
    expect(report.valid).toBe(true);
    expect(warnings(report).map((w) => w.pointer)).toEqual(["/transformationSpec"]);
  });

  it.each([null, [], "flow", 3])("answers %j with one root problem", (value) => {
    const report = lintFlowSpec(value);
    expect(errors(report)).toEqual([expect.objectContaining({ pointer: "" })]);
  });

  it("survives deep nesting", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const report = lintFlowSpec({ ...flowSpec(), attributes: { deep } });
    expect(report.valid).toBe(false);
  });
});
