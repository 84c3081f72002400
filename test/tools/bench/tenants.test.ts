import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { checkCatalogAgainst } from "../../../programs/catalog-check";
import { checkCapacity } from "../../../lib/tenants/capacity";
import { longhornReplicaCount } from "../../../components/longhorn/values";
import { platformConfigFromStack } from "../../../tools/offline/reports";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { generateTenants, regionStackDoc, shapeSequence, shippedShapes, SHAPE_WEIGHTS } from "../../../tools/bench/tenants";
import { changedTenant, releasedText, RELEASED_SHAPE } from "../../../tools/bench";

const ROOT = path.resolve(__dirname, "../../..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-tenants-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Writes a catalog root holding `tenants` as `stacks/dev/projects/*.yaml`; returns the root. */
function writeCatalog(name: string, tenants: ReturnType<typeof generateTenants>): string {
    const root = path.join(scratch, name);
    fs.mkdirSync(path.join(root, "stacks", "dev", "projects"), { recursive: true });
    for (const t of tenants) fs.writeFileSync(path.join(root, "stacks", "dev", "projects", `${t.name}.yaml`), t.text);
    return root;
}

/** Writes a generated region (catalog and stack file) and returns its root and raw config. */
function writeRegion(count: number) {
    const tenants = generateTenants(shippedShapes(ROOT), count);
    const root = path.join(scratch, `region-${count}`);
    fs.mkdirSync(path.join(root, "stacks", "dev", "projects"), { recursive: true });
    for (const t of tenants) fs.writeFileSync(path.join(root, "stacks", "dev", "projects", `${t.name}.yaml`), t.text);
    const { doc, sizing } = regionStackDoc(path.join(ROOT, "Pulumi.dev.yaml"), "dev", tenants);
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), yaml.dump(doc, { lineWidth: 200 }));
    return { tenants, root, sizing, raw: readStackConfig(root, "dev") };
}

describe("benchmark regions", () => {
    const shapes = shippedShapes(ROOT);

    it("copy every shipped example tenant, with the grant its stack gives it", () => {
        const shipped = new Set(
            fs.readdirSync(path.join(ROOT, "stacks")).flatMap((stack) => fs.readdirSync(path.join(ROOT, "stacks", stack, "projects")).map((f) => f.replace(/\.yaml$/, ""))),
        );
        expect(shapes.map((s) => s.name).sort()).toEqual([...shipped].sort());
        const chain = shapes.find((s) => s.name === "chain-nodes")!;
        expect(chain.grant.publicPorts.length).toBeGreaterThan(0);
        // Every example appears among the first 50 tenants, in the proportions of SHAPE_WEIGHTS.
        const sequence = shapeSequence(shapes, 50).map((s) => s.name);
        for (const shape of shapes) {
            expect(sequence.filter((n) => n === shape.name).length, shape.name).toBe(SHAPE_WEIGHTS[shape.name] ?? 1);
        }
    });

    it("pass the region's whole catalog check (schemas, grants, unique names and hosts, capacity) on the smallest run pool that fits", () => {
        const { tenants, root, sizing, raw } = writeRegion(120);
        const config = platformConfigFromStack(raw);
        const secretNames = new Map(tenants.map((t) => [t.name, new Set(t.secretNames)]));
        const projects = checkCatalogAgainst(config, { region: "dev", stackDir: ROOT, catalogRoot: root, secretNames });
        expect(projects.map((p) => p.spec.name).sort()).toEqual(tenants.map((t) => t.name).sort());
        expect(new Set(projects.map((p) => p.spec.name)).size).toBe(120);
        // Realistic: databases, volumes, public hosts and custom domains, secrets, clustered workloads.
        expect(projects.filter((p) => p.spec.database).length).toBeGreaterThan(10);
        expect(projects.some((p) => p.spec.services.some((s) => s.volumes.length > 0))).toBe(true);
        expect(projects.some((p) => p.spec.services.some((s) => (s.expose?.customDomains ?? []).length > 0))).toBe(true);
        expect(tenants.filter((t) => t.secretNames.length > 0).length).toBeGreaterThan(10);
        // Public TCP/UDP ports belong to one project per region: the first copy of the example only.
        const withPorts = tenants.filter((t) => t.grant.publicPorts.length > 0).map((t) => t.name);
        expect(withPorts).toEqual([tenants.find((t) => t.shape === "chain-nodes")!.name]);
        // One node fewer and the capacity check refuses the catalog.
        expect(sizing.runNodes).toBeGreaterThan(3);
        const smaller = structuredClone(config);
        smaller.pools = smaller.pools.map((p) => (p.role === "run" ? { ...p, count: sizing.runNodes - 1, robotServers: p.robotServers.slice(1) } : p));
        expect(checkCapacity(projects, smaller, { stack: "dev", storageReplicas: longhornReplicaCount(smaller) }).problems.length).toBeGreaterThan(0);
    });

    it("hold the volume replicas of a region too large for one run pool's disks with bare-metal storage nodes in the build pool", () => {
        // 180 copies of cars (MySQL and volumes): their replicas need more Longhorn disk than 50 × AX102 hold.
        const tenants = generateTenants(shapes.filter((s) => s.name === "cars"), 180);
        const { doc, sizing } = regionStackDoc(path.join(ROOT, "Pulumi.dev.yaml"), "dev", tenants);
        expect(sizing).toMatchObject({ runNodes: 50 });
        expect(sizing.storageBuildNodes).toBeGreaterThan(0);
        const flat = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        const config = platformConfigFromStack(flat);
        expect(config.pools.find((p) => p.role === "build")).toMatchObject({ kind: "baremetal", count: sizing.storageBuildNodes, serverType: "AX102", storage: true, dedicated: true });
        const projects = checkCatalogAgainst(config, { region: "dev", stackDir: ROOT, catalogRoot: writeCatalog("cars-180", tenants), secretNames: new Map(tenants.map((t) => [t.name, new Set(t.secretNames)])) });
        expect(projects.length).toBe(180);
        // The fewest: one storage node fewer and Longhorn cannot place every replica.
        const fewer = structuredClone(config);
        fewer.pools = fewer.pools.map((p) => (p.role === "build" ? { ...p, count: p.count - 1, robotServers: p.robotServers.slice(1) } : p));
        expect(checkCapacity(projects, fewer, { stack: "dev", storageReplicas: longhornReplicaCount(fewer) }).problems.map((p) => p.problem).join("\n")).toMatch(/Longhorn could not place every replica/);
    });

    it("release the same kind of tenant at every size: a new patch version of its first image (a built service has none)", () => {
        for (const count of [10, 100, 1000]) {
            const tenants = generateTenants(shapes, count);
            expect(changedTenant(tenants).shape, String(count)).toBe(RELEASED_SHAPE);
        }
        const tenant = changedTenant(generateTenants(shapes, 10));
        const before = yaml.load(tenant.text) as { services: Array<{ name: string; image?: string }> };
        const after = yaml.load(releasedText(tenant.text, 0)) as { services: Array<{ name: string; image?: string }> };
        // paas-app's first service (app) builds from git; files is the first that runs an image.
        expect(before.services.map((s) => s.image === undefined)).toEqual([true, false]);
        expect(before.services[1]!.image).toMatch(/:6\.9\.1$/);
        expect(after.services[1]!.image).toBe(before.services[1]!.image!.replace(/6\.9\.1$/, "6.9.2"));
        expect({ ...after, services: [after.services[0]] }).toEqual({ ...before, services: [before.services[0]] });
    });
});
