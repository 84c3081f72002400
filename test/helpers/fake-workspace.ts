/**
 * Fakes for the deploy driver, at the Automation API boundary only: a {@link FakeWorkspace} implements
 * `DeployWorkspace` (what tools/driver/workspace.ts wraps around `LocalWorkspace`/`Stack`) by replaying recorded
 * engine events and output, so orchestration, event summaries, rendering and exit codes run for real.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach } from "vitest";
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import type { CliDetection } from "../../tools/driver/cli-detect";
import type { DeployDependencies } from "../../tools/driver/orchestrate";
import type { OutputEntry } from "../../tools/driver/render";
import type { SecretConfigValue } from "../../tools/driver/environment";
import type { DeployWorkspace, ListStacksSettings, OperationResult, OperationStreams, WorkspaceSettings } from "../../tools/driver/workspace";
import type { CatalogCheck, CatalogResult } from "../../tools/driver/stacks";

const REPO = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(REPO, "test", "fixtures", "engine-events");

/** What the fake does when an operation is called. */
export interface FakeScript {
    /** Engine events to replay through `onEvent` (e.g. from {@link loadEngineEvents}). */
    events?: EngineEvent[];
    /** Chunks to replay through `onOutput`. */
    output?: string[];
    /** Chunks to replay through `onError`. */
    stderr?: string[];
    /** Thrown by the operation after replaying (as the Automation API throws after the CLI exits non-zero). */
    error?: unknown;
    /** Thrown when the workspace is opened (createOrSelectStack failing). */
    openError?: unknown;
    /** Returned as the operation's changeSummary; defaults to the last summary event's resourceChanges. */
    changeSummary?: OpMap;
    /** Returned by `outputs()`. */
    outputs?: Record<string, OutputEntry>;
    /** Decrypted secret outputs, for `secretOutputEntry()` (name → entries). */
    secretOutputs?: Record<string, Record<string, string>>;
    /** Decrypted string secret outputs, for `secretOutput()` (name → value). */
    secretValues?: Record<string, string>;
    /** Runs when secret config is set; e.g. writes to the stack file the way the CLI would. */
    onSetConfig?: (config: Record<string, SecretConfigValue>) => void;
    /** The stack's config values (decrypted), for `configValue()`. */
    config?: Record<string, string>;
    /** Runs when plain config is set (a rollback's pin); e.g. writes it to the stack file the way the CLI would. */
    onSetPlainConfig?: (config: Record<string, string>) => void;
    /** Events and error of one operation instead of the script's (e.g. a preview that passes, then an up that fails). */
    byMethod?: Partial<Record<"preview" | "up" | "refresh" | "destroy", Pick<FakeScript, "events" | "error">>>;
    /** Milliseconds each operation takes (a timer, so other stacks' operations run meanwhile). */
    delayMs?: number;
}

/** One start or end of an operation, across every fake workspace of a harness, in the order they happened. */
export interface TimelineEntry {
    /** The stack. */
    stack: string;
    /** The operation. */
    method: RecordedCall["method"];
    /** Start or end. */
    at: "start" | "end";
    /** Operations running right after this entry. */
    running: number;
}

/** Shared by every fake workspace of one harness: what ran when, and how many at once. */
export class Timeline {
    /** Entries in order. */
    readonly entries: TimelineEntry[] = [];
    private running = 0;
    /** The most operations that ran at once. */
    maxRunning = 0;

    /**
     * Records a start.
     *
     * @param stack the stack
     * @param method the operation
     */
    start(stack: string, method: RecordedCall["method"]): void {
        this.running += 1;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        this.entries.push({ stack, method, at: "start", running: this.running });
    }

    /**
     * Records an end.
     *
     * @param stack the stack
     * @param method the operation
     */
    end(stack: string, method: RecordedCall["method"]): void {
        this.running -= 1;
        this.entries.push({ stack, method, at: "end", running: this.running });
    }
}

/** One recorded call, with the callbacks removed from the options so they compare with `toEqual`. */
export interface RecordedCall {
    /** Method of `DeployWorkspace`. */
    method: "setSecretConfig" | "setPlainConfig" | "configValue" | "preview" | "up" | "refresh" | "destroy" | "outputs" | "secretOutputEntry" | "secretOutput";
    /** Options without onOutput/onError/onEvent. */
    options?: Record<string, unknown>;
    /** Whether the streaming callbacks were all passed. */
    streamed?: boolean;
}

function withoutStreams(request: OperationStreams & Record<string, unknown>): { options: Record<string, unknown>; streamed: boolean } {
    const { onOutput, onError, onEvent, ...options } = request;
    return { options, streamed: typeof onOutput === "function" && typeof onError === "function" && typeof onEvent === "function" };
}

/** A `DeployWorkspace` that replays a script and records every call. */
export class FakeWorkspace implements DeployWorkspace {
    /** Calls in order. */
    readonly calls: RecordedCall[] = [];

    /**
     * @param stackName the stack
     * @param script what to replay
     */
    constructor(
        readonly stackName: string,
        private readonly script: FakeScript,
        private readonly timeline: Timeline = new Timeline(),
    ) {}

    async setSecretConfig(config: Record<string, SecretConfigValue>): Promise<void> {
        this.calls.push({ method: "setSecretConfig", options: { ...config } });
        this.script.onSetConfig?.(config);
    }

    async configValue(key: string): Promise<string | undefined> {
        this.calls.push({ method: "configValue", options: { key } });
        return this.script.config?.[key];
    }

    async setPlainConfig(config: Record<string, string>): Promise<void> {
        this.calls.push({ method: "setPlainConfig", options: { ...config } });
        this.script.onSetPlainConfig?.(config);
    }

    private async replay(method: RecordedCall["method"], request: OperationStreams & Record<string, unknown>): Promise<OperationResult> {
        const { options, streamed } = withoutStreams(request);
        this.calls.push({ method, options, streamed });
        this.timeline.start(this.stackName, method);
        try {
            return await this.replaySteps(request, this.script.byMethod?.[method as "preview"] ?? {});
        } finally {
            this.timeline.end(this.stackName, method);
        }
    }

    private async replaySteps(request: OperationStreams & Record<string, unknown>, override: Pick<FakeScript, "events" | "error">): Promise<OperationResult> {
        if (this.script.delayMs !== undefined) {
            await new Promise((resolve) => setTimeout(resolve, this.script.delayMs));
        }
        for (const chunk of this.script.output ?? []) {
            request.onOutput(chunk);
        }
        for (const chunk of this.script.stderr ?? []) {
            request.onError(chunk);
        }
        let lastSummary: OpMap = {};
        for (const event of override.events ?? this.script.events ?? []) {
            request.onEvent(event);
            if (event.summaryEvent) {
                lastSummary = event.summaryEvent.resourceChanges;
            }
        }
        const error = "error" in override ? override.error : this.script.error;
        if (error !== undefined) {
            throw error;
        }
        return { changeSummary: this.script.changeSummary ?? lastSummary };
    }

    preview(request: Parameters<DeployWorkspace["preview"]>[0]): Promise<OperationResult> {
        return this.replay("preview", request as unknown as OperationStreams & Record<string, unknown>);
    }

    up(request: Parameters<DeployWorkspace["up"]>[0]): Promise<OperationResult> {
        return this.replay("up", request as unknown as OperationStreams & Record<string, unknown>);
    }

    refresh(request: Parameters<DeployWorkspace["refresh"]>[0]): Promise<OperationResult> {
        return this.replay("refresh", request as unknown as OperationStreams & Record<string, unknown>);
    }

    destroy(request: Parameters<DeployWorkspace["destroy"]>[0]): Promise<OperationResult> {
        return this.replay("destroy", request as unknown as OperationStreams & Record<string, unknown>);
    }

    async outputs(): Promise<Record<string, OutputEntry>> {
        this.calls.push({ method: "outputs" });
        return this.script.outputs ?? {};
    }

    async secretOutputEntry(name: string, key: string): Promise<string | undefined> {
        this.calls.push({ method: "secretOutputEntry", options: { name, key } });
        return this.script.secretOutputs?.[name]?.[key];
    }

    async secretOutput(name: string): Promise<string | undefined> {
        this.calls.push({ method: "secretOutput", options: { name } });
        return this.script.secretValues?.[name];
    }
}

/**
 * Recorded engine events of one fixture, `test/fixtures/engine-events/<name>.json`.
 *
 * @param name fixture name without `.json`
 */
export function loadEngineEvents(name: string): EngineEvent[] {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as EngineEvent[];
}

/**
 * {@link makeFakeRepo} for one test file: every repository it makes is removed after each test.
 */
export function fakeRepos(): (options?: Parameters<typeof makeFakeRepo>[0]) => string {
    const roots: string[] = [];
    afterEach(() => {
        for (const root of roots.splice(0)) {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
    return (options) => {
        const root = makeFakeRepo(options);
        roots.push(root);
        return root;
    };
}

/**
 * A throw-away copy of the repository's project files (Pulumi.yaml, the shipped stack files, a policy pack
 * manifest) so runs can create the state directory and rewrite stack files without touching the checkout.
 *
 * @param options `policyPack: false` leaves out policy/PulumiPolicy.yaml; `extraStacks` adds stack files
 */
export function makeFakeRepo(options: { policyPack?: boolean; extraStacks?: Record<string, string>; tenantProgram?: boolean; catalogs?: boolean } = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-repo-"));
    for (const name of fs.readdirSync(REPO)) {
        if (/^Pulumi(\..+)?\.yaml$/.test(name)) {
            fs.copyFileSync(path.join(REPO, name), path.join(root, name));
        }
    }
    for (const [stack, text] of Object.entries(options.extraStacks ?? {})) {
        fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), text);
    }
    if (options.tenantProgram !== false) {
        // The tenant program's project file is all the driver looks for (the program itself runs in the CLI).
        fs.mkdirSync(path.join(root, "programs", "tenant"), { recursive: true });
        fs.writeFileSync(path.join(root, "programs", "tenant", "Pulumi.yaml"), "name: platform-tenant\nruntime: nodejs\n");
        fs.mkdirSync(path.join(root, "programs", "grants"), { recursive: true });
        fs.writeFileSync(path.join(root, "programs", "grants", "Pulumi.yaml"), "name: platform-grants\nruntime: nodejs\n");
    }
    if (options.catalogs) {
        fs.cpSync(path.join(REPO, "stacks"), path.join(root, "stacks"), { recursive: true });
    }
    if (options.policyPack !== false) {
        fs.mkdirSync(path.join(root, "policy"), { recursive: true });
        fs.writeFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\ndescription: platform-security\n");
    }
    return root;
}

/** A harness around `runDeploy`: fake workspace, captured stdout/stderr, fixed clock, a found CLI. */
export interface Harness {
    /** Dependencies to pass to `runDeploy`. */
    deps: DeployDependencies;
    /** Everything written to stdout. */
    stdout(): string;
    /** Everything written to stderr. */
    stderr(): string;
    /** Settings of every `openWorkspace` call. */
    opened: WorkspaceSettings[];
    /** The workspace opened last (undefined if none was opened). */
    workspace(): FakeWorkspace | undefined;
    /** How often the CLI was looked for. */
    cliChecks(): number;
    /** Every workspace opened, by stack name (the last one per stack). */
    workspaces: Map<string, FakeWorkspace>;
    /** Starts and ends of every operation of every workspace. */
    timeline: Timeline;
    /** Settings of every `listStacks` call. */
    listed: ListStacksSettings[];
}

/** What the harness fakes besides the stack operations. */
export interface HarnessOptions {
    /** Scripts per stack name; stacks without one replay the harness's default script. */
    scripts?: Record<string, FakeScript>;
    /** Stack names the backend lists for the tenant program (`pulumi stack ls`). */
    backendStacks?: string[];
    /** Stack names the backend lists for the grants program; default: a grants stack beside each tenant stack of `backendStacks`. */
    backendGrantsStacks?: string[];
    /** Thrown by `listStacks`. */
    listError?: unknown;
    /** Tenant ids of the catalog (a catalog check that finds no problem), or a whole catalog check. */
    catalog?: string[] | CatalogCheck;
}

/** A catalog check that reports these tenants (files at their conventional path) and no problem. */
export function fakeCatalog(ids: readonly string[]): CatalogCheck {
    return (_root, region): CatalogResult => ({ tenants: ids.map((id) => ({ id, file: `stacks/${region}/projects/${id}.yaml` })), problems: [] });
}

/**
 * Builds a harness.
 *
 * @param repoRoot the (fake) repository
 * @param script what the workspace replays
 * @param env process environment for the run; defaults to a passphrase only
 * @param cli what CLI detection reports; defaults to found on PATH
 */
export function harness(
    repoRoot: string,
    script: FakeScript = {},
    env: NodeJS.ProcessEnv = { PULUMI_CONFIG_PASSPHRASE: "correct horse" },
    cli?: CliDetection,
    options: HarnessOptions = {},
): Harness {
    let out = "";
    let err = "";
    let checks = 0;
    let last: FakeWorkspace | undefined;
    const opened: WorkspaceSettings[] = [];
    const workspaces = new Map<string, FakeWorkspace>();
    const timeline = new Timeline();
    const listed: ListStacksSettings[] = [];
    const catalog = typeof options.catalog === "function" ? options.catalog : fakeCatalog(options.catalog ?? []);
    let clock = 1_000_000;
    return {
        deps: {
            repoRoot,
            env,
            stdout: (text) => {
                out += text;
            },
            stderr: (text) => {
                err += text;
            },
            detectCli: () => {
                checks += 1;
                return cli ?? { found: true, command: "/usr/local/bin/pulumi", source: "PATH" };
            },
            openWorkspace: async (settings) => {
                opened.push(settings);
                if (script.openError !== undefined) {
                    throw script.openError;
                }
                last = new FakeWorkspace(settings.stackName, options.scripts?.[settings.stackName] ?? script, timeline);
                workspaces.set(settings.stackName, last);
                return last;
            },
            listStacks: async (settings) => {
                listed.push(settings);
                if (options.listError !== undefined) {
                    throw options.listError;
                }
                if (settings.workDir.endsWith(path.join("programs", "grants"))) {
                    return options.backendGrantsStacks ?? (options.backendStacks ?? []).filter((name) => name.includes("--")).map((name) => `${name}--grants`);
                }
                return options.backendStacks ?? [];
            },
            checkCatalog: catalog,
            now: () => (clock += 1500),
        },
        stdout: () => out,
        stderr: () => err,
        opened,
        workspace: () => last,
        cliChecks: () => checks,
        workspaces,
        timeline,
        listed,
    };
}
