"use strict";
/**
 * Stand-in for the Pulumi CLI's nodejs language host, up to the point where dynamic providers are serialized:
 * it registers TypeScript exactly as @pulumi/pulumi/cmd/run/run.js does for `runtime.options.typescript: true`
 * (same ts-node resolution, same options, same compiler-option merge), runs a TypeScript program module under
 * the SDK's mock monitor, and prints, for every `pulumi-nodejs:dynamic` resource, its inputs and the
 * `__provider` text the SDK's dynamic.Resource serialized (runtime.serializeFunction).
 *
 * Plain JavaScript on purpose: it runs in a fresh `node` with no loader, like the language host.
 * Usage: node language-host.js <program.ts>   (cwd: the project root; parameters in PLATFORM_SPINE_PROGRAM)
 * Output: one line `SERIALIZED <json>` on stdout.
 */
const fs = require("node:fs");
const path = require("node:path");

const root = process.cwd();
const sdk = path.join(root, "node_modules", "@pulumi", "pulumi");
const tsutils = require(path.join(sdk, "tsutils"));

// ---- Mirror of run.js (@pulumi/pulumi 3.248.0, cmd/run/run.js, `if (typeScript) { ... tsn.register(options) }`).
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
const skipProject = !fs.existsSync(tsConfigPath);
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
let transpileOnly = undefined;
const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
if (transpileOnlyEnv) {
    transpileOnly = transpileOnlyEnv === "true";
} else {
    transpileOnly = compilerOptions.noCheck;
}
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const [major, minor] = ts.version.split(".").map(Number);
const useNodeNext = major > 4 || (major === 4 && minor >= 7);
const options = {
    compiler: typescriptRequire,
    transpileOnly,
    project: tsConfigPath,
    skipProject,
    compilerOptions: {
        target: "ES2020",
        module: useNodeNext ? "nodenext" : "commonjs",
        moduleResolution: useNodeNext ? "nodenext" : "node",
        sourceMap: "true",
        ...compilerOptions,
    },
};
const tsn = require(tsnodeRequire);
tsn.register(options);
// ---- end of the mirror.

const pulumi = require(sdk);
const rpc = require(path.join(sdk, "runtime", "rpc"));
/**
 * The values the engine hands the provider: the dynamic-provider host answers Configure with
 * acceptSecrets=false, so secrets arrive unwrapped.
 */
function unwrapSecrets(value) {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value !== null && typeof value === "object") {
        if (value[rpc.specialSigKey] === rpc.specialSecretSig) return unwrapSecrets(value.value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}
const registrations = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            const state = { ...args.inputs };
            if (args.type.startsWith("pulumi-nodejs:dynamic")) {
                const { __provider, ...inputs } = args.inputs;
                registrations.push({ name: args.name, type: args.type, inputs: unwrapSecrets(inputs), provider: __provider });
                // The vSwitch's id is only known once its provider ran: a placeholder the test replaces.
                if ("vlan" in inputs) state.vswitchId = 4242;
            }
            return { id: `${args.name}-id`, state };
        },
        call() {
            throw new Error("the program must not invoke provider functions");
        },
    },
    "platform",
    "spine",
    false,
);

const expected = Number(process.env.PLATFORM_SPINE_DYNAMIC_RESOURCES ?? "1");
const started = Date.now();
process.on("unhandledRejection", (error) => {
    console.error(error && error.stack ? error.stack : String(error));
    process.exit(1);
});
require(path.resolve(root, process.argv[2]));
const timer = setInterval(() => {
    if (registrations.length >= expected) {
        clearInterval(timer);
        process.stdout.write(
            `SERIALIZED ${JSON.stringify({ tsnode: path.relative(root, tsnodeRequire), typescript: ts.version, typeCheck: transpileOnly !== true, registrations })}\n`,
        );
        process.exit(0);
    } else if (Date.now() - started > 120_000) {
        console.error(`only ${registrations.length} of ${expected} dynamic resources were registered within 120 s`);
        process.exit(1);
    }
}, 50);
