/**
 * `npm run ci:select -- --base <ref> [--head <ref>] [--github-output <file>]`: which stacks a pull request or a
 * push touches (tools/driver/changes.ts), from `git diff --name-status <base>...<head>` and the tenant files on
 * both sides. Prints the selection as JSON; with `--github-output` also writes `matrix` (one entry per region:
 * `{stack, selection}` for `npm run deploy -- <command> --stack <stack> <selection>`) and `any` for the workflow.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { previewMatrix, selectChangedStacks, type FileChange } from "./driver/changes";

function git(cwd: string, args: string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Parses `git diff --name-status -z` output: `<status>\0<path>\0`, renames and copies `<R|C><score>\0<from>\0<to>\0`.
 *
 * @param output the raw output
 */
export function parseNameStatus(output: string): FileChange[] {
    const fields = output.split("\0");
    const changes: FileChange[] = [];
    for (let i = 0; i < fields.length - 1; ) {
        const status = fields[i++]!.charAt(0) as FileChange["status"];
        if (status === "R" || status === "C") {
            const from = fields[i++]!;
            const to = fields[i++]!;
            changes.push({ status, path: to, from });
        } else {
            changes.push({ status, path: fields[i++]! });
        }
    }
    return changes;
}

/**
 * The project id in a tenant file's text: `id`, else `name` (undefined when the text is no such document).
 *
 * @param text the file's content
 */
export function tenantIdOfText(text: string): string | undefined {
    try {
        const doc = yaml.load(text, { json: false }) as { id?: unknown; name?: unknown } | null;
        const id = doc?.id ?? doc?.name;
        return typeof id === "string" && id !== "" ? id : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Computes the selection for a repository between two refs.
 *
 * @param cwd the repository
 * @param base the base ref (the merge base with `head` is what is compared)
 * @param head the head ref
 */
export function selectBetween(cwd: string, base: string, head: string) {
    const mergeBase = git(cwd, ["merge-base", base, head]).trim();
    const changes = parseNameStatus(git(cwd, ["diff", "--name-status", "-z", "-M", mergeBase, head]));
    const regions = git(cwd, ["ls-tree", "--name-only", head])
        .split("\n")
        .map((name) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
    const readId = (side: "base" | "head", file: string): string | undefined => {
        try {
            return tenantIdOfText(git(cwd, ["show", `${side === "base" ? mergeBase : head}:${file}`]));
        } catch {
            return undefined;
        }
    };
    const selection = selectChangedStacks(changes, regions, readId);
    return { ...selection, matrix: previewMatrix(selection) };
}

function main(): number {
    const { values } = parseArgs({
        options: { base: { type: "string" }, head: { type: "string", default: "HEAD" }, "github-output": { type: "string" } },
        allowPositionals: false,
    });
    if (!values.base) {
        console.error("usage: npm run ci:select -- --base <ref> [--head <ref>] [--github-output <file>]");
        return 1;
    }
    const result = selectBetween(process.cwd(), values.base, values.head);
    console.log(JSON.stringify(result, null, 2));
    if (values["github-output"]) {
        fs.appendFileSync(values["github-output"], `matrix=${JSON.stringify(result.matrix)}\nany=${result.matrix.length > 0}\n`);
    }
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) {
        const lines = ["### Stacks this change touches", ""];
        for (const region of result.regions) {
            lines.push(`- **${region.region}**: ${region.scope === "all" ? "platform and every tenant" : region.tenants.map((t) => `\`${t}\``).join(", ") || "no stack"}${region.removed.length > 0 ? `; removed (pending deletion after merge): ${region.removed.map((t) => `\`${t}\``).join(", ")}` : ""}`);
            lines.push(...region.reasons.map((reason) => `  - ${reason}`));
        }
        if (result.regions.length === 0) {
            lines.push("No stack: only documentation, tests or offline tooling changed.");
        }
        fs.appendFileSync(summary, `${lines.join("\n")}\n`);
    }
    return 0;
}

if (require.main === module) {
    process.exitCode = main();
}
