import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { z } from "zod";
import { CONFIG_EXAMPLES, meshSchema, type PlatformConfig } from "./schema";
import { InputValidationError, issuesToProblems, type InputProblem } from "../validation";

/**
 * Every stack's share of the one tailnet policy. The tailnet has a single policy document, so the stack that
 * applies it must know every other stack's tags and admins: they are read from the `Pulumi.<stack>.yaml`
 * files committed next to `Pulumi.yaml`, and exactly one of them sets `platform:mesh.manageAcl: true`.
 */

/** What one stack contributes to the tailnet policy. */
export interface StackMeshDeclaration {
    /** Pulumi stack name; it prefixes the stack's tags (`tag:<stack>-server`) and admin group. */
    stack: string;
    /** Tailnet logins of the stack's admins. */
    admins: readonly string[];
    /** Whether this stack applies the tailnet policy (exactly one stack does). */
    manageAcl: boolean;
}

/**
 * Stack names usable in tags: Tailscale tag names start with a letter and hold only letters, digits and dashes
 * (`tailcfg.CheckTag` in tailscale/tailscale), while Pulumi stack names may also contain `.` and `_`.
 */
const TAGGABLE_STACK = /^[a-z][a-z0-9-]*$/;

/** Why a stack name cannot prefix tailnet tags, or undefined when it can. */
export function stackNameProblem(stack: string): string | undefined {
    return TAGGABLE_STACK.test(stack)
        ? undefined
        : `stack name "${stack}" cannot prefix Tailscale tags (tag:${stack}-server): use lowercase letters, digits and dashes, starting with a letter`;
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
/** The mesh block under its config key, so problems carry the same `platform:mesh.<key>` paths as the program's. */
const meshBlock = z.object({ mesh: meshSchema });

/** The `platform:mesh` block of each `Pulumi.<stack>.yaml` in `rootDir`, validated; problems name the file. */
export function readStackMeshDeclarations(rootDir: string): { declarations: StackMeshDeclaration[]; problems: InputProblem[] } {
    const declarations: StackMeshDeclaration[] = [];
    const problems: InputProblem[] = [];
    const files = fs.existsSync(rootDir) ? fs.readdirSync(rootDir).filter((f) => STACK_FILE.test(f)).sort() : [];
    for (const file of files) {
        const stack = STACK_FILE.exec(file)![1]!;
        let doc: { config?: Record<string, unknown> } | undefined;
        try {
            doc = yaml.load(fs.readFileSync(path.join(rootDir, file), "utf8"), { filename: file }) as typeof doc;
        } catch (error) {
            problems.push({ source: file, path: "(file)", problem: `not valid YAML: ${error instanceof Error ? error.message : String(error)}`, fix: "fix the YAML syntax" });
            continue;
        }
        const parsed = meshBlock.safeParse({ mesh: doc?.config?.["platform:mesh"] });
        if (!parsed.success) {
            const found = issuesToProblems(file, "platform:", parsed.error.issues, CONFIG_EXAMPLES);
            problems.push(...found.map((p) => ({ ...p, path: p.path.replace(/^platform:\./, "platform:") })));
            continue;
        }
        declarations.push({ stack, admins: parsed.data.mesh.admins, manageAcl: parsed.data.mesh.manageAcl });
    }
    return { declarations, problems };
}

/** Problems with the set of declarations as a whole: tag-safe names, and exactly one owner of the policy. */
export function tailnetOwnershipProblems(declarations: readonly StackMeshDeclaration[]): InputProblem[] {
    const problems: InputProblem[] = [];
    for (const { stack } of declarations) {
        const problem = stackNameProblem(stack);
        if (problem) {
            problems.push({ source: `Pulumi.${stack}.yaml`, path: "(stack name)", problem, fix: `rename the stack, e.g. pulumi stack rename ${stack.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^[^a-z]+/, "") || "dev"}` });
        }
    }
    const owners = declarations.filter((d) => d.manageAcl);
    if (owners.length > 1) {
        for (const owner of owners) {
            problems.push({
                source: `Pulumi.${owner.stack}.yaml`,
                path: "platform:mesh.manageAcl",
                problem: `the tailnet policy is one document; only one stack may apply it, but ${owners.map((o) => o.stack).join(", ")} all set manageAcl: true`,
                fix: `keep manageAcl: true on one stack (e.g. ${owners[0]!.stack}) and remove it from the others`,
            });
        }
    }
    if (owners.length === 0 && declarations.length > 0) {
        problems.push({
            source: declarations.map((d) => `Pulumi.${d.stack}.yaml`).join(", "),
            path: "platform:mesh.manageAcl",
            problem: "no stack applies the tailnet policy, so no stack's node tags exist and no auth key can be minted",
            fix: `set manageAcl: true in the platform:mesh block of one stack, e.g. Pulumi.${declarations[0]!.stack}.yaml`,
        });
    }
    return problems;
}

/**
 * The project directory: `start` or the nearest ancestor holding `Pulumi.yaml` (the program may run compiled
 * from a subdirectory, while the stack files stay next to `Pulumi.yaml`). `start` itself when none is found.
 */
export function projectRoot(start: string): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return path.resolve(start);
    }
}

/**
 * Every stack's declaration for the running stack: the stack files in the project directory of `rootDir`, with the running stack's own
 * entry taken from its validated config (added when its file is elsewhere). Throws `InputValidationError`
 * listing every problem (bad mesh blocks in other files, untaggable names, not exactly one owner).
 */
export function loadTailnetStacks(rootDir: string, stack: string, mesh: PlatformConfig["mesh"]): StackMeshDeclaration[] {
    const { declarations, problems } = readStackMeshDeclarations(projectRoot(rootDir));
    const current: StackMeshDeclaration = { stack, admins: mesh.admins, manageAcl: mesh.manageAcl };
    const all = [...declarations.filter((d) => d.stack !== stack), current].sort((a, b) => a.stack.localeCompare(b.stack));
    problems.push(...tailnetOwnershipProblems(all));
    if (problems.length > 0) {
        throw new InputValidationError(problems);
    }
    return all;
}
