/**
 * The only module that touches the Pulumi Automation API. It adapts a `LocalWorkspace` stack over this
 * repository to the small {@link DeployWorkspace} interface the orchestration uses, so tests replace exactly this
 * boundary with a fake and everything above it runs for real.
 *
 * Load it lazily (`await import`), after the CLI check: importing it pulls in the whole Pulumi SDK.
 */
import {
    ConcurrentUpdateError,
    LocalWorkspace,
    PulumiCommand,
    type ConfigMap,
    type EngineEvent,
    type OpMap,
    type Stack,
} from "@pulumi/pulumi/automation";
import type { CliFound } from "./cli-detect";
import type { SecretConfigValue } from "./environment";
import { StackLockedError } from "./exit-codes";
import type { OutputEntry } from "./render";

/** Streaming callbacks every operation takes. */
export interface OperationStreams {
    /** Receives stdout of the CLI as it arrives (arbitrary chunks). */
    onOutput: (chunk: string) => void;
    /** Receives stderr of the CLI as it arrives. */
    onError: (chunk: string) => void;
    /** Receives every engine event. */
    onEvent: (event: EngineEvent) => void;
}

/** Options of a preview (also used for drift detection). */
export interface PreviewRequest extends OperationStreams {
    /** Policy pack directories to run. */
    policyPacks: string[];
    /** Refresh state from the providers before diffing (drift detection). */
    refresh?: boolean;
    /** Make the CLI fail when any change is proposed (drift detection). */
    expectNoChanges?: boolean;
}

/** Options of an update. */
export interface UpRequest extends OperationStreams {
    /** Policy pack directories to run. */
    policyPacks: string[];
}

/** Options of a refresh. */
export type RefreshRequest = OperationStreams;

/** Options of a destroy. */
export type DestroyRequest = OperationStreams;

/** What an operation returns besides its events. */
export interface OperationResult {
    /** The engine's op → count map (PreviewResult.changeSummary or UpdateSummary.resourceChanges). */
    changeSummary: OpMap;
}

/**
 * A selected stack, reduced to what the driver does with it. Errors: a locked stack is reported as
 * {@link StackLockedError}; anything else is passed through unchanged.
 */
export interface DeployWorkspace {
    /** The stack name. */
    readonly stackName: string;
    /**
     * Writes config values (`setAllConfig`); the values here are always secrets.
     *
     * @param config config key → value
     */
    setSecretConfig(config: Record<string, SecretConfigValue>): Promise<void>;
    /**
     * Writes plain config values (`setAllConfig`, not secret): what stays in the stack file (a rollback's pin).
     *
     * @param config config key → value
     */
    setPlainConfig(config: Record<string, string>): Promise<void>;
    /**
     * One config value of the stack, decrypted (`stack.getConfig`): how the driver reads a tenant's own secret
     * values from its app stack config. Undefined when the key is not set.
     *
     * @param key `namespace:key`
     */
    configValue(key: string): Promise<string | undefined>;
    /**
     * `stack.preview`: evaluates the program and diffs it against the state; nothing changes.
     *
     * @param request policy packs, refresh / expectNoChanges for drift detection, and the streams
     */
    preview(request: PreviewRequest): Promise<OperationResult>;
    /**
     * `stack.up`: applies the program.
     *
     * @param request policy packs and the streams
     */
    up(request: UpRequest): Promise<OperationResult>;
    /**
     * `stack.refresh`: reads every resource from its provider and writes what it finds into the state.
     *
     * @param request the streams
     */
    refresh(request: RefreshRequest): Promise<OperationResult>;
    /**
     * `stack.destroy`: deletes every resource of the stack.
     *
     * @param request the streams
     */
    destroy(request: DestroyRequest): Promise<OperationResult>;
    /** Stack outputs from state; secret values are never decrypted (they come back as engine secret markers). */
    outputs(): Promise<Record<string, OutputEntry>>;
    /**
     * One entry of one secret output, decrypted (`stack.outputs()`): how the driver reads a single project's
     * credential from the platform stack. Undefined when the output or the entry does not exist.
     *
     * @param name the output
     * @param key the entry of that output (an object keyed by project id)
     */
    secretOutputEntry(name: string, key: string): Promise<string | undefined>;
    /**
     * One string secret output, decrypted (`stack.outputs()`): the platform's admin kubeconfig for the grants
     * stacks, a grants stack's deployer kubeconfig for its app stack. Undefined when it does not exist.
     *
     * @param name the output
     */
    secretOutput(name: string): Promise<string | undefined>;
}

/** How to open the workspace. */
export interface WorkspaceSettings {
    /** The Pulumi project directory (this repository). */
    workDir: string;
    /** Stack to create or select. */
    stackName: string;
    /** Backend URL, given to every CLI call as `PULUMI_BACKEND_URL`. */
    backendUrl: string;
    /** Secrets provider for a stack created by this call (`--secrets-provider`). */
    secretsProvider?: string;
    /** The CLI found by cli-detect. */
    cli: CliFound;
}

/** Opens a workspace; orchestration receives this as a dependency. */
export type OpenWorkspace = (settings: WorkspaceSettings) => Promise<DeployWorkspace>;

/** Where to list stacks: a project directory on a backend. */
export type ListStacksSettings = Omit<WorkspaceSettings, "stackName" | "secretsProvider">;

/** Lists the stack names a project has in the backend (`pulumi stack ls`); orchestration receives this. */
export type ListStacks = (settings: ListStacksSettings) => Promise<string[]>;

/**
 * Converts Automation API errors the driver distinguishes into its own types.
 *
 * @param error what the Automation API threw
 */
export function translateAutomationError(error: unknown): unknown {
    if (error instanceof ConcurrentUpdateError) {
        return new StackLockedError(error.message, { cause: error });
    }
    return error;
}

async function translating<T>(operation: () => Promise<T>): Promise<T> {
    try {
        return await operation();
    } catch (error) {
        throw translateAutomationError(error);
    }
}

/**
 * Stack outputs from an exported deployment (`stack export`). The export keeps secrets encrypted (an engine
 * marker object with ciphertext), unlike `stack.outputs()`, which decrypts everything and flags only top-level
 * secrets, so a secret nested in a plain output would come back as plaintext.
 *
 * @param deployment what `Stack.exportStack()` returned
 */
export function outputsFromDeployment(deployment: unknown): Record<string, OutputEntry> {
    const resources = (deployment as { deployment?: { resources?: Array<{ type?: string; outputs?: Record<string, unknown> }> } })?.deployment?.resources ?? [];
    const stackResource = resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const outputs = stackResource?.outputs ?? {};
    return Object.fromEntries(
        Object.entries(outputs).map(([key, value]) => [
            key,
            { value, secret: value !== null && typeof value === "object" && "4dabf18193072939515e22adb298388d" in value },
        ]),
    );
}

class AutomationWorkspace implements DeployWorkspace {
    constructor(private readonly stack: Stack) {}

    get stackName(): string {
        return this.stack.name;
    }

    async setSecretConfig(config: Record<string, SecretConfigValue>): Promise<void> {
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config)) {
            map[key] = { value: value.value, secret: true };
        }
        await translating(() => this.stack.setAllConfig(map));
    }

    async setPlainConfig(config: Record<string, string>): Promise<void> {
        const map: ConfigMap = {};
        for (const [key, value] of Object.entries(config)) {
            map[key] = { value, secret: false };
        }
        await translating(() => this.stack.setAllConfig(map));
    }

    async configValue(key: string): Promise<string | undefined> {
        try {
            return (await this.stack.getConfig(key)).value;
        } catch {
            // The CLI exits non-zero for a key that is not set.
            return undefined;
        }
    }

    async preview(request: PreviewRequest): Promise<OperationResult> {
        const result = await translating(() =>
            this.stack.preview({
                policyPacks: request.policyPacks,
                refresh: request.refresh,
                expectNoChanges: request.expectNoChanges,
                onOutput: request.onOutput,
                onError: request.onError,
                onEvent: request.onEvent,
            }),
        );
        return { changeSummary: result.changeSummary };
    }

    async up(request: UpRequest): Promise<OperationResult> {
        const result = await translating(() =>
            this.stack.up({
                policyPacks: request.policyPacks,
                onOutput: request.onOutput,
                onError: request.onError,
                onEvent: request.onEvent,
            }),
        );
        return { changeSummary: result.summary.resourceChanges ?? {} };
    }

    async refresh(request: RefreshRequest): Promise<OperationResult> {
        const result = await translating(() => this.stack.refresh({ onOutput: request.onOutput, onError: request.onError, onEvent: request.onEvent }));
        return { changeSummary: result.summary.resourceChanges ?? {} };
    }

    async destroy(request: DestroyRequest): Promise<OperationResult> {
        const result = await translating(() => this.stack.destroy({ onOutput: request.onOutput, onError: request.onError, onEvent: request.onEvent }));
        return { changeSummary: result.summary.resourceChanges ?? {} };
    }

    async outputs(): Promise<Record<string, OutputEntry>> {
        return outputsFromDeployment(await translating(() => this.stack.exportStack()));
    }

    async secretOutputEntry(name: string, key: string): Promise<string | undefined> {
        const value = (await translating(() => this.stack.outputs()))[name]?.value as Record<string, unknown> | undefined;
        const entry = value?.[key];
        return typeof entry === "string" ? entry : undefined;
    }

    async secretOutput(name: string): Promise<string | undefined> {
        const value = (await translating(() => this.stack.outputs()))[name]?.value;
        return typeof value === "string" ? value : undefined;
    }
}

function cliEnvironment(backendUrl: string): Record<string, string> {
    return { PULUMI_BACKEND_URL: backendUrl, PULUMI_SKIP_UPDATE_CHECK: "true" };
}

/**
 * The stacks of the project in `settings.workDir` on the backend (`LocalWorkspace.listStacks`, i.e.
 * `pulumi stack ls --json`), names as the backend reports them.
 *
 * @param settings project directory, backend and CLI
 */
export const listStacks: ListStacks = async (settings) => {
    const pulumiCommand = settings.cli.root ? await PulumiCommand.get({ root: settings.cli.root }) : undefined;
    const workspace = await translating(() => LocalWorkspace.create({ workDir: settings.workDir, pulumiCommand, envVars: cliEnvironment(settings.backendUrl) }));
    return (await translating(() => workspace.listStacks())).map((stack) => stack.name);
};

/**
 * Creates or selects the stack in a `LocalWorkspace` over `settings.workDir` (the program in this repository,
 * not an inline program, so `pulumi` sees exactly what `npm run plan` and the tests see).
 *
 * @param settings where and what to open
 */
export const openWorkspace: OpenWorkspace = async (settings) => {
    // A CLI outside PATH (~/.pulumi/bin) must be handed over explicitly; LocalWorkspace runs plain `pulumi`.
    const pulumiCommand = settings.cli.root ? await PulumiCommand.get({ root: settings.cli.root }) : undefined;
    const stack = await translating(() =>
        LocalWorkspace.createOrSelectStack(
            { stackName: settings.stackName, workDir: settings.workDir },
            {
                pulumiCommand,
                secretsProvider: settings.secretsProvider,
                envVars: cliEnvironment(settings.backendUrl),
            },
        ),
    );
    return new AutomationWorkspace(stack);
};
