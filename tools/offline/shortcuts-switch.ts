// Apart from mock-engine.ts, which loads the Pulumi SDK: the content cache (imported by the stack-file readers
// and so by the config and tenant test fixtures) only needs the switch.

/**
 * `PLATFORM_OFFLINE_SHORTCUTS=0` turns every shortcut of the offline engine off (lean diagnostics, plain
 * structs, plain-data serialization, alias dropping, direct registration, the deferred TypeScript compiler):
 * the plan then runs the SDK's own code paths only. test/stacks/offline-shortcuts.test.ts plans every shipped
 * stack both ways and compares the plans resource by resource.
 */
export const SHORTCUTS_SWITCH = "PLATFORM_OFFLINE_SHORTCUTS";

/** Whether the offline engine's shortcuts are on (the default). */
export function shortcutsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
    return env[SHORTCUTS_SWITCH] !== "0";
}
