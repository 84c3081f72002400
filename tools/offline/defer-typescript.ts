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
 * npm's Arborist, which the SDK's `runtime/closure/codePaths.js` loads at start-up for the same function
 * serialization, is deferred the same way, and so is gRPC (`@grpc/grpc-js` and the SDK's generated `*_grpc_pb`
 * clients): the SDK loads it at start-up to talk to a real engine and language host, which the mock engine
 * replaces; under mocks only error paths read it (`grpc.status`), and they load it when they do. It was the
 * largest part of loading the SDK (~0.1 s CPU of every plan process, a sixth of a one-tenant plan's start-up).
 *
 * It relies on internals, checked here before anything is patched: Node's `Module._load`, the SDK's
 * `typescript-shim.js` requiring "typescript" and `codePaths.js` using Arborist through `__importStar`. Any
 * missing fails loudly, naming the SDK version: a renamed shim would otherwise make this a silent no-op.
 */
type Loader = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

/** The SDK module that loads the compiler, matched by its file name. */
const SHIM = /@pulumi[\\/]pulumi[\\/]typescript-shim\.js$/;

/**
 * The SDK module that loads npm's Arborist (and with it pacote, sigstore, tar, cacache: ~0.15 s CPU of every plan)
 * at start-up, only to compute the code paths of a serialized function. Deferred the same way.
 */
const CODE_PATHS = /@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]codePaths\.js$/;

// How codePaths.js uses Arborist: `__importStar(require("@npmcli/arborist"))`, then `new arborist.Arborist(...)`.
const ARBORIST_USE = /__importStar\(require\(["']@npmcli\/arborist["']\)\)[\s\S]*arborist\.Arborist\b/;

/** A module of the SDK itself (not of a package nested in its node_modules). */
const SDK_FILE = /@pulumi[\\/]pulumi[\\/](?!node_modules[\\/])/;

/** What the SDK requires for gRPC: the library, and its generated service clients (`../proto/<service>_grpc_pb`). */
const GRPC_REQUEST = /^@grpc\/grpc-js$|[\\/]proto[\\/][a-z_]+_grpc_pb$/;

// How the SDK's modules load gRPC: `__importStar(require("@grpc/grpc-js"))` (errors.js is the first to).
const GRPC_USE = /__importStar\(require\(["']@grpc\/grpc-js["']\)\)/;

/** The internals this module relies on that are missing (empty when all are there). */
export function missingLoaderInternals(
    moduleClass: unknown = Module,
    shimFile: string | null = locateShim(),
    codePathsFile: string | null = locateCodePaths(),
    errorsFile: string | null = locateSdkFile("errors.js"),
): string[] {
    const missing: string[] = [];
    if (typeof (moduleClass as { _load?: unknown })._load !== "function") {
        missing.push("node:module Module._load");
    }
    if (shimFile === null || !SHIM.test(shimFile) || !/require\(["']typescript["']\)/.test(fs.readFileSync(shimFile, "utf8"))) {
        missing.push('@pulumi/pulumi/typescript-shim.js requiring "typescript"');
    }
    if (codePathsFile === null || !CODE_PATHS.test(codePathsFile) || !ARBORIST_USE.test(fs.readFileSync(codePathsFile, "utf8"))) {
        missing.push('@pulumi/pulumi/runtime/closure/codePaths.js using "@npmcli/arborist" through __importStar');
    }
    if (errorsFile === null || !SDK_FILE.test(errorsFile) || !GRPC_USE.test(fs.readFileSync(errorsFile, "utf8"))) {
        missing.push('@pulumi/pulumi/errors.js using "@grpc/grpc-js" through __importStar');
    }
    return missing;
}

function locateCodePaths(): string | null {
    try {
        return require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js");
    } catch {
        return null;
    }
}

function locateSdkFile(file: string): string | null {
    try {
        return require.resolve(`@pulumi/pulumi/${file}`);
    } catch {
        return null;
    }
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
    deferArborist(Module as unknown as { _load: Loader });
    deferGrpc(Module as unknown as { _load: Loader });
}

function deferGrpc(moduleInternals: { _load: Loader }): void {
    const load = moduleInternals._load;
    moduleInternals._load = function deferGrpc(this: unknown, request, parent, isMain) {
        if (!GRPC_REQUEST.test(request) || !SDK_FILE.test(parent?.filename ?? "")) {
            return load.call(this, request, parent, isMain);
        }
        let grpc: Record<PropertyKey, unknown> | undefined;
        const real = () => (grpc ??= load.call(this, request, parent, isMain) as Record<PropertyKey, unknown>);
        // As for Arborist: `__importStar` keeps a module flagged `__esModule` as it is; any other read loads it.
        return new Proxy(
            {},
            {
                get: (_target, key) => (key === "__esModule" && grpc === undefined ? true : real()[key]),
                has: (_target, key) => key in real(),
                ownKeys: () => Reflect.ownKeys(real()),
                getOwnPropertyDescriptor: (_target, key) => {
                    const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
                    return descriptor && { ...descriptor, configurable: true };
                },
            },
        );
    };
}

function deferArborist(moduleInternals: { _load: Loader }): void {
    const load = moduleInternals._load;
    moduleInternals._load = function deferArborist(this: unknown, request, parent, isMain) {
        if (request !== "@npmcli/arborist" || !CODE_PATHS.test(parent?.filename ?? "")) {
            return load.call(this, request, parent, isMain);
        }
        let arborist: Record<PropertyKey, unknown> | undefined;
        const real = () => (arborist ??= load.call(this, request, parent, isMain) as Record<PropertyKey, unknown>);
        // `__importStar` returns a module flagged `__esModule` as it is, without enumerating its keys (which would
        // load it); codePaths.js then only reads `arborist.Arborist`, which loads the real module.
        return new Proxy({}, { get: (_target, key) => (key === "__esModule" && arborist === undefined ? true : real()[key]) });
    };
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
