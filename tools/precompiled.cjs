// @ts-check
/**
 * `node tools/precompiled.cjs <entry.ts> [args...]`: runs a TypeScript entry point (`npm run plan`) as plain
 * JavaScript, bundled once with esbuild into `bin/precompiled/` and rebuilt only when a bundled source changed.
 *
 * Why: under tsx every `require` of the plan (the Pulumi SDK's hundreds of files included) goes through tsx's
 * loader hooks; that alone cost ~0.8 s CPU of each plan process, more than a one-tenant plan itself. The bundle
 * holds the repository's own modules only (`packages: "external"`: one copy of @pulumi/pulumi, resolved from
 * node_modules as before); modules reached only through `import()` (the program) stay lazy, so what a run does not
 * import is never evaluated. Plain JavaScript because it must run before anything can compile TypeScript.
 *
 * Staleness: the bundle's metadata lists every bundled source with its size and mtime (plus tsconfig.json,
 * package.json, this file and the esbuild version); any difference rebuilds before running. A rebuild writes to a
 * temporary name and renames, so parallel plans (the test spine runs two) never see half a bundle.
 * `__dirname`/`__filename` in a bundled source are replaced by that source's own path: the program reads its
 * data files (chart values, rendered facts, the catalog) relative to where the source lives.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const OUT_DIR = path.join(ROOT, "bin", "precompiled");
const WATCHED = ["tsconfig.json", "package.json", "tools/precompiled.cjs", "programs/compiled.cjs"];

// The freshness check and the build are the compiled programs' (one implementation).
const { recordStaleness, buildBundle } = require("../programs/compiled.cjs");

/**
 * The bundle of `entry`, built or rebuilt when needed.
 * @param {string} entry absolute path of the TypeScript entry point
 * @param {string} [outDir] where bundles live (default `bin/precompiled/`)
 * @returns {Promise<{ bundle: string, rebuilt: boolean }>} absolute path of the bundle, and whether it was (re)built
 */
async function precompiled(entry, outDir = OUT_DIR) {
    const name = path.basename(entry).replace(/\.ts$/, "");
    const bundle = path.join(outDir, `${name}.js`);
    const metaFile = path.join(outDir, `${name}.meta.json`);
    if (recordStaleness(bundle, metaFile) === undefined) {
        return { bundle, rebuilt: false };
    }
    fs.mkdirSync(outDir, { recursive: true });
    await buildBundle(entry, bundle, metaFile, { watched: WATCHED, sourcemap: "linked", keepNames: false });
    return { bundle, rebuilt: true };
}

module.exports = { precompiled, ROOT, OUT_DIR };

if (require.main === module) {
    const [entryArgument] = process.argv.splice(2, 1);
    if (!entryArgument || !entryArgument.endsWith(".ts")) {
        process.stderr.write("usage: node tools/precompiled.cjs <entry.ts> [args...]\n");
        process.exit(1);
    }
    precompiled(path.resolve(entryArgument)).then(
        ({ bundle }) => {
            process.argv[1] = bundle;
            // The identity of the code about to run: the offline plan's content cache keys what it derives on it
            // (tools/offline/content-cache.ts), so a rebuilt bundle never reads what an older one derived.
            const built = fs.statSync(bundle);
            process.env.PLATFORM_BUNDLE_STAMP = JSON.stringify([bundle, built.size, built.mtimeMs]);
            // The bundle's source map (beside it) is read only with `node --enable-source-maps`: always on, it
            // cost ~0.1 s of every run for stack traces that user errors (aggregated input problems) never show.
            require(bundle);
        },
        (error) => {
            process.stderr.write(`error: could not precompile ${entryArgument}: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
        },
    );
}
