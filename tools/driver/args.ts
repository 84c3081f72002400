/**
 * Command line of `npm run deploy -- <subcommand> --stack <name> [options]`: parsing and structural validation.
 * Confirmation rules that depend on the stack (production, `--yes`) live in orchestrate.ts so that programmatic
 * callers cannot skip them.
 */
import { parseArgs } from "node:util";
import { labelMessage, labelPattern, PROJECT_NAME_MAX } from "../../lib/tenants/names";
import { exitCodeLegend } from "./exit-codes";

/** The subcommands, in the order the usage text lists them. */
export const SUBCOMMANDS = ["preview", "up", "refresh", "drift", "destroy", "rollback"] as const;

/** One deploy subcommand. */
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** Parsed and validated command line. */
export interface DeployArgs {
    /** What to do. */
    command: Subcommand;
    /** Stack name as given (`dev`, or qualified `org/platform/dev`); its last segment names `Pulumi.<stack>.yaml`. */
    stack: string;
    /** `--yes`: consent to change infrastructure or state (required by up, refresh and destroy). */
    yes: boolean;
    /** `--json <file>`: where to write the machine-readable report. */
    jsonPath?: string;
    /** `--markdown <file>`: where to write the PR-comment summary. */
    markdownPath?: string;
    /** `--confirm <stack>`: the stack name typed again (destroy only). */
    confirm?: string;
    /** `--allow-production-destroy`: lets destroy proceed on a stack whose `platform:environment` is production. */
    allowProductionDestroy: boolean;
    /** `--tenant <id>` (repeatable): run these tenants' stacks; empty when none was named. */
    tenants: string[];
    /** `--all`: the platform stack and every tenant stack of the region. */
    all: boolean;
    /** `--parallel <n>`: the most tenant stacks running at once. */
    parallel: number;
    /** rollback only: the built service to return to an earlier image (`--service`). */
    service?: string;
    /** rollback only: the commit (full, or a prefix of 7+ hex digits) to return to (`--to`); default the previous image. */
    to?: string;
}

/** Tenant stacks running at once unless `--parallel` says otherwise. */
export const DEFAULT_PARALLEL = 4;

// Each tenant operation is one CLI process plus its language host and providers (hundreds of MiB each).
const MAX_PARALLEL = 32;

/** Result of parsing: either arguments to run or a request for the usage text. */
export type ParsedCommandLine = { kind: "run"; args: DeployArgs } | { kind: "help" };

/** A command line that cannot be run; the message says what is wrong, the usage text follows it. */
export class UsageError extends Error {
    /** @param message what is wrong with the command line */
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** Usage text printed with `--help` and after every usage error. */
export const USAGE = `usage: npm run deploy -- <subcommand> --stack <region> [--tenant <id> ... | --all] [options]

subcommands:
  preview   show what would change (policy pack attached)
  up        apply the changes (policy pack attached); needs --yes
  refresh   adopt the real state of resources into the stack state; needs --yes
  drift     preview with refresh and expectNoChanges; exit 3 when anything differs
  destroy   delete every resource of the stack; needs --yes and --confirm <stack>
  rollback  return one built service of one tenant to its previous (or --to) image: pins it in the tenant
            stack file (tenant:pins) and runs up on that tenant stack; needs --tenant, --service and --yes

stacks (the catalog check over stacks/<region>/projects/ runs first, always):
  (no selection)               the region's platform stack only
  --tenant <id>                that tenant's stack (repeatable); up first previews the platform stack and
                               updates it when it changed; destroy: one tenant whose file was removed
  --all                        the platform stack, then every tenant stack (destroy: tenants first)
  --parallel <n>               tenant stacks running at once (default ${DEFAULT_PARALLEL}, at most ${MAX_PARALLEL})

options:
  --stack <region>             region (Pulumi.<region>.yaml), e.g. dev, fsn1, hel1
  --yes                        consent to change infrastructure or state
  --json <file>                write the report (summary, policy, outputs with secrets redacted) as JSON
  --markdown <file>            write a markdown summary (for a PR comment)
  --confirm <stack>            destroy only: the stack name typed again (a tenant's: its stack name)
  --allow-production-destroy   destroy only: allow a stack whose platform:environment is production
  --service <name>             rollback only: the built service to roll back
  --to <commit>                rollback only: the commit to return to (default: the image before the current)
  -h, --help                   this text

exit codes: ${exitCodeLegend()}; over several stacks the most severe one (see README)`;

// Pulumi stack names: letters, digits, '-', '_', '.'; optionally qualified as org/project/stack.
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9][A-Za-z0-9_.-]*){0,2}$/;

function isSubcommand(value: string): value is Subcommand {
    return (SUBCOMMANDS as readonly string[]).includes(value);
}

/**
 * Parses the arguments after `npm run deploy --`. Throws {@link UsageError} with one precise message.
 *
 * @param argv the arguments without node and script path (`process.argv.slice(2)`)
 */
export function parseDeployArgs(argv: readonly string[]): ParsedCommandLine {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                yes: { type: "boolean", default: false },
                json: { type: "string" },
                markdown: { type: "string" },
                confirm: { type: "string" },
                "allow-production-destroy": { type: "boolean", default: false },
                tenant: { type: "string", multiple: true },
                all: { type: "boolean", default: false },
                parallel: { type: "string" },
                service: { type: "string" },
                to: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            allowPositionals: true,
            strict: true,
        });
    } catch (error) {
        // node:util reports unknown options and missing values as TypeErrors with a usable message.
        throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values, positionals } = parsed;
    if (values.help) {
        return { kind: "help" };
    }
    const [command, ...extra] = positionals;
    if (command === undefined) {
        throw new UsageError(`missing subcommand: expected one of ${SUBCOMMANDS.join(", ")}`);
    }
    if (!isSubcommand(command)) {
        throw new UsageError(`unknown subcommand "${command}": expected one of ${SUBCOMMANDS.join(", ")}`);
    }
    if (extra.length > 0) {
        throw new UsageError(`unexpected argument(s) after "${command}": ${extra.join(" ")}`);
    }
    const stack = values.stack;
    if (stack === undefined || stack === "") {
        throw new UsageError(`--stack <name> is required (e.g. --stack dev)`);
    }
    if (!STACK_NAME.test(stack)) {
        throw new UsageError(`invalid stack name "${stack}": use letters, digits, "-", "_" and "." (optionally org/project/stack)`);
    }
    for (const [flag, value] of [["--json", values.json], ["--markdown", values.markdown]] as const) {
        if (value !== undefined && value.trim() === "") {
            throw new UsageError(`${flag} needs a file path`);
        }
    }
    const tenants = values.tenant ?? [];
    const idPattern = labelPattern(PROJECT_NAME_MAX);
    for (const id of tenants) {
        if (!idPattern.test(id)) {
            throw new UsageError(`--tenant "${id}" is not a tenant id: ${labelMessage(PROJECT_NAME_MAX)}`);
        }
    }
    if (new Set(tenants).size !== tenants.length) {
        throw new UsageError(`--tenant names the same tenant twice`);
    }
    if (tenants.length > 0 && values.all) {
        throw new UsageError(`--tenant and --all exclude each other`);
    }
    if (command === "destroy" && tenants.length > 1) {
        throw new UsageError(`destroy takes one --tenant at a time (each needs its own --confirm)`);
    }
    let parallel = DEFAULT_PARALLEL;
    if (values.parallel !== undefined) {
        parallel = Number(values.parallel);
        if (!/^\d+$/.test(values.parallel) || parallel < 1 || parallel > MAX_PARALLEL) {
            throw new UsageError(`--parallel needs a whole number from 1 to ${MAX_PARALLEL}, got "${values.parallel}"`);
        }
    }
    if (command === "rollback") {
        if (tenants.length !== 1) {
            throw new UsageError(`rollback needs exactly one --tenant <id> (the tenant whose service is rolled back)`);
        }
        if (values.service === undefined || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.service)) {
            throw new UsageError(values.service === undefined ? `rollback needs --service <name> (a built service of the tenant)` : `--service "${values.service}" is not a service name`);
        }
        if (values.to !== undefined && !/^[0-9a-f]{7,64}$/.test(values.to)) {
            throw new UsageError(`--to needs a commit id (7 to 64 lowercase hex digits), got "${values.to}"`);
        }
    } else if (values.service !== undefined || values.to !== undefined) {
        throw new UsageError(`--service and --to only apply to rollback`);
    }
    if (command !== "destroy") {
        if (values.confirm !== undefined) {
            throw new UsageError(`--confirm only applies to destroy`);
        }
        if (values["allow-production-destroy"]) {
            throw new UsageError(`--allow-production-destroy only applies to destroy`);
        }
    }
    return {
        kind: "run",
        args: {
            command,
            stack,
            yes: values.yes ?? false,
            jsonPath: values.json,
            markdownPath: values.markdown,
            confirm: values.confirm,
            allowProductionDestroy: values["allow-production-destroy"] ?? false,
            tenants,
            all: values.all ?? false,
            parallel,
            ...(command === "rollback" ? { service: values.service, ...(values.to !== undefined ? { to: values.to } : {}) } : {}),
        },
    };
}

/**
 * The short stack name: the last segment of a qualified name, which is what `Pulumi.<stack>.yaml` is named after.
 *
 * @param stack the stack as given on the command line
 */
export function shortStackName(stack: string): string {
    const segments = stack.split("/");
    return segments[segments.length - 1] ?? stack;
}
