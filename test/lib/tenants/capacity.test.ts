import { describe, expect, it } from "vitest";
import { baremetalLonghornBytes, checkCapacity, renderedDaemonSets, storageCapacity, tenantPool } from "../../../lib/tenants/capacity";
import { validateTenantDocuments, withServiceNames } from "../../../lib/tenants/load";
import { InputValidationError } from "../../../lib/validation";
import { SERVER_TYPES } from "../../../lib/hetzner/server-types";
import { GIB } from "../../../lib/quantity";
import { stackPlatformConfig } from "../../components/project/fixtures";

const dev = stackPlatformConfig("dev");
const runPool = dev.pools.find((p) => p.role === "run")!;
const machine = SERVER_TYPES[runPool.serverType]!;

const STATEFUL = "    volumes: [{name: data, size: 1Gi, mountPath: /data}]";
const doc = (name: string, cpu: string, quota = "16", extra = "") => ({
    file: `stacks/dev/projects/${name}.yaml`,
    text: [
        `name: ${name}`,
        "owner: {name: T, email: t@example.com}",
        `quota: {cpu: '${quota}', memory: 4Gi, storage: 10Gi, pods: 4}`,
        "services:",
        "  - name: big",
        "    image: ghcr.io/example/web:1.4.2",
        "    port: 8080",
        `    resources: {requests: {cpu: '${cpu}', memory: 1Gi}, limits: {cpu: '${cpu}', memory: 2Gi}}`,
        extra,
    ].join("\n"),
});

function problemsOf(documents: Array<{ file: string; text: string }>, config = dev) {
    const check = (projects: Parameters<typeof checkCapacity>[0]) => checkCapacity(projects, config, { stack: "dev", storageReplicas: 1 }).problems;
    try {
        validateTenantDocuments(documents, { config, secretNames: new Map(), catalogChecks: [check] });
        return [];
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
}

describe("capacity check", () => {
    it("sizes the run pool's node from the server type, minus the rendered DaemonSets that land on it and the eviction reserve", () => {
        const daemonSets = renderedDaemonSets("dev");
        expect(daemonSets.length).toBeGreaterThan(0);
        const pool = tenantPool(dev, daemonSets)!;
        expect(pool).toMatchObject({ pool: "run", machine: runPool.serverType, nodes: runPool.count });
        expect(pool.daemonSets.cpu).toBeGreaterThan(0);
        expect(pool.cpu).toBeCloseTo(machine.vcpu - pool.daemonSets.cpu, 9);
        expect(pool.memory).toBe(machine.memoryGb * GIB - 100 * 2 ** 20 - pool.daemonSets.memory);
    });

    it("refuses a pod larger than any node of its pool, naming the pool and the service; a pod that fits passes", () => {
        // Just above the node's allocatable CPU (still within the project's own quota with its surge pod).
        const tooBig = `${Math.ceil((tenantPool(dev, renderedDaemonSets("dev"))!.cpu + 0.1) * 1000)}m`;
        // A StatefulSet (it has a volume): no rolling-update surge pod counts against the quota.
        const problems = problemsOf([doc("huge", tooBig, "10", STATEFUL)]);
        expect(problems).toEqual([
            expect.objectContaining({
                source: "stacks/dev/projects/huge.yaml",
                path: "services[big].resources.requests",
                problem: expect.stringMatching(new RegExp(`a pod of service big requests ${tooBig} CPU .* more than one node of pool run \\(${runPool.serverType}: .*it would never be scheduled`)),
                fix: expect.stringContaining("or give platform:pools (role run) a larger serverType in Pulumi.dev.yaml"),
            }),
        ]);
        expect(problemsOf([doc("small", "500m", "2")])).toEqual([]);
    });

    it("warns above 100% of the run pool's allocatable and refuses above platform:tenantLimits.overcommit", () => {
        const pool = tenantPool(dev, renderedDaemonSets("dev"))!;
        const total = pool.cpu * pool.nodes;
        const projects = (share: number) =>
            [0, 1].map((i) => ({ file: `stacks/dev/projects/t${i}.yaml`, spec: { ...validSpec(), name: `t${i}`, id: `t${i}`, quota: { ...validSpec().quota, cpu: String((total * share) / 2), memory: "1Gi" } } }));
        const within = checkCapacity(projects(0.9), dev, { stack: "dev", storageReplicas: 1 });
        expect(within).toEqual({ problems: [], warnings: [] });
        const over = checkCapacity(projects(1.2), dev, { stack: "dev", storageReplicas: 1 });
        expect(over.problems).toEqual([]);
        expect(over.warnings).toEqual([expect.stringMatching(/quota\.cpu adds up to .*120% of pool run's allocatable.*overcommitted \(allowed up to 150%\)/)]);
        const refused = checkCapacity(projects(1.6), dev, { stack: "dev", storageReplicas: 1 });
        expect(refused.problems).toEqual([expect.objectContaining({ path: "quota.cpu", problem: expect.stringContaining("above the allowed overcommit of 150% (platform:tenantLimits.overcommit)") })]);
        const relaxed = checkCapacity(projects(1.6), { ...dev, tenantLimits: { ...dev.tenantLimits, overcommit: 2 } }, { stack: "dev", storageReplicas: 1 });
        expect(relaxed.problems).toEqual([]);
    });

    it("refuses claims × Longhorn replicas beyond the storage disks", () => {
        const spec = { ...validSpec(), services: [{ ...validSpec().services[0]!, volumes: [{ name: "data", size: "5000Gi", class: "standard" as const, mountPath: "/data" }] }], quota: { ...validSpec().quota, storage: "5000Gi" } };
        const report = checkCapacity([{ file: "stacks/dev/projects/x.yaml", spec }], dev, { stack: "dev", storageReplicas: 2 });
        expect(report.problems.map((p) => [p.path, p.problem])).toContainEqual(["services", expect.stringMatching(/× 2 Longhorn replicas come to 10000Gi, .*Longhorn could not place every replica/)]);
    });

    it("names services and volumes in problem paths, keeping indices for unnamed or duplicate entries", () => {
        const data = { services: [{ name: "web", volumes: [{ name: "data" }] }, { name: "web" }, {}] };
        const problem = (path: string) => withServiceNames({ source: "f", path, problem: "p", fix: "x" }, data).path;
        expect(problem("services[0].volumes[0].size")).toBe("services[0].volumes[0].size");
        expect(problem("services[2].image")).toBe("services[2].image");
        const unique = { services: [{ name: "web", volumes: [{ name: "data" }] }, { name: "api" }] };
        expect(withServiceNames({ source: "f", path: "services[0].volumes[0].size", problem: "p", fix: "x" }, unique).path).toBe("services[web].volumes[data].size");
        expect(withServiceNames({ source: "f", path: "services[1].port", problem: "p", fix: "x" }, unique).path).toBe("services[api].port");
    });

    it("reports the schema problems of one file and the capacity problems of another in the same pass", () => {
        const problems = problemsOf([doc("huge", `${Math.ceil((tenantPool(dev, renderedDaemonSets("dev"))!.cpu + 0.1) * 1000)}m`, "16", STATEFUL), { file: "stacks/dev/projects/bad.yaml", text: "name: bad\ncolour: blue\n" }]);
        expect(problems.map((p) => `${p.source} ${p.path}`)).toEqual(expect.arrayContaining(["stacks/dev/projects/huge.yaml services[big].resources.requests", "stacks/dev/projects/bad.yaml colour"]));
    });
});

function validSpec() {
    const [project] = validateTenantDocuments([doc("base", "100m", "1")], { config: dev, secretNames: new Map() });
    return project!.spec;
}

describe("Longhorn disk of a bare-metal node (installimage partitions and software RAID)", () => {
    const GiB = 2 ** 30;
    const layout = (partitions: Array<[string, string]>, raid: { swraid?: boolean; swraidLevel?: 0 | 1 | 5 | 6 | 10; drives?: number } = {}) => ({
        ...dev.baremetal,
        swraid: raid.swraid ?? true,
        swraidLevel: raid.swraidLevel ?? 1,
        drives: Array.from({ length: raid.drives ?? 2 }, (_, i) => `/dev/nvme${i}n1`),
        partitions: partitions.map(([mount, size]) => ({ mount, filesystem: (mount === "swap" ? "swap" : "ext4") as "swap" | "ext4", size })),
    });

    it("gives a dedicated /var/lib/longhorn partition of size all what /boot, / and swap leave of one mirrored drive", () => {
        const bytes = baremetalLonghornBytes(layout([["/boot", "1G"], ["swap", "4G"], ["/", "200G"], ["/var/lib/longhorn", "all"]]), 1920);
        expect(bytes).toBe(1920e9 - 205 * GiB);
    });

    it("counts a fixed-size Longhorn partition as declared, and the root filesystem when Longhorn has none", () => {
        expect(baremetalLonghornBytes(layout([["/boot", "1G"], ["/var/lib/longhorn", "100G"], ["/", "all"]]), 512)).toBe(100 * GiB);
        expect(baremetalLonghornBytes(layout([["/boot", "512M"], ["/", "all"]]), 512)).toBe(512e9 - 512 * 2 ** 20);
        expect(baremetalLonghornBytes(layout([["/", "50G"], ["/var", "all"]]), 512)).toBe(512e9 - 50 * GiB);
    });

    it("sizes the array by the RAID level: 0 stripes every drive, 1 mirrors to one, 5 and 10 as their parity and mirrors leave", () => {
        const root = [["/", "all"]] as Array<[string, string]>;
        expect(baremetalLonghornBytes(layout(root, { swraidLevel: 0 }), 1000)).toBe(2000e9);
        expect(baremetalLonghornBytes(layout(root, { swraidLevel: 1 }), 1000)).toBe(1000e9);
        expect(baremetalLonghornBytes(layout(root, { swraidLevel: 5, drives: 4 }), 1000)).toBe(3000e9);
        expect(baremetalLonghornBytes(layout(root, { swraidLevel: 10, drives: 4 }), 1000)).toBe(2000e9);
        expect(baremetalLonghornBytes(layout(root, { swraid: false, drives: 4 }), 1000)).toBe(1000e9);
    });

    it("sizes the fsn1 run pool from its partitions, not from the drive as sold", () => {
        const fsn1 = stackPlatformConfig("fsn1");
        const run = fsn1.pools.find((p) => p.role === "run")!;
        expect(run.kind).toBe("baremetal");
        // fsn1 mirrors two AX102 drives (1.92 TB) and gives Longhorn what /boot (1G) and / (200G) leave.
        expect(storageCapacity(fsn1)).toBeCloseTo(run.count * (1920e9 - 201 * GiB) * 0.7, 0);
    });
});
