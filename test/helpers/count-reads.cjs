// @ts-check
/**
 * Preloaded into a plan process (`NODE_OPTIONS=--require <this file>`, with `COUNT_READS_FILE=<out.json>`): counts
 * what the process reads and parses, so a test can compare the work of two plans without timing them. Written at
 * exit: the bytes each file outside node_modules and the precompiled bundle was read with (`fs.readFileSync` by
 * path, `fs.readSync` by the path its descriptor was opened with), and the characters handed to `JSON.parse`, to
 * js-yaml's `load` and to yaml's `parseDocument`, and the precompiled bundle's stamp the process ran.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const out = process.env.COUNT_READS_FILE;
if (!out) {
    throw new Error("count-reads.cjs: set COUNT_READS_FILE to the file the counts are written to");
}
const root = path.resolve(__dirname, "../..");
/** @param {unknown} file */
const counted = (file) => typeof file === "string" && !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(path.join(root, "bin", "precompiled"));

/** @type {Record<string, number>} */
const filesRead = {};
/** @type {Map<number, string>} */
const openFiles = new Map();
const parsed = { json: 0, jsYaml: 0, yaml: 0 };

const { readFileSync, openSync, readSync, closeSync } = fs;
fs.readFileSync = /** @type {typeof fs.readFileSync} */ (
    function (file, ...rest) {
        const value = readFileSync.call(fs, file, ...rest);
        const name = typeof file === "number" ? openFiles.get(file) : typeof file === "string" ? path.resolve(file) : undefined;
        if (counted(name)) {
            filesRead[/** @type {string} */ (name)] = (filesRead[/** @type {string} */ (name)] ?? 0) + value.length;
        }
        return value;
    }
);
fs.openSync = /** @type {typeof fs.openSync} */ (
    function (file, ...rest) {
        const fd = openSync.call(fs, file, ...rest);
        if (typeof file === "string") openFiles.set(fd, path.resolve(file));
        return fd;
    }
);
fs.readSync = /** @type {typeof fs.readSync} */ (
    function (fd, ...rest) {
        const n = readSync.call(fs, fd, ...rest);
        const name = openFiles.get(fd);
        if (counted(name)) filesRead[/** @type {string} */ (name)] = (filesRead[/** @type {string} */ (name)] ?? 0) + n;
        return n;
    }
);
fs.closeSync = function (fd) {
    openFiles.delete(fd);
    return closeSync.call(fs, fd);
};

const parse = JSON.parse;
JSON.parse = function (text, reviver) {
    if (typeof text === "string") parsed.json += text.length;
    return parse.call(JSON, text, reviver);
};

// The bundle requires both YAML parsers from node_modules (packages stay external): the same module objects.
const jsYaml = require("js-yaml");
const load = jsYaml.load;
jsYaml.load = function (text, options) {
    parsed.jsYaml += String(text).length;
    return load.call(jsYaml, text, options);
};
const yamlLib = require("yaml");
const parseDocument = yamlLib.parseDocument;
Object.defineProperty(yamlLib, "parseDocument", {
    configurable: true,
    enumerable: true,
    value: /** @type {typeof parseDocument} */ (
        function (text, options) {
            parsed.yaml += String(text).length;
            return parseDocument.call(yamlLib, text, options);
        }
    ),
});

process.on("exit", () => {
    // The bundle the process ran (tools/precompiled.cjs sets it): the content cache keys every entry on it.
    fs.writeFileSync(out, JSON.stringify({ filesRead, parsed, bundleStamp: process.env.PLATFORM_BUNDLE_STAMP }));
});
