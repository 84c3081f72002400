/**
 * The synthesized plan: every resource the program registered under the Pulumi mock engine.
 * `inputs` hold plain values in memory (policies see secrets unwrapped, as in a real preview);
 * `secretPaths` say which top-level inputs were secret so the written plan can redact them.
 */
export interface PlannedResource {
    /** Mock URN: `urn:pulumi:<stack>::platform::<parentType$type>::<name>`. */
    urn: string;
    /** Resource type token, e.g. `kubernetes:apps/v1:Deployment` or `platform:project:Project`. */
    type: string;
    /** Logical resource name. */
    name: string;
    /** URN of the parent resource (component), if any. */
    parent?: string;
    /** True for provider-managed (custom) resources, false for components. */
    custom: boolean;
    /** Provider reference (`<urn>::<id>`) when an explicit provider was passed. */
    provider?: string;
    /** Input properties as the program sent them (secrets unwrapped in memory). */
    inputs: Record<string, unknown>;
    /** Top-level input keys whose value was a secret (or contained one). */
    secretInputs: string[];
    /** Inputs with only the secret subtrees replaced by "[secret]" (what the written plan shows). */
    redactedInputs?: Record<string, unknown>;
    /** `additionalSecretOutputs` of the resource options. */
    additionalSecretOutputs: string[];
    /** URNs this resource depends on (explicit `dependsOn` and input dependencies). */
    dependencies: string[];
    /** `replaceOnChanges` of the resource options (absent when empty). */
    replaceOnChanges?: string[];
    /** `ignoreChanges` of the resource options, when any (a real engine keeps these inputs at their state value). */
    ignoreChanges?: string[];
    /** `customTimeouts` of the resource options, when any is set. */
    customTimeouts?: { create: string; update: string; delete: string };
    /** `deleteBeforeReplace` of the resource options (absent when false). */
    deleteBeforeReplace?: boolean;
    /** `protect` of the resource options (absent when false). */
    protect?: boolean;
    /** `retainOnDelete` of the resource options (absent when false). */
    retainOnDelete?: boolean;
}

/** The plan of one stack. */
export interface StackPlan {
    /** Stack name. */
    stack: string;
    /** Resources in registration order. */
    resources: PlannedResource[];
    /** Stack outputs (secret outputs redacted as "[secret]"). */
    outputs: Record<string, unknown>;
}
