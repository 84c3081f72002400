// @ts-check
/**
 * How `pulumi up` runs the programs of a tenant's pipeline (programs/grants, programs/tenant): as JavaScript,
 * with no TypeScript compiler in the run. Their Pulumi.yaml sets `runtime.options.typescript: false` and
 * `main: main.js`; the pinned SDK's cmd/run/run.js then registers no ts-node (the type check of the program that
 * makes a TypeScript run slow to start, pulumi/pulumi#2874) and `require`s main.js, whose export, the promise
 * of the program's outputs (its exported function, called), it awaits as the stack's outputs. main.js loads the program's bundle (esbuild,
 * CommonJS, node_modules external so the one @pulumi/pulumi of node_modules is used), written to
 * `bin/programs/<program>/` and rebuilt first whenever a file it was built from changed (size and mtime of
 * every bundled source, tsconfig.json, package.json and this file; esbuild's and Node's major versions), so a
 * run never uses a stale build. `__dirname`/`__filename` in a bundled source are that source's own path: the
 * programs read stack and catalog files relative to where their sources live.
 *
 * The driver builds both before the first tenant stack (tools/driver/orchestrate.ts), so each `up` only checks;
 * CI type-checks the sources (`npm run typecheck`), which the bundle does not.
 *
 * Program code (the layer rule of test/programs/layers.test.ts): it imports nothing from tools/.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const WATCHED = ["tsconfig.json", "package.json", "programs/compiled.cjs"];
const NODE_MAJOR = process.versions.node.split(".")[0];

/**
 * Where the bundle of a program directory lives.
 * @param {string} programDir absolute path of programs/<name>
 */
function bundlePaths(programDir) {
    const dir = path.join(ROOT, "bin", "programs", path.basename(programDir));
    return { dir, bundle: path.join(dir, "index.js"), meta: path.join(dir, "index.meta.json"), entry: path.join(programDir, "index.ts") };
}

/**
 * Size and mtime of a file, or null when it does not exist.
 * @param {string} file absolute path
 * @returns {[number, number] | null}
 */
function stamp(file) {
    try {
        const stat = fs.statSync(file);
        return [stat.size, stat.mtimeMs];
    } catch {
        return null;
    }
}

/**
 * Why the bundle at `bundle`, recorded in `metaFile`, must be (re)built, or undefined when it is fresh: missing, no
 * readable record, another esbuild, Node.js major or checkout (the bundle holds absolute source paths, see
 * ownPaths), or a recorded input whose size or mtime changed. Shared with tools/precompiled.cjs.
 * @param {string} bundle absolute path of the bundle
 * @param {string} metaFile absolute path of its build record
 * @returns {string | undefined}
 */
function recordStaleness(bundle, metaFile) {
    if (!fs.existsSync(bundle)) {
        return "no bundle yet";
    }
    let meta;
    try {
        meta = JSON.parse(fs.readFileSync(metaFile, "utf8"));
    } catch {
        return "no readable build record";
    }
    let esbuildVersion;
    try {
        esbuildVersion = require("esbuild/package.json").version;
    } catch {
        esbuildVersion = meta.esbuild;
    }
    if (meta.esbuild !== esbuildVersion || meta.node !== NODE_MAJOR || meta.root !== ROOT) {
        return "built by another esbuild, Node.js or checkout";
    }
    for (const [relative, recorded] of Object.entries(meta.inputs)) {
        const now = stamp(path.join(ROOT, relative));
        if (now === null || now[0] !== recorded[0] || now[1] !== recorded[1]) {
            return `${relative} changed`;
        }
    }
    return undefined;
}

/**
 * Why the bundle of `programDir` must be (re)built, or undefined when it is fresh.
 * @param {string} programDir absolute path of programs/<name>
 * @returns {string | undefined}
 */
function staleness(programDir) {
    const { bundle, meta } = bundlePaths(programDir);
    return recordStaleness(bundle, meta);
}

/** @type {import("esbuild").Plugin} */
const ownPaths = {
    name: "own-paths",
    setup(build) {
        build.onLoad({ filter: /\.ts$/ }, async (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) {
                return undefined;
            }
            const text = await fs.promises.readFile(args.path, "utf8");
            const contents = text.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))).replace(/\b__filename\b/g, JSON.stringify(args.path));
            return { contents, loader: "ts" };
        });
    },
};

/**
 * Bundles `entry` into `bundle` with esbuild and records what it was built from in `metaFile` (the inputs' stamps
 * plus `watched`, read by {@link recordStaleness}). The bundle, its linked source map (`<bundle>.map`, when
 * `sourcemap` is "linked") and the record are written aside and renamed, so parallel runs never load half a
 * bundle. Shared with tools/precompiled.cjs, which differs only in the options it passes.
 * @param {string} entry absolute path of the TypeScript entry point
 * @param {string} bundle absolute path of the bundle to write
 * @param {string} metaFile absolute path of its build record
 * @param {{ watched: readonly string[], sourcemap: "inline" | "linked", keepNames: boolean }} options files
 *   (relative to the root) that change the bundle without being bundled, and the esbuild options that differ
 */
async function buildBundle(entry, bundle, metaFile, options) {
    const esbuild = require("esbuild");
    const result = await esbuild.build({
        entryPoints: [entry],
        // Built under its final name and written here, not by esbuild: a linked source map is named after the
        // outfile and the bundle's sourceMappingURL names it, so both must carry the name they end up with.
        outfile: bundle,
        write: false,
        // Metafile input paths are relative to this directory, which is what the stamps are keyed on.
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${NODE_MAJOR}`,
        packages: "external",
        keepNames: options.keepNames,
        sourcemap: options.sourcemap,
        metafile: true,
        logLevel: "error",
        plugins: [ownPaths],
    });
    /** @type {Record<string, [number, number]>} */
    const inputs = {};
    for (const relative of [...Object.keys(result.metafile.inputs), ...options.watched]) {
        const file = path.resolve(ROOT, relative);
        const now = stamp(file);
        if (now !== null) {
            inputs[path.relative(ROOT, file)] = now;
        }
    }
    // The map before the bundle: a run that loads the new bundle finds the map it names.
    const outputs = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith(".map")) - Number(a.path.endsWith(".map")));
    for (const output of outputs) {
        fs.writeFileSync(`${output.path}.${process.pid}.tmp`, output.contents);
    }
    fs.writeFileSync(`${metaFile}.${process.pid}.tmp`, JSON.stringify({ esbuild: esbuild.version, node: NODE_MAJOR, root: ROOT, inputs }));
    for (const output of outputs) {
        fs.renameSync(`${output.path}.${process.pid}.tmp`, output.path);
    }
    fs.renameSync(`${metaFile}.${process.pid}.tmp`, metaFile);
    removeTemporaryMaps(bundle);
}

/**
 * Removes the maps that builds before 2026-12-02 left beside `bundle`, named after their temporary file
 * (`<bundle>.<pid>.tmp.map`) and never renamed: one more each rebuild. No build writes that name any more, so
 * a concurrent build's files are not touched.
 * @param {string} bundle absolute path of the bundle
 */
function removeTemporaryMaps(bundle) {
    const dir = path.dirname(bundle);
    const prefix = `${path.basename(bundle)}.`;
    for (const name of fs.readdirSync(dir)) {
        if (name.startsWith(prefix) && /^\d+\.tmp\.map$/.test(name.slice(prefix.length))) {
            fs.rmSync(path.join(dir, name), { force: true });
        }
    }
}

/**
 * Builds the bundle of `programDir` when it is stale.
 * @param {string} programDir absolute path of programs/<name>
 * @returns {Promise<{ bundle: string, rebuilt: boolean }>}
 */
async function ensureBuilt(programDir) {
    const { dir, bundle, meta, entry } = bundlePaths(programDir);
    if (staleness(programDir) === undefined) {
        return { bundle, rebuilt: false };
    }
    fs.mkdirSync(dir, { recursive: true });
    // keepNames: Pulumi's function serializer and error messages read the original names.
    await buildBundle(entry, bundle, meta, { watched: WATCHED, sourcemap: "inline", keepNames: true });
    return { bundle, rebuilt: true };
}

/**
 * The program's stack outputs, from its bundle, built first when stale: what main.js exports. The programs
 * export one async function (`export =`); run.js calls an exported function only when the export itself is one,
 * and main.js exports a promise, so the function is called here.
 * @param {string} programDir absolute path of programs/<name>
 * @returns {Promise<Record<string, unknown>>}
 */
async function runCompiled(programDir) {
    const { bundle } = await ensureBuilt(programDir);
    const exported = require(bundle);
    return typeof exported === "function" ? await exported() : exported;
}

module.exports = { runCompiled, ensureBuilt, staleness, bundlePaths, recordStaleness, buildBundle };
