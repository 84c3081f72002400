import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputValidationError } from "../../../lib/validation";
import { loadTailnetStacks, projectRoot, readStackMeshDeclarations, tailnetOwnershipProblems } from "../../../lib/config/tailnet-stacks";
import { stackConfig } from "../../helpers/config";
import { ROOT } from "../../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-tailnet-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A directory of stack files whose `platform:mesh` blocks are the given YAML snippets. */
function stackDir(name: string, meshes: Record<string, string>): string {
    const dir = path.join(scratch, name);
    fs.mkdirSync(dir);
    for (const [stack, mesh] of Object.entries(meshes)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), `config:\n  platform:environment: dev\n  platform:mesh:\n${mesh.replace(/^/gm, "    ")}\n`);
    }
    return dir;
}

const MESH = "magicDnsSuffix: tail1a2b3c.ts.net\nadmins: [alice@example.com]";

function problemsOf(run: () => unknown) {
    try {
        run();
    } catch (error) {
        if (error instanceof InputValidationError) return error.problems;
        throw error;
    }
    return [];
}

describe("one owner of the tailnet policy across the repository's stack files", () => {
    it("the shipped stacks have exactly one owner: fsn1", () => {
        const { declarations, problems } = readStackMeshDeclarations(ROOT);
        expect(problems).toEqual([]);
        expect(tailnetOwnershipProblems(declarations)).toEqual([]);
        expect(declarations.filter((d) => d.manageAcl).map((d) => d.stack)).toEqual(["fsn1"]);
    });

    it("refuses two owners, naming both files", () => {
        const dir = stackDir("two-owners", { dev: `${MESH}\nmanageAcl: true`, prod: `${MESH}\nmanageAcl: true`, stage: MESH });
        const problems = problemsOf(() => loadTailnetStacks(dir, "stage", stackConfig("hel1").mesh));
        expect(problems.map((p) => [p.source, p.path])).toEqual([
            ["Pulumi.dev.yaml", "platform:mesh.manageAcl"],
            ["Pulumi.prod.yaml", "platform:mesh.manageAcl"],
        ]);
        expect(problems[0]!.problem).toContain("only one stack may apply it, but dev, prod all set manageAcl: true");
        expect(problems[0]!.fix).toBe("keep manageAcl: true on one stack (e.g. dev) and remove it from the others");
    });

    it("counts the running stack's own config, not only its file", () => {
        const dir = stackDir("running-owner", { dev: MESH, prod: `${MESH}\nmanageAcl: true` });
        const mesh = { ...stackConfig("dev").mesh, manageAcl: true };
        expect(problemsOf(() => loadTailnetStacks(dir, "dev", mesh)).map((p) => p.source)).toEqual(["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
        const owned = loadTailnetStacks(dir, "dev", { ...mesh, manageAcl: false, admins: ["zoe@example.com"] });
        expect(owned).toEqual([
            { stack: "dev", admins: ["zoe@example.com"], manageAcl: false },
            { stack: "prod", admins: ["alice@example.com"], manageAcl: true },
        ]);
    });

    it("refuses a repository where no stack applies the policy", () => {
        const dir = stackDir("no-owner", { dev: MESH, prod: MESH });
        const problems = problemsOf(() => loadTailnetStacks(dir, "dev", stackConfig("dev").mesh));
        expect(problems).toHaveLength(1);
        expect(problems[0]!.problem).toContain("no stack applies the tailnet policy");
        expect(problems[0]!.fix).toBe("set manageAcl: true in the platform:mesh block of one stack, e.g. Pulumi.dev.yaml");
    });

    it("reports another stack's broken mesh block and an untaggable stack name with their files", () => {
        const dir = stackDir("broken", { dev: `${MESH}\nmanageAcl: true`, prod: "magicDnsSuffix: tail1a2b3c.ts.net\nadmins: [not-a-login]", My_Stack: MESH });
        const problems = problemsOf(() => loadTailnetStacks(dir, "dev", { ...stackConfig("dev").mesh, manageAcl: true }));
        expect(problems.map((p) => [p.source, p.path])).toEqual([
            ["Pulumi.prod.yaml", "platform:mesh.admins[0]"],
            ["Pulumi.My_Stack.yaml", "(stack name)"],
        ]);
        expect(problems[1]!.problem).toContain('stack name "My_Stack" cannot prefix Tailscale tags');
    });

    it("finds the stack files next to Pulumi.yaml when the program runs from a subdirectory", () => {
        const dir = stackDir("compiled", { dev: MESH, prod: `${MESH}\nmanageAcl: true` });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
        const bin = path.join(dir, "bin", "lib");
        fs.mkdirSync(bin, { recursive: true });
        expect(projectRoot(bin)).toBe(dir);
        expect(projectRoot(ROOT)).toBe(ROOT);
        expect(loadTailnetStacks(bin, "dev", stackConfig("dev").mesh).map((d) => d.stack)).toEqual(["dev", "prod"]);
    });
});
