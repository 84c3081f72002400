import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_TENANT_FILE_BYTES, parseTenantYaml, readCatalogDirectory, readTenantFile } from "../../../lib/tenants/read";
import { bucketNameProblem, tenantBucketName } from "../../../lib/tenants/names";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-read-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("reading tenant files", () => {
    it("reads a regular file and refuses a FIFO without blocking on it", () => {
        fs.writeFileSync(path.join(scratch, "ok.yaml"), "name: ok\n");
        expect(readTenantFile(path.join(scratch, "ok.yaml"), "ok.yaml")).toEqual({ file: "ok.yaml", text: "name: ok\n" });
        execFileSync("mkfifo", [path.join(scratch, "pipe.yaml")]);
        const read = readTenantFile(path.join(scratch, "pipe.yaml"), "pipe.yaml");
        expect("problem" in read && read.problem.problem).toMatch(/not a regular file/);
    });

    it("accepts a file of exactly the cap and refuses one byte more", () => {
        fs.writeFileSync(path.join(scratch, "cap.yaml"), "#".repeat(MAX_TENANT_FILE_BYTES));
        fs.writeFileSync(path.join(scratch, "over.yaml"), "#".repeat(MAX_TENANT_FILE_BYTES + 1));
        expect("text" in readTenantFile(path.join(scratch, "cap.yaml"), "cap.yaml")).toBe(true);
        expect("problem" in readTenantFile(path.join(scratch, "over.yaml"), "over.yaml")).toBe(true);
    });

    it("refuses a catalog directory that is a symlink", () => {
        fs.mkdirSync(path.join(scratch, "real"));
        fs.symlinkSync(path.join(scratch, "real"), path.join(scratch, "linked"));
        expect(readCatalogDirectory(path.join(scratch, "linked"), scratch)).toEqual([
            expect.objectContaining({ file: "linked", problem: expect.objectContaining({ path: "(directory)" }) }),
        ]);
        expect(readCatalogDirectory(path.join(scratch, "missing"), scratch)).toEqual([]);
    });
});

describe("parsing tenant YAML", () => {
    it("uses the YAML 1.2 core schema (yes stays a string) and allows a few aliases", () => {
        expect(parseTenantYaml("a: yes\nb: &x 1\nc: *x\n", "f.yaml")).toEqual({ data: { a: "yes", b: 1, c: 1 } });
    });

    it("refuses duplicate keys", () => {
        const parsed = parseTenantYaml("name: a\nname: b\n", "f.yaml");
        expect("problem" in parsed && parsed.problem.problem).toMatch(/not valid YAML/);
    });

    it("parses a text once per process and hands each caller its own copy", () => {
        const text = "name: once\nservices: [{name: web, env: {A: b}}]\n";
        const first = parseTenantYaml(text, "stacks/dev/projects/once.yaml") as { data: { services: Array<{ env: Record<string, string> }> } };
        first.data.services[0]!.env.A = "changed by the first caller";
        const second = parseTenantYaml(text, "once.yaml");
        expect(second).toEqual({ data: { name: "once", services: [{ name: "web", env: { A: "b" } }] } });
        expect(second).not.toBe(first);
    });

    it("never reuses a problem: each names the file it was read from", () => {
        const text = "name: a\nname: again\n";
        const one = parseTenantYaml(text, "one.yaml");
        const other = parseTenantYaml(text, "other.yaml");
        expect("problem" in one && one.problem.source).toBe("one.yaml");
        expect("problem" in other && other.problem.source).toBe("other.yaml");
    });
});

describe("bucket names", () => {
    it("follow the S3 rules", () => {
        expect(bucketNameProblem("ab")).toMatch(/3 to 63/);
        expect(bucketNameProblem("a".repeat(64))).toMatch(/3 to 63/);
        expect(bucketNameProblem("Shop")).toMatch(/a-z/);
        expect(bucketNameProblem("a..b")).toMatch(/'\.\.'/);
        expect(bucketNameProblem("192.168.1.1")).toMatch(/IP address/);
        expect(bucketNameProblem("shop--ol-s3")).toMatch(/suffix --ol-s3/);
        expect(bucketNameProblem(tenantBucketName("shop", "uploads"))).toBeUndefined();
    });
});
