import Module from "node:module";

/**
 * Importing this module (first, before `@pulumi/pulumi`) defers loading the TypeScript compiler until
 * something uses it. The SDK loads it eagerly (`typescript-shim.js`, required at start-up by its closure
 * serializer) though only serializing a function, i.e. a dynamic provider, needs it: 0.6 s of every plan
 * process, most plans never use it. The SDK gets a proxy that loads the real module on first property access,
 * so a plan with a dynamic provider (the bare-metal resources) still serializes it with the real compiler.
 * Offline planner only: `pulumi up` loads the SDK its own way.
 */
type Loader = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

const moduleInternals = Module as unknown as { _load: Loader };
const load = moduleInternals._load;

moduleInternals._load = function deferTypescript(this: unknown, request, parent, isMain) {
    if (request !== "typescript" || !/@pulumi[\\/]pulumi[\\/]typescript-shim\.js$/.test(parent?.filename ?? "")) {
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
