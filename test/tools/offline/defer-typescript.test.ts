import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

describe("deferred TypeScript compiler (offline planner)", () => {
    it("keeps the SDK from loading the compiler until a function is serialized, then serializes with it", () => {
        const fixture = path.resolve(__dirname, "../../fixtures/defer-typescript-check.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd: path.resolve(__dirname, "../../.."), timeout: 60_000 });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as { afterImport: boolean; afterSerialize: boolean; text: string };
        expect(result.afterImport).toBe(false);
        expect(result.afterSerialize).toBe(true);
        // The closure serializer captured the free variable, which needs the compiler's parse.
        expect(result.text).toContain("offset");
        expect(result.text).toMatch(/40/);
    });

    it("keeps the SDK from loading npm's Arborist until code paths are computed, then computes them with it", () => {
        const fixture = path.resolve(__dirname, "../../fixtures/defer-typescript-check.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd: path.resolve(__dirname, "../../.."), timeout: 60_000 });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as { arboristAfterImport: boolean; arboristAfterCodePaths: boolean; codePathsIncludeJsYaml: boolean };
        expect(result).toMatchObject({ arboristAfterImport: false, arboristAfterCodePaths: true, codePathsIncludeJsYaml: true });
    });

    it("keeps the SDK from loading gRPC, which only a real engine needs, until an error path reads it", () => {
        const fixture = path.resolve(__dirname, "../../fixtures/defer-typescript-check.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd: path.resolve(__dirname, "../../.."), timeout: 60_000 });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as Record<string, unknown>;
        expect(result).toMatchObject({
            grpcAfterImport: false,
            mockUrn: "urn:pulumi:stack::project::test:index:Thing::thing",
            grpcAfterMockPlan: false,
            // grpc.status.UNAVAILABLE is 14: the real module answered.
            unavailableIsGrpcError: true,
            grpcAfterError: true,
        });
    });
});

describe("deferred TypeScript compiler: pinned internals and the off switch", () => {
    const cwd = path.resolve(__dirname, "../../..");
    const fixture = path.resolve(__dirname, "../../fixtures/defer-typescript-check.ts");

    it("finds both internals it relies on in the pinned Node and SDK", async () => {
        const { missingLoaderInternals } = await import("../../../tools/offline/defer-typescript");
        expect(missingLoaderInternals()).toEqual([]);
    });

    it("names each missing internal: Module._load, and a shim that no longer requires typescript", async () => {
        const { missingLoaderInternals } = await import("../../../tools/offline/defer-typescript");
        const shim = require.resolve("@pulumi/pulumi/typescript-shim.js");
        expect(missingLoaderInternals({}, shim)).toEqual(["node:module Module._load"]);
        expect(missingLoaderInternals({ _load: () => undefined }, null)).toEqual(['@pulumi/pulumi/typescript-shim.js requiring "typescript"']);
        expect(missingLoaderInternals({ _load: () => undefined }, shim, null)).toEqual(['@pulumi/pulumi/runtime/closure/codePaths.js using "@npmcli/arborist" through __importStar']);
        const codePathsFile = require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js");
        expect(missingLoaderInternals({ _load: () => undefined }, shim, codePathsFile, null)).toEqual(['@pulumi/pulumi/errors.js using "@grpc/grpc-js" through __importStar']);
        const errors = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "errors-")), "@pulumi", "pulumi", "errors.js");
        fs.mkdirSync(path.dirname(errors), { recursive: true });
        fs.writeFileSync(errors, 'const grpc = require("@grpc/grpc-js");\n');
        expect(missingLoaderInternals({ _load: () => undefined }, shim, codePathsFile, errors)).toEqual(['@pulumi/pulumi/errors.js using "@grpc/grpc-js" through __importStar']);
        const codePaths = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "codepaths-")), "@pulumi", "pulumi", "runtime", "closure", "codePaths.js");
        fs.mkdirSync(path.dirname(codePaths), { recursive: true });
        fs.writeFileSync(codePaths, 'const arborist = require("@npmcli/arborist");\nnew arborist.Arborist({});\n');
        expect(missingLoaderInternals({ _load: () => undefined }, shim, codePaths)).toEqual(['@pulumi/pulumi/runtime/closure/codePaths.js using "@npmcli/arborist" through __importStar']);
        // A file named like the shim that loads something else (a renamed module inside the SDK).
        const renamed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shim-")), "@pulumi", "pulumi", "typescript-shim.js");
        fs.mkdirSync(path.dirname(renamed), { recursive: true });
        fs.writeFileSync(renamed, 'module.exports = require("./vendor/typescript-5");\n');
        expect(missingLoaderInternals({ _load: () => undefined }, renamed)).toEqual(['@pulumi/pulumi/typescript-shim.js requiring "typescript"']);
    });

    it("PLATFORM_OFFLINE_SHORTCUTS=0 leaves the loader alone: the SDK loads the compiler eagerly, as under pulumi up", () => {
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd, timeout: 60_000, env: { ...process.env, PLATFORM_OFFLINE_SHORTCUTS: "0" } });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as { afterImport: boolean; afterSerialize: boolean; text: string };
        expect(result.afterImport).toBe(true);
        expect(result.text).toContain("offset");
        expect((result as { grpcAfterImport?: boolean }).grpcAfterImport).toBe(true);
    });
});
