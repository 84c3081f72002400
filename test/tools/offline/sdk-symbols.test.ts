import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { assertSdkSymbols, SDK_VERSION, sdkSymbols, synthesize } from "../../../tools/offline/mock-engine";

/**
 * The offline engine replaces SDK internals (tools/offline/mock-engine.ts). Each one is checked before a plan
 * starts, and a missing one stops it with the SDK version; PLATFORM_OFFLINE_SHORTCUTS=0 turns every shortcut off.
 */

type Owner = Record<string, unknown>;
const sdk = (id: string) => require(`@pulumi/pulumi/${id}`) as Owner;
const struct = () => {
    const sdkDirectory = path.dirname(require.resolve("@pulumi/pulumi"));
    return (require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDirectory] })) as { Struct: Owner & { prototype: Owner } }).Struct;
};
const mocksModule = () => sdk("runtime/mocks") as { MockMonitor: new (...args: unknown[]) => Owner };
const response = () => (sdk("proto/resource_pb").RegisterResourceResponse as { prototype: Owner }).prototype;
const request = () => (sdk("proto/resource_pb").RegisterResourceRequest as { prototype: Owner }).prototype;
const timeouts = () => (sdk("proto/resource_pb").RegisterResourceRequest as unknown as { CustomTimeouts: { prototype: Owner } }).CustomTimeouts.prototype;

/** Removes a member for the duration of a check; returns the restore function. */
function remove(owner: Owner, key: string): () => void {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key)!;
    expect(descriptor, key).toBeDefined();
    delete owner[key];
    return () => Object.defineProperty(owner, key, descriptor);
}

/** A MockMonitor class whose instances lack an instance field the constructor sets. */
function withoutInstanceField(field: string): () => void {
    const module = mocksModule();
    const original = module.MockMonitor;
    module.MockMonitor = class extends original {
        constructor(...args: unknown[]) {
            super(...args);
            delete (this as Owner)[field];
        }
    };
    return () => {
        module.MockMonitor = original;
    };
}

/** How to take each symbol away, by the name the engine reports. */
const removals: Record<string, () => () => void> = {
    "runtime/rpc.specialSigKey": () => remove(sdk("runtime/rpc"), "specialSigKey"),
    "runtime/rpc.specialSecretSig": () => remove(sdk("runtime/rpc"), "specialSecretSig"),
    "runtime/debuggable.debuggablePromise": () => remove(sdk("runtime/debuggable"), "debuggablePromise"),
    "resource.Resource.callsites": () => remove(pulumi.Resource as unknown as Owner, "callsites"),
    "google-protobuf Struct.fromJavaScript": () => remove(struct(), "fromJavaScript"),
    "google-protobuf Struct.prototype.toJavaScript": () => remove(struct().prototype, "toJavaScript"),
    "runtime/rpc.serializeResourceProperties": () => remove(sdk("runtime/rpc"), "serializeResourceProperties"),
    "runtime/rpc.serializeProperty": () => remove(sdk("runtime/rpc"), "serializeProperty"),
    "runtime/rpc.serializeProperties": () => remove(sdk("runtime/rpc"), "serializeProperties"),
    "runtime/mocks.MockMonitor.prototype.registerResource": () => remove(mocksModule().MockMonitor.prototype as Owner, "registerResource"),
    "runtime/mocks.MockMonitor.prototype.newUrn": () => remove(mocksModule().MockMonitor.prototype as Owner, "newUrn"),
    "runtime/mocks.MockMonitor#mocks.newResource": () => withoutInstanceField("mocks"),
    "runtime/mocks.MockMonitor#resources (a Map)": () => withoutInstanceField("resources"),
    "proto/resource_pb.RegisterResourceResponse.prototype.getUrn": () => remove(response(), "getUrn"),
    "proto/resource_pb.RegisterResourceResponse.prototype.getId": () => remove(response(), "getId"),
    "proto/resource_pb.RegisterResourceResponse.prototype.getObject": () => remove(response(), "getObject"),
    "proto/resource_pb.RegisterResourceResponse.prototype.getPropertydependenciesMap": () => remove(response(), "getPropertydependenciesMap"),
    "proto/resource_pb.RegisterResourceResponse.prototype.getResult": () => remove(response(), "getResult"),
    "proto/resource_pb.Result.SUCCESS": () => remove(sdk("proto/resource_pb").Result as Owner, "SUCCESS"),
    // Read from every registration request, shortcuts or not (protect, retainOnDelete, replaceOnChanges … in the plan).
    ...Object.fromEntries(
        [
            "getProtect",
            "getRetainondelete",
            "getReplaceonchangesList",
            "getDeletebeforereplace",
            "getImportid",
            "getType",
            "getName",
            "getParent",
            "getCustom",
            "getProvider",
            "getObject",
            "getAdditionalsecretoutputsList",
            "getDependenciesList",
            "getIgnorechangesList",
            "getCustomtimeouts",
        ].map((getter) => [`proto/resource_pb.RegisterResourceRequest.prototype.${getter}`, () => remove(request(), getter)]),
    ),
    ...Object.fromEntries(
        ["getCreate", "getUpdate", "getDelete"].map((getter) => [`proto/resource_pb.RegisterResourceRequest.CustomTimeouts.prototype.${getter}`, () => remove(timeouts(), getter)]),
    ),
};

let restore: (() => void) | undefined;
afterEach(() => {
    restore?.();
    restore = undefined;
});

describe("SDK symbols the offline engine relies on", () => {
    it("are all present in the pinned SDK, and each has a removal case below", () => {
        expect(SDK_VERSION).toBe(require("@pulumi/pulumi/package.json").version);
        expect(sdkSymbols().filter((s) => !s.present()).map((s) => s.name)).toEqual([]);
        expect(() => assertSdkSymbols(true)).not.toThrow();
        expect(sdkSymbols().map((s) => s.name).sort()).toEqual(Object.keys(removals).sort());
    });

    it.each(Object.keys(removals))("a missing %s stops the plan, naming it and the SDK version", (name) => {
        restore = removals[name]!();
        expect(sdkSymbols().find((s) => s.name === name)!.present()).toBe(false);
        expect(() => assertSdkSymbols(true)).toThrow(`@pulumi/pulumi ${SDK_VERSION} lacks ${name},`);
        const shortcutOnly = sdkSymbols().find((s) => s.name === name)!.shortcut;
        // Without the shortcuts, only what the engine itself still reads is required.
        if (shortcutOnly) {
            expect(() => assertSdkSymbols(false)).not.toThrow();
        } else {
            expect(() => assertSdkSymbols(false)).toThrow(name);
        }
    });

    it("takes the secret signature from the SDK's own constants", () => {
        const rpc = sdk("runtime/rpc");
        expect(sdkSymbols().find((s) => s.name === "runtime/rpc.specialSecretSig")!.shortcut).toBe(false);
        // The SDK's serialization of a secret is recognised: the plan's secret detection rests on it.
        expect(typeof rpc.specialSigKey).toBe("string");
        expect(typeof rpc.specialSecretSig).toBe("string");
    });
});

describe("PLATFORM_OFFLINE_SHORTCUTS=0", () => {
    it("leaves every patched SDK function in place during synthesis, and registers no shortcut transformation", async () => {
        const rpc = sdk("runtime/rpc");
        const debuggable = sdk("runtime/debuggable");
        const before = {
            serializeResourceProperties: rpc.serializeResourceProperties,
            debuggablePromise: debuggable.debuggablePromise,
            callsites: (pulumi.Resource as unknown as Owner).callsites,
            fromJavaScript: struct().fromJavaScript,
        };
        process.env.PLATFORM_OFFLINE_SHORTCUTS = "0";
        let during: Record<string, unknown> = {};
        let stackTransformations = -1;
        try {
            await synthesize({
                stack: "test",
                config: {},
                secretKeys: [],
                loadProgram: async () => {
                    during = {
                        serializeResourceProperties: rpc.serializeResourceProperties,
                        debuggablePromise: debuggable.debuggablePromise,
                        callsites: (pulumi.Resource as unknown as Owner).callsites,
                        fromJavaScript: struct().fromJavaScript,
                    };
                    const stack = pulumi.runtime.getStackResource() as unknown as { __transformations?: unknown[] };
                    stackTransformations = stack.__transformations?.length ?? 0;
                    return {};
                },
            });
        } finally {
            delete process.env.PLATFORM_OFFLINE_SHORTCUTS;
        }
        expect(during).toEqual(before);
        for (const [key, value] of Object.entries(before)) {
            expect(during[key], key).toBe(value);
        }
        // Only the construction counter (not a shortcut: the invalid-input guarantee reads it).
        expect(stackTransformations).toBe(1);
    });
});

describe("the SDK check per process", () => {
    it("runs before the first plan of a mode and not again: the loaded SDK cannot change within a process", async () => {
        const module = mocksModule();
        const original = module.MockMonitor;
        let samples = 0;
        // The check builds sample MockMonitors through the module's export; the engine's own monitor is built
        // by setMocks from the module's internal class, so only the check's are counted.
        module.MockMonitor = class extends original {
            constructor(...args: unknown[]) {
                super(...args);
                samples++;
            }
        };
        restore = () => {
            module.MockMonitor = original;
        };
        const plan = () => synthesize({ stack: "test", config: {}, secretKeys: [], loadProgram: async () => ({}) });
        await plan();
        const afterFirst = samples;
        await plan();
        await plan();
        expect(samples).toBe(afterFirst);
    });
});
