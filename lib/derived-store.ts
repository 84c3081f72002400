/**
 * A store of values derived from text alone (a tenant file's parsed YAML, its validated spec, the resource names a
 * project registers), which outlives the process: the offline plan installs one (tools/offline/content-cache.ts,
 * keyed by the text's hash and the code's identity) so a region plan's workers and later plans do not derive again
 * what an earlier plan process derived from the same bytes. None is installed under a real Pulumi run, where every
 * program derives everything itself.
 */
export interface DerivedStore {
    /** The value of `kind` derived from `text` before, or undefined. */
    get(kind: string, text: string): unknown;
    /** Keeps the value of `kind` derived from `text` (only values derived without a problem). */
    set(kind: string, text: string, value: unknown): void;
}

let installed: DerivedStore | undefined;

/** Installs (or, with undefined, removes) the process's {@link DerivedStore}. */
export function useDerivedStore(store: DerivedStore | undefined): void {
    installed = store;
}

/** The installed {@link DerivedStore}, if any. */
export function derivedStore(): DerivedStore | undefined {
    return installed;
}
