/**
 * Command line of `npm run deploy -- <subcommand> --stack <name> [options]`: parsing and structural validation.
 * Confirmation rules that depend on the stack (production, `--yes`) live in orchestrate.ts so that programmatic
 * callers cannot skip them.
 */
import { parseArgs } from "node:util";

/** The subcommands, in the order the usage text lists them. */
export const SUBCOMMANDS = ["preview", "up", "refresh", "drift", "destroy"] as const;

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
}

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
export const USAGE = `usage: npm run deploy -- <subcommand> --stack <name> [options]

subcommands:
  preview   show what would change (policy pack attached)
  up        apply the changes (policy pack attached); needs --yes
  refresh   adopt the real state of resources into the stack state; needs --yes
  drift     preview with refresh and expectNoChanges; exit 3 when anything differs
  destroy   delete every resource of the stack; needs --yes and --confirm <stack>

options:
  --stack <name>               stack (Pulumi.<name>.yaml), e.g. dev, fsn1, hel1
  --yes                        consent to change infrastructure or state
  --json <file>                write the report (summary, policy, outputs with secrets redacted) as JSON
  --markdown <file>            write a markdown summary (for a PR comment)
  --confirm <stack>            destroy only: the stack name typed again
  --allow-production-destroy   destroy only: allow a stack whose platform:environment is production
  -h, --help                   this text

exit codes: 0 ok, 1 failure, 2 policy violation, 3 drift found, 4 stack locked`;

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
