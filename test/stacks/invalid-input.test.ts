import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runPlan } from "../helpers/synth";
import { errorFileFor } from "../../tools/offline/output-dir";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-invalid-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function readError(outDir: string): { registeredResources: number; problems: Array<{ source: string; path: string; problem: string; fix: string }> } {
    return JSON.parse(fs.readFileSync(errorFileFor(outDir), "utf8"));
}

describe("invalid input stops the program before any resource is registered", () => {
    it("a broken stack config gives one aggregated error naming file, keys and fixes", async () => {
        const text = fs
            .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
            .replace("platform:location: fsn1", "platform:location: moon1")
            .replace("    count: 1\n    kind: cloud\n    serverType: cx43", "    count: 2\n    kind: cloud\n    serverType: cx43")
            .replace("platform:acmeEmail: ops@example.com", "platform:acmeEmail: not-an-address");
        const dir = path.join(scratch, "config");
        fs.mkdirSync(dir);
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, text);
        // The plan's catalog check answers first; skipped, the platform program itself must (as under `pulumi up`).
        for (const skipCatalogCheck of [false, true]) {
            const run = await runPlan("dev", { outDir: path.join(scratch, `out-config-${skipCatalogCheck}`), configFile: file, skipCatalogCheck });
            expect(run.code).toBe(1);
            expect(run.stderr).toContain("Invalid platform input: 3 problem(s) found; nothing was registered.");
            expect(run.stderr).not.toMatch(/\n\s+at .*\(.*\.ts:\d+/); // a message, not a stack trace
            const error = readError(run.outDir);
            expect(error.registeredResources).toBe(0);
            expect(error.problems.map((p) => p.path).sort()).toEqual(["platform:acmeEmail", "platform:location", "platform:servers.count"]);
            expect(error.problems.every((p) => p.source === "Pulumi.dev.yaml" && p.fix.length > 0)).toBe(true);
        }
    });

    it("a server type Hetzner no longer sells is rejected with the other problems, naming its replacement", async () => {
        const text = fs
            .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
            .replace(/serverType: cx23\b.*/, "serverType: cx22")
            .replace("platform:acmeEmail: ops@example.com", "platform:acmeEmail: not-an-address");
        const dir = path.join(scratch, "server-type");
        fs.mkdirSync(dir);
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, text);
        const run = await runPlan("dev", { outDir: path.join(scratch, "out-server-type"), configFile: file });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("Invalid platform input: 2 problem(s) found; nothing was registered.");
        const error = readError(run.outDir);
        expect(error.registeredResources).toBe(0);
        expect(error.problems).toEqual([
            expect.objectContaining({ source: "Pulumi.dev.yaml", path: "platform:acmeEmail" }),
            {
                source: "Pulumi.dev.yaml",
                path: "platform:pools[1].serverType",
                problem: "server type cx22 is deprecated in fsn1 since 2025-10-16 and cannot be ordered since 2025-12-31",
                fix: "serverType: cx23   # 2 vCPU, 4 GB, 40 GB (was 2 vCPU, 4 GB)",
            },
        ]);
    });

    it("a broken tenant file gives the aggregated error with file and path", async () => {
        const catalogRoot = path.join(scratch, "tenants");
        const projects = path.join(catalogRoot, "stacks", "dev", "projects");
        fs.mkdirSync(projects, { recursive: true });
        fs.writeFileSync(
            path.join(projects, "shop.yaml"),
            [
                "name: shop",
                "owner: {name: Shop, email: shop@example.com}",
                "quota: {cpu: '2', memory: 4Gi, storage: 10Gi, pods: 10}",
                "colour: blue",
                "services:",
                "  - name: web",
                "    image: ghcr.io/example/web:latest",
                "    port: 8080",
                "",
            ].join("\n"),
        );
        for (const skipCatalogCheck of [false, true]) {
            const run = await runPlan("dev", { outDir: path.join(scratch, `out-tenant-${skipCatalogCheck}`), catalogRoot, skipCatalogCheck });
            expect(run.code).toBe(1);
            const error = readError(run.outDir);
            expect(error.registeredResources).toBe(0);
            const file = path.join("stacks", "dev", "projects", "shop.yaml");
            expect(error.problems).toEqual(
                expect.arrayContaining([
                    expect.objectContaining({ source: file, path: "colour", problem: 'unknown key "colour"', fix: expect.stringMatching(/^remove it, or use one of: id, name, owner, (?!.*\(root\))/) }),
                    expect.objectContaining({ source: file, path: "services[web].image", fix: "for example image: ghcr.io/example/web:1.4.2" }),
                ]),
            );
            expect(run.stderr).toContain(`${file}:`);
        }
    });

    it("an empty catalog is valid", async () => {
        const catalogRoot = path.join(scratch, "empty");
        fs.mkdirSync(path.join(catalogRoot, "stacks", "dev", "projects"), { recursive: true });
        const run = await runPlan("dev", { outDir: path.join(scratch, "out-empty"), catalogRoot });
        expect(run.code, run.stderr).toBe(0);
        const plan = JSON.parse(fs.readFileSync(path.join(run.outDir, "plan.json"), "utf8"));
        expect(plan.outputs.projectCount).toBe(0);
    });
});
