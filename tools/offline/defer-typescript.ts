import * as fs from "node:fs";
import Module from "node:module";

/**
 * Importing this module (first, before `@pulumi/pulumi`) defers loading the TypeScript compiler until
 * something uses it. The SDK loads it eagerly (`typescript-shim.js`, required at start-up by its closure
 * serializer) though only serializing a function, i.e. a dynamic provider, needs it: 0.6 s of every plan
 * process, most plans never use it. The SDK gets a proxy that loads the real module on first property access,
 * so a plan with a dynamic provider (the bare-metal resources) still serializes it with the real compiler.
 * Offline planner only: `pulumi up` loads the SDK its own way. `PLATFORM_OFFLINE_SHORTCUTS=0` leaves the
 * loader alone (with every other shortcut of the offline engine, tools/offline/mock-engine.ts).
 *
 * It relies on two internals, checked here before anything is patched: Node's `Module._load`, and the SDK's
 * `typescript-shim.js` requiring "typescript". Either missing fails loudly, naming the SDK version: a renamed
 * shim would otherwise make this a silent no-op.
 */
type Loader = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

/** The SDK module that loads the compiler, matched by its file name. */
const SHIM = /@pulumi[\\/]pulumi[\\/]typescript-shim\.js$/;

/** The internals this module relies on that are missing (empty when all are there). */
export function missingLoaderInternals(moduleClass: unknown = Module, shimFile: string | null = locateShim()): string[] {
    const missing: string[] = [];
    if (typeof (moduleClass as { _load?: unknown })._load !== "function") {
        missing.push("node:module Module._load");
    }
    if (shimFile === null || !SHIM.test(shimFile) || !/require\(["']typescript["']\)/.test(fs.readFileSync(shimFile, "utf8"))) {
        missing.push('@pulumi/pulumi/typescript-shim.js requiring "typescript"');
    }
    return missing;
}

function locateShim(): string | null {
    try {
        return require.resolve("@pulumi/pulumi/typescript-shim.js");
    } catch {
        return null;
    }
}

function sdkVersion(): string {
    try {
        return (JSON.parse(fs.readFileSync(require.resolve("@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
    } catch {
        return "(version unknown)";
    }
}

if (process.env.PLATFORM_OFFLINE_SHORTCUTS !== "0") {
    const missing = missingLoaderInternals();
    if (missing.length > 0) {
        throw new Error(
            `offline plan: @pulumi/pulumi ${sdkVersion()} on Node ${process.version} lacks ${missing.join(", ")}, which tools/offline/defer-typescript.ts relies on. ` +
                "Adapt it to this version, or plan without the offline shortcuts: PLATFORM_OFFLINE_SHORTCUTS=0.",
        );
    }
    deferTypescript(Module as unknown as { _load: Loader });
}

function deferTypescript(moduleInternals: { _load: Loader }): void {
    const load = moduleInternals._load;

    moduleInternals._load = function deferTypescript(this: unknown, request, parent, isMain) {
        if (request !== "typescript" || !SHIM.test(parent?.filename ?? "")) {
            return load.call(this, request, parent, isMain);
        }
        let compiler: Record<PropertyKey, unknown> | undefined;
        const real = () => (compiler ??= load.call(this, request, parent, isMain) as Record<PropertyKey, unknown>);
        return new Proxy(
            {},
            {
                get: (_target, key) => real()[key],
                has: (_target, key) => key in real(),
                ownKeys: () => Reflect.ownKeys(real()),
                getOwnPropertyDescriptor: (_target, key) => {
                    // Module loaders inspect every module's exports as it loads (tsx looks for "module.exports",
                    // interop for "__esModule"); the compiler's exports have neither, so do not load it for that.
                    if (compiler === undefined && (key === "__esModule" || key === "module.exports")) {
                        return undefined;
                    }
                    const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
                    return descriptor && { ...descriptor, configurable: true };
                },
            },
        );
    };
}
