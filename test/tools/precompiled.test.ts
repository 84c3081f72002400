import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runPlan } from "../helpers/synth";

// The launcher is plain JavaScript (it runs before anything compiles TypeScript).
const launcher = require(path.join(ROOT, "tools", "precompiled.cjs")) as {
    precompiled: (entry: string, outDir?: string) => Promise<{ bundle: string; rebuilt: boolean }>;
};

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "precompiled-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("precompiled entry points", () => {
    const src = path.join(scratch, "src");
    const out = path.join(scratch, "out");
    fs.mkdirSync(path.join(src, "data"), { recursive: true });
    fs.writeFileSync(path.join(src, "entry.ts"), 'import { value, where } from "./data/dep";\nconsole.log(JSON.stringify({ value, where, argv: process.argv.slice(2) }));\n');
    const writeDep = (value: string) => fs.writeFileSync(path.join(src, "data", "dep.ts"), `export const value: string = ${JSON.stringify(value)};\nexport const where: string = __dirname;\n`);
    const run = (bundle: string) => JSON.parse(execFileSync(process.execPath, [bundle, "--stack", "dev"], { encoding: "utf8" })) as { value: string; where: string; argv: string[] };

    it("bundles once, keeps each source's own __dirname, and rebuilds only when a source changed", async () => {
        writeDep("first");
        const built = await launcher.precompiled(path.join(src, "entry.ts"), out);
        expect(built.rebuilt).toBe(true);
        expect(run(built.bundle)).toEqual({ value: "first", where: path.join(src, "data"), argv: ["--stack", "dev"] });
        expect((await launcher.precompiled(path.join(src, "entry.ts"), out)).rebuilt).toBe(false);
        writeDep("second");
        // A same-size edit within the same millisecond would be missed by mtime alone; the size differs here,
        // and a real edit moves the mtime.
        fs.utimesSync(path.join(src, "data", "dep.ts"), new Date(), new Date(Date.now() + 5000));
        const again = await launcher.precompiled(path.join(src, "entry.ts"), out);
        expect(again.rebuilt).toBe(true);
        expect(run(again.bundle).value).toBe("second");
    });

    it("rebuilds when its metadata is missing or from another checkout", async () => {
        const entry = path.join(src, "entry.ts");
        await launcher.precompiled(entry, out);
        const metaFile = path.join(out, "entry.meta.json");
        const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as { root: string };
        expect(meta.root).toBe(ROOT);
        fs.writeFileSync(metaFile, JSON.stringify({ ...meta, root: "/elsewhere" }));
        expect((await launcher.precompiled(entry, out)).rebuilt).toBe(true);
        fs.rmSync(metaFile);
        expect((await launcher.precompiled(entry, out)).rebuilt).toBe(true);
    });

    it("keeps one source map, named after the bundle and named by it, across rebuilds in separate processes", () => {
        const mapSrc = path.join(scratch, "map-src");
        const mapOut = path.join(scratch, "map-out");
        fs.mkdirSync(mapSrc, { recursive: true });
        // A map left by a build before the fix, named after that build's temporary file.
        fs.mkdirSync(mapOut, { recursive: true });
        fs.writeFileSync(path.join(mapOut, "entry.js.4242.tmp.map"), "{}");
        const build = (value: string) => {
            fs.writeFileSync(path.join(mapSrc, "entry.ts"), `console.log(${JSON.stringify(value)});\n`);
            // Each build its own process (own pid), as two `npm run plan` runs are.
            const script = `require(${JSON.stringify(path.join(ROOT, "tools", "precompiled.cjs"))}).precompiled(${JSON.stringify(path.join(mapSrc, "entry.ts"))}, ${JSON.stringify(mapOut)}).then((r) => { if (!r.rebuilt) process.exit(3); })`;
            execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
        };
        build("first");
        build("second, longer");
        expect(fs.readdirSync(mapOut).sort()).toEqual(["entry.js", "entry.js.map", "entry.meta.json"]);
        const urls = [...fs.readFileSync(path.join(mapOut, "entry.js"), "utf8").matchAll(/^\/\/# sourceMappingURL=(.+)$/gm)].map((m) => m[1]);
        expect(urls).toEqual(["entry.js.map"]);
        const map = JSON.parse(fs.readFileSync(path.join(mapOut, "entry.js.map"), "utf8")) as { sources: string[] };
        expect(map.sources.map((source) => path.resolve(mapOut, source))).toEqual([path.join(mapSrc, "entry.ts")]);
    });

    it("`npm run plan` runs the precompiled plan", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        expect(scripts.plan).toBe("node --max-semi-space-size=32 tools/precompiled.cjs tools/plan.ts");
    });

    it("plans exactly what the TypeScript sources under tsx plan (dev: the platform and every tenant stack)", async () => {
        const tsxOut = path.join(scratch, "tsx-dev");
        const run = await runPlan("dev", { outDir: tsxOut, tsx: true, tenants: true });
        expect(run.code, run.stderr).toBe(0);
        // out/dev/ was written by the test spine's global setup through the precompiled plan.
        const files = (root: string) => [path.join(root, "plan.json"), ...fs.readdirSync(path.join(root, "tenants")).sort().map((id) => path.join(root, "tenants", id, "plan.json"))];
        const precompiled = files(path.join(ROOT, "out", "dev"));
        const viaTsx = files(tsxOut);
        expect(precompiled.map((f) => path.relative(path.join(ROOT, "out", "dev"), f))).toEqual(viaTsx.map((f) => path.relative(tsxOut, f)));
        expect(precompiled.length).toBeGreaterThan(1);
        for (const [index, file] of precompiled.entries()) {
            expect(JSON.parse(fs.readFileSync(file, "utf8")), file).toEqual(JSON.parse(fs.readFileSync(viaTsx[index]!, "utf8")));
        }
    });
});
