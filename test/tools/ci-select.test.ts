import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNameStatus, selectBetween, tenantIdOfText } from "../../tools/ci-select";

const repo = fs.mkdtempSync(path.join(os.tmpdir(), "ci-select-"));
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

function git(...args: string[]): string {
    return execFileSync("git", args, { cwd: repo, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });
}
function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), text);
}

describe("ci:select over a real git history", () => {
    git("init", "-q", "-b", "main");
    write("Pulumi.yaml", "name: platform\n");
    write("Pulumi.dev.yaml", "config: {}\n");
    write("Pulumi.fsn1.yaml", "config: {}\n");
    write("stacks/dev/projects/hello.yaml", "name: hello\nowner: {name: a, email: a@example.com}\n");
    write("stacks/fsn1/projects/shop.yaml", "name: shop\nid: shop-1\n");
    write("README.md", "# x\n");
    git("add", "-A");
    git("commit", "-qm", "base");

    it("selects the tenants a branch touches, by the id in the file, and reports removed ones", () => {
        git("checkout", "-qb", "feature");
        write("stacks/fsn1/projects/shop.yaml", "name: shop\nid: shop-1\nquota: {cpu: '2'}\n");
        write("README.md", "# y\n");
        git("rm", "-q", "stacks/dev/projects/hello.yaml");
        git("add", "-A");
        git("commit", "-qm", "change");
        // main moves on meanwhile: only the branch's own changes count (merge base).
        git("checkout", "-q", "main");
        write("Pulumi.dev.yaml", "config: {platform:domain: x}\n");
        git("commit", "-qam", "main moves");
        const result = selectBetween(repo, "main", "feature");
        expect(result.matrix).toEqual([{ stack: "fsn1", selection: "--tenant shop-1" }]);
        expect(result.regions.find((r) => r.region === "dev")).toMatchObject({ tenants: [], removed: ["hello"] });
        expect(result.ignored).toEqual(["README.md"]);
    });

    it("selects every stack for program code", () => {
        git("checkout", "-qb", "code", "main");
        write("components/x.ts", "export {};\n");
        git("add", "-A");
        git("commit", "-qm", "code");
        expect(selectBetween(repo, "main~1", "code").matrix).toEqual([
            { stack: "dev", selection: "--all" },
            { stack: "fsn1", selection: "--all" },
        ]);
    });

    it("parses renames from -z output and reads ids leniently", () => {
        expect(parseNameStatus("M\0a.ts\0R087\0stacks/dev/projects/a.yaml\0stacks/dev/projects/b.yaml\0D\0c.md\0")).toEqual([
            { status: "M", path: "a.ts" },
            { status: "R", from: "stacks/dev/projects/a.yaml", path: "stacks/dev/projects/b.yaml" },
            { status: "D", path: "c.md" },
        ]);
        expect(tenantIdOfText("name: a\nid: b\n")).toBe("b");
        expect(tenantIdOfText("name: a\n")).toBe("a");
        expect(tenantIdOfText(": : not yaml [")).toBeUndefined();
        expect(tenantIdOfText("- a list\n")).toBeUndefined();
    });
});
