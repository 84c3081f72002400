import { spawnSync } from "node:child_process";
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
 * loaded the way run.js loads it (Node's own `require`, the export awaited): in a plain Node.js process with the
 * SDK's mocks (test/programs/run-compiled.cjs: no vitest, no TypeScript loader, nothing the offline mock engine
 * would forgive, such as an exported function it calls itself) and under the mock engine. It must register what
 * the TypeScript program registers, and nothing a function serializer would have to capture (no dynamic
 * provider: the serializer's behaviour under a bundle is not what test/spine covers).
 */

const nodeRequire = createRequire(__filename);
const compiled = nodeRequire("../../programs/compiled.cjs") as {
    staleness(programDir: string): string | undefined;
    ensureBuilt(programDir: string): Promise<{ bundle: string; rebuilt: boolean }>;
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

/** Runs main.js in a plain Node.js process (test/programs/run-compiled.cjs) and returns what it registered. */
function runInNode(main: string, input: { project: string; stack: string; config: Record<string, string>; secretKeys: readonly string[] }) {
    const child = spawnSync(process.execPath, [path.join(__dirname, "run-compiled.cjs"), main], { cwd: ROOT, env: { ...process.env, RUN_COMPILED: JSON.stringify(input) }, encoding: "utf8" });
    const line = child.stdout.split("\n").find((l) => l.startsWith("REGISTERED "));
    if (child.status !== 0 || !line) {
        throw new Error(`run-compiled exited with ${child.status}:\n${child.stderr}`);
    }
    return JSON.parse(line.slice("REGISTERED ".length)) as { resources: Array<{ type: string; name: string }>; outputs: string[] };
}

function plans(program: "grants" | "tenant") {
    const main = path.join(ROOT, "programs", program, "main.js");
    const base =
        program === "grants"
            ? { stack: grantsStackName(region, id), project: GRANTS_PROJECT, ...grantsPlanConfig(region, id, contract()) }
            : { stack: tenantStackName(region, id), project: TENANT_PROJECT, ...tenantPlanConfig(region, id, tenantSecretNamesOfProject(catalogDirectory(ROOT, region), id), contract()) };
    return {
        main,
        base,
        typescript: () => synthesize({ ...base, loadProgram: () => (program === "grants" ? import("../../programs/grants/index") : import("../../programs/tenant/index")) }),
        javascript: () => synthesize({ ...base, loadProgram: () => loadLikeRunJs(main) }),
    };
}

describe.each(["grants", "tenant"] as const)("the %s program as `pulumi up` runs it", (program) => {
    it("is selected as JavaScript: typescript false, main main.js (run.js then registers no ts-node)", () => {
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "programs", program, "Pulumi.yaml"), "utf8")) as { main: string; runtime: { options: Record<string, unknown> } };
        expect(project.main).toBe("main.js");
        expect(project.runtime.options.typescript).toBe(false);
        // Stack traces name the sources: the bundle's inline source map is applied only with this flag.
        expect(project.runtime.options.nodeargs).toBe("--enable-source-maps");
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

    it("runs from main.js in a plain Node.js process, as `pulumi up` loads it (no vitest, no TypeScript loader), registering what the TypeScript program registers", async () => {
        const { main, base, typescript } = plans(program);
        const fromNode = runInNode(main, { project: base.project, stack: base.stack, config: base.config, secretKeys: base.secretKeys });
        const fromSources = await typescript();
        const custom = (resources: ReadonlyArray<{ type: string; name: string }>) => resources.filter((r) => !r.type.startsWith("pulumi:pulumi:")).map((r) => `${r.type}::${r.name}`).sort();
        expect(custom(fromNode.resources)).toEqual(custom(fromSources.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")));
        expect(fromNode.outputs).toEqual(Object.keys(fromSources.outputs));
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

    it("is rebuilt by ensureBuilt (what main.js runs first) when stale, and left alone when fresh", async () => {
        const dir = path.join(ROOT, "programs", program);
        const { bundle, meta } = compiled.bundlePaths(dir);
        expect(await compiled.ensureBuilt(dir)).toEqual({ bundle, rebuilt: false });
        const record = JSON.parse(fs.readFileSync(meta, "utf8")) as { inputs: Record<string, [number, number]> };
        fs.writeFileSync(meta, JSON.stringify({ ...record, inputs: { ...record.inputs, [`programs/${program}/index.ts`]: [0, 0] } }));
        expect(await compiled.ensureBuilt(dir)).toEqual({ bundle, rebuilt: true });
        expect(compiled.staleness(dir)).toBeUndefined();
        // The rebuilt bundle is complete: Node.js can parse it (the build writes it aside and renames it).
        expect(() => new Function(fs.readFileSync(bundle, "utf8"))).not.toThrow();
    }, 120_000);
});
