import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/main.js";

const FILE = resolve(import.meta.dirname, "../../examples/ci/promote-cohort.yml");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
}

const workflow = parse(readFileSync(FILE, "utf8")) as {
  on: { workflow_dispatch: { inputs: Record<string, unknown> } };
  jobs: Record<string, { steps: Step[] }>;
};
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (command: string) => steps.filter((s) => s.run?.includes(`entitlement-diff ${command} `));

/** The long flags a command line passes to an entitlement-diff sub-command. */
function flagsOf(run: string): string[] {
  return [...run.matchAll(/(?:^|\s)(--[a-z-]+)/g)].map((m) => m[1] as string);
}

function knownFlags(command: string): string[] {
  const sub = buildProgram().commands.find((c) => c.name() === command);
  return sub?.options.map((o) => o.long ?? "") ?? [];
}

describe("examples/ci/promote-cohort.yml", () => {
  it("asks for the cohort and the stage", () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual(["cohort", "stage"]);
  });

  it("runs the gate, then promotes only when the gate step succeeded", () => {
    const [gate] = runs("gate");
    const [promote] = runs("promote");
    expect(gate && promote).toBeTruthy();
    expect(steps.indexOf(gate as Step)).toBeLessThan(steps.indexOf(promote as Step));
    expect(promote?.if).toBe(`steps.${gate?.id}.outcome == 'success'`);
    // The gate step must not swallow a non-zero exit.
    expect(gate?.run).not.toMatch(/\|\|\s*true|continue-on-error/);
  });

  it("uses only flags the commands have", () => {
    for (const command of ["gate", "promote"])
      for (const step of runs(command))
        for (const flag of flagsOf(step.run ?? "")) expect(knownFlags(command)).toContain(flag);
  });
});
