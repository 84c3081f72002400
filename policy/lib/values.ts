/**
 * Defensive readers for resource properties. Policies see whatever a program (or a hostile tenant file)
 * put into a resource, so nothing is assumed about shapes: every reader returns a typed value or
 * `undefined`/empty instead of throwing on a surprising type.
 */

import { isDeepStrictEqual } from "node:util";

/**
 * Whether two property values are the same data: objects compared key by key in any order, arrays in order. A
 * pin must not depend on key order: the engine's serialisation (protobuf Structs, `pulumi preview`) sorts
 * object keys, so `JSON.stringify` of a planned value and of the rendered one can differ for equal data.
 */
export function sameValue(a: unknown, b: unknown): boolean {
    return isDeepStrictEqual(a, b);
}

/** A plain object view of a value, or `undefined` when it is not a non-array object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The value as an array (non-arrays become an empty array, so loops over optional lists stay simple). */
export function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** The value when it is a string. */
export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** The string entries of a list (other entries are ignored). */
export function asStrings(value: unknown): string[] {
    return asArray(value).filter((v): v is string => typeof v === "string");
}

/** Labels/annotations-style map: only string values are kept. */
export function asStringMap(value: unknown): Record<string, string> {
    const record = asRecord(value) ?? {};
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(record)) {
        if (typeof v === "string") {
            out[key] = v;
        } else if (typeof v === "number" || typeof v === "boolean") {
            // YAML-sourced labels such as `platform/tenant: true` arrive unquoted; Kubernetes would reject them,
            // but the policy reads them as the string the author meant rather than ignoring them.
            out[key] = String(v);
        }
    }
    return out;
}

/** The value at a property path (`["spec", "template", "spec"]`), or `undefined` when any step is missing. */
export function at(value: unknown, path: readonly string[]): unknown {
    let current: unknown = value;
    for (const key of path) {
        const record = asRecord(current);
        if (!record) {
            return undefined;
        }
        current = record[key];
    }
    return current;
}

/** YAML/flag style truth: `true` or the string `"true"` (k3s configs and labels are written both ways). */
export function isTrue(value: unknown): boolean {
    return value === true || (typeof value === "string" && value.trim().toLowerCase() === "true");
}


/**
 * Whether an error is the `UnknownValueError` that `@pulumi/policy` throws when a policy reads a value that is
 * unknown during preview. Compared by constructor name so rules need no runtime import of `@pulumi/policy`
 * (importing it pulls in the gRPC server module).
 */
export function isUnknownValueError(error: unknown): boolean {
    return error instanceof Error && error.constructor.name === "UnknownValueError";
}

/**
 * Runs a read that may hit a preview-time unknown. Stack policies read every resource; one unknown value
 * must not abort the whole policy, so the resource is skipped (the policy runs again after `pulumi up`,
 * when every value is known).
 */
export function whenKnown<T>(read: () => T, fallback: T): T {
    try {
        return read();
    } catch (error) {
        if (isUnknownValueError(error)) {
            return fallback;
        }
        throw error;
    }
}

/**
 * A Linux capability as the kubelet compares it: case-insensitive, with or without the `CAP_` prefix (Kubernetes
 * passes `add`/`drop` entries through to the runtime, which accepts both spellings).
 */
export function normaliseCapability(capability: string): string {
    return capability.trim().toUpperCase().replace(/^CAP_/, "");
}

/**
 * Whether a `drop` entry drops every capability as containerd (k3s' runtime) reads it: `ALL` in any case
 * (`strings.EqualFold`), but untrimmed: containerd turns `" ALL"` into a capability named `CAP_ ALL`, which drops
 * nothing, so the container keeps the runtime's default set.
 */
export function dropsAll(capability: string): boolean {
    return capability.toUpperCase() === "ALL";
}
