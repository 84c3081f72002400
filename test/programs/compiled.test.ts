import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { GRANTS_PROJECT, grantsStackName, TENANT_PROJECT, tenantStackName } from "../../lib/stacks/naming";
import { catalogDirectory } from "../../lib/tenants/load";
import { synthesize } from "../../tools/offline/mock-engine";
import type { StackPlan } from "../../tools/offline/plan-types";
import { readStackConfig, syntheticSecrets, tenantSecretNamesOfProject } from "../../tools/offline/stack-files";
import { computedContract, grantsPlanConfig, tenantPlanConfig } from "../../tools/offline/stack-plans";
import { ROOT } from "../helpers/synth";

/**
 * The programs of a tenant's pipeline run as JavaScript (programs/compiled.cjs): their Pulumi.yaml selects the
 * pinned SDK's JavaScript path of cmd/run/run.js (no ts-node registered; `require(program)` of main.js, whose
 * export it awaits), and main.js loads the program's bundle, rebuilt when a source changed. Here each main.js is
 * loaded the way run.js loads it (Node's own `require`, the export awaited) and run under the mock engine: it
 * must register what the TypeScript program registers, and nothing a function serializer would have to capture
 * (no dynamic provider: the serializer's behaviour under a bundle is not what test/spine covers).
 */

const nodeRequire = createRequire(__filename);
const compiled = nodeRequire("../../programs/compiled.cjs") as {
    staleness(programDir: string): string | undefined;
    bundlePaths(programDir: string): { bundle: string; meta: string };
};
const region = "dev";
const id = "paas-app";
const stackConfig = readStackConfig(ROOT, region);
const contract = () => computedContract(region, { ...syntheticSecrets(stackConfig), ...stackConfig }, id);

/** What run.js does with a CommonJS main when `typescript` is false: require it, then await its export. */
async function loadLikeRunJs(main: string): Promise<unknown> {
    const exported: unknown = nodeRequire(main);
    return await (exported instanceof Function ? exported() : exported);
}

const shape = (plan: StackPlan) => plan.resources.map((r) => [r.urn, [...r.dependencies].sort(), r.provider ?? ""]);

function plans(program: "grants" | "tenant") {
    const main = path.join(ROOT, "programs", program, "main.js");
    const base =
        program === "grants"
            ? { stack: grantsStackName(region, id), project: GRANTS_PROJECT, ...grantsPlanConfig(region, id, contract()) }
            : { stack: tenantStackName(region, id), project: TENANT_PROJECT, ...tenantPlanConfig(region, id, tenantSecretNamesOfProject(catalogDirectory(ROOT, region), id), contract()) };
    return {
        main,
        typescript: () => synthesize({ ...base, loadProgram: () => (program === "grants" ? import("../../programs/grants/index") : import("../../programs/tenant/index")) }),
        javascript: () => synthesize({ ...base, loadProgram: () => loadLikeRunJs(main) }),
    };
}

describe.each(["grants", "tenant"] as const)("the %s program as `pulumi up` runs it", (program) => {
    it("is selected as JavaScript: typescript false, main main.js (run.js then registers no ts-node)", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "programs", program, "Pulumi.yaml"), "utf8")) as { main: string; runtime: { options: Record<string, unknown> } };
        expect(project.main).toBe("main.js");
        expect(project.runtime.options.typescript).toBe(false);
        // The lines of the pinned run.js this rests on: ts-node only when PULUMI_NODEJS_TYPESCRIPT is "true", and a
        // CommonJS main is required and its export awaited.
        const runJs = fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run/run.js"), "utf8");
        for (const line of ['const typeScript = process.env["PULUMI_NODEJS_TYPESCRIPT"] === "true";', "programExport = require(program);", "return await invokeResult;"]) {
            expect(runJs).toContain(line);
        }
    });

    it("registers, from its bundle, exactly what the TypeScript program registers, and no dynamic provider", async () => {
        const { main, typescript, javascript } = plans(program);
        const fromBundle = await javascript();
        expect(compiled.staleness(path.dirname(main))).toBeUndefined();
        const fromSources = await typescript();
        expect(fromBundle.resources.length).toBeGreaterThan(3);
        expect(shape(fromBundle)).toEqual(shape(fromSources));
        expect(fromBundle.outputs).toEqual(fromSources.outputs);
        expect(fromBundle.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic:"))).toEqual([]);
        // Nothing in the bundle constructs a dynamic provider's resource (the SDK's `dynamic.Resource`).
        expect(fs.readFileSync(compiled.bundlePaths(path.dirname(main)).bundle, "utf8")).not.toMatch(/\bdynamic\.Resource\b/);
    });

    it("is stale, naming the source, once a source it was built from changed (main.js then rebuilds before loading)", () => {
        const dir = path.join(ROOT, "programs", program);
        const { meta } = compiled.bundlePaths(dir);
        expect(compiled.staleness(dir)).toBeUndefined();
        const record = JSON.parse(fs.readFileSync(meta, "utf8")) as { inputs: Record<string, [number, number]> };
        expect(Object.keys(record.inputs)).toContain(`programs/${program}/index.ts`);
        expect(Object.keys(record.inputs)).toContain(program === "grants" ? "components/project/grants.ts" : "components/project/project.ts");
        // A recorded stamp that no longer matches a source names that source.
        const edited = { ...record, inputs: { ...record.inputs, [`programs/${program}/index.ts`]: [0, 0] } };
        fs.writeFileSync(meta, JSON.stringify(edited));
        try {
            expect(compiled.staleness(dir)).toBe(`programs/${program}/index.ts changed`);
        } finally {
            fs.writeFileSync(meta, JSON.stringify(record));
        }
        expect(compiled.staleness(dir)).toBeUndefined();
    });
});
