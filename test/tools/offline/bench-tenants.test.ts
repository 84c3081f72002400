import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { platformConfigFromStack } from "../../../tools/offline/reports";
import { validateTenantDocuments } from "../../../lib/tenants/load";
import { generateTenant, grantsFor } from "../../../tools/bench";

const ROOT = path.resolve(__dirname, "../../..");

describe("benchmark tenant generator", () => {
    it("generates valid, unique, varied projects for the dev stack", () => {
        const tenants = Array.from({ length: 60 }, (_, i) => generateTenant(i + 1));
        const stack = platformConfigFromStack(readStackConfig(ROOT, "dev"));
        const config = { ...stack, projectGrants: { ...stack.projectGrants, ...grantsFor(tenants) } };
        const docs = tenants.map((t) => ({ file: `stacks/dev/projects/${t.name}.yaml`, text: t.text }));
        const secretNames = new Map(tenants.map((t) => [t.name, new Set(["SESSION_SECRET"])]));
        const projects = validateTenantDocuments(docs, { config, secretNames });
        expect(projects).toHaveLength(60);
        expect(new Set(projects.map((p) => p.spec.name)).size).toBe(60);
        const serviceCounts = new Set(projects.map((p) => p.spec.services.length));
        expect([...serviceCounts].sort()).toEqual([2, 3]);
        expect(projects.some((p) => p.spec.database)).toBe(true);
        expect(projects.some((p) => !p.spec.database)).toBe(true);
        expect(projects.some((p) => p.spec.services.some((s) => s.volumes.length > 0))).toBe(true);
        // The quota the bench raises tenantLimits from is the one in the file.
        const first = yaml.load(tenants[0]!.text) as { quota: unknown };
        expect(first.quota).toEqual(tenants[0]!.quota);
    });
});
