import { describe, expect, it } from "vitest";
import { execProbeProblem, fileNameProblem, imageReference, mountPathProblem, projectSchema, secretLookingEnv } from "../../../lib/tenants/schema";

/**
 * The edges of the tenant schema's refusal rules, each case written out by hand: anchors of every pattern,
 * bounds at and one past the limit, names with dots, paths with the right characters in the wrong place.
 * Part of the tenants guard set of `npm run mutation` (test/mutations/modules.json).
 */

const imageProblems = (image: string) => {
    const result = imageReference.safeParse(image);
    return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe("mount paths", () => {
    it("must start with '/': a relative path ending in valid characters is refused", () => {
        expect(mountPathProblem("data/tmp")).toBe(`"data/tmp" must be an absolute path of a-z, 0-9, '-', '_', '.', '/' (at most 256 characters)`);
    });

    it("may be exactly 256 characters, not 257", () => {
        const at = `/${"d".repeat(255)}`;
        expect(at).toHaveLength(256);
        expect(mountPathProblem(at)).toBeUndefined();
        expect(mountPathProblem(`${at}d`)).toMatch(/must be an absolute path/);
    });

    it("may carry dots inside a segment name", () => {
        expect(mountPathProblem("/data/v1.2")).toBeUndefined();
        expect(mountPathProblem("/opt/app.d/cache")).toBeUndefined();
        expect(mountPathProblem("/srv/..hidden")).toBeUndefined();
    });

    it("refuses '.' and '..' segments anywhere, '//' and a trailing '/'", () => {
        for (const p of ["/tmp/..", "/tmp/.", "/..", "/.", "/a/../b", "/a/./b", "/./a", "/../a", "/a//b", "//a", "/a/", "/a/b/"]) {
            expect(mountPathProblem(p), p).toBe(`"${p}" is not a normalized path (no '.', '..', '//' or trailing '/')`);
        }
    });
});

describe("image references", () => {
    it("a bare name without a registry, tag or digest has no tag", () => {
        expect(imageProblems("nginx")).toEqual([`image "nginx" has no tag; pin a version so deploys are reproducible`]);
    });

    it("a tag may use capitals and underscores, behind a registry with a port", () => {
        expect(imageProblems("registry.example.com:5000/team/app:V1_0")).toEqual([]);
        expect(imageProblems("ghcr.io/example/web:Release-2024.01")).toEqual([]);
    });

    it("a one-character name is a name", () => {
        expect(imageProblems("a:1.0")).toEqual([]);
    });

    it("a tag and a digest together, with the digest checked", () => {
        const digest = "a".repeat(64);
        expect(imageProblems(`ghcr.io/example/web:V1@sha256:${digest}`)).toEqual([]);
        expect(imageProblems(`ghcr.io/example/web:1@sha256:${"a".repeat(63)}`)).toEqual([`"ghcr.io/example/web:1@sha256:${"a".repeat(63)}" is not a valid image reference`]);
    });
});

describe("exec probes", () => {
    it("judge a program by its file name, behind any directory", () => {
        expect(execProbeProblem(["/bin/sh", "-c", "true"])).toBe(`exec probes run argv arrays, not shell strings: "/bin/sh" would interpret its arguments as code`);
        expect(execProbeProblem(["/usr/local/bin/node", "check.js"])).toMatch(/"\/usr\/local\/bin\/node"/);
    });

    it("judge an interpreter by its name without a version suffix", () => {
        expect(execProbeProblem(["python3.11", "-c", "print(1)"])).toMatch(/"python3\.11" would interpret/);
        expect(execProbeProblem(["/usr/bin/perl5.36", "-e", "1"])).toMatch(/"\/usr\/bin\/perl5\.36"/);
        // A program that only starts like an interpreter is not one.
        expect(execProbeProblem(["shellcheck-probe", "x"])).toBeUndefined();
        expect(execProbeProblem(["pg_isready2", "-h", "localhost"])).toBeUndefined();
    });

    it("judge an interpreter by its name with digits stripped from the end only", () => {
        // Stripping the first run of digits instead would make "1bash" bash.
        expect(execProbeProblem(["1bash", "--check"])).toBeUndefined();
        expect(execProbeProblem(["/opt/bin/2sh"])).toBeUndefined();
        expect(execProbeProblem(["bash5", "-c", "true"])).toBe(`exec probes run argv arrays, not shell strings: "bash5" would interpret its arguments as code`);
    });

    it("refuse an empty argv as having no program", () => {
        expect(execProbeProblem([])).toBe(`"" is not a program name or path (letters, digits, '_', '.', '/', '-')`);
    });

    it("refuse a control character in any argument, the program included, naming its index", () => {
        expect(execProbeProblem(["redis-cli\n", "ping"])).toBe("argument 0 contains a control character (newline, NUL, …)");
        expect(execProbeProblem(["redis-cli", "ping", "x\ty"])).toBe("argument 2 contains a control character (newline, NUL, …)");
    });

    it("refuse a program name with shell characters at either end", () => {
        expect(execProbeProblem(["x;redis-cli", "ping"])).toBe(`"x;redis-cli" is not a program name or path (letters, digits, '_', '.', '/', '-')`);
        expect(execProbeProblem(["redis-cli;x", "ping"])).toBe(`"redis-cli;x" is not a program name or path (letters, digits, '_', '.', '/', '-')`);
        expect(execProbeProblem(["./bin/health_check-2.sh.x", "--quick"])).toBeUndefined();
    });
});

describe("file names in mounted directories", () => {
    it("may be 253 characters, not 254", () => {
        expect(fileNameProblem("f".repeat(253))).toBeUndefined();
        expect(fileNameProblem("f".repeat(254))).toMatch(/must be a file name of a-z/);
    });

    it("may not hold a '/' or other characters anywhere", () => {
        expect(fileNameProblem("dir/tls.crt")).toBe(`"dir/tls.crt" must be a file name of a-z, A-Z, 0-9, '-', '_', '.' (no '/', at most 253 characters)`);
        expect(fileNameProblem("tls.crt/")).toMatch(/must be a file name/);
        expect(fileNameProblem("tls crt")).toMatch(/must be a file name/);
    });

    it("may not be '.' or start with '..', and may end with dots", () => {
        expect(fileNameProblem(".")).toBe(`"." must not be '.' or start with '..'`);
        expect(fileNameProblem("..data")).toBe(`"..data" must not be '.' or start with '..'`);
        expect(fileNameProblem("x..")).toBeUndefined();
        expect(fileNameProblem(".env")).toBeUndefined();
        expect(fileNameProblem("tls.crt")).toBeUndefined();
    });
});

describe("container checks", () => {
    const base = (service: Record<string, unknown>) => ({
        name: "shop",
        owner: { name: "Shop team", email: "shop@example.com" },
        quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 },
        services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, ...service }],
    });
    const issuesOf = (doc: unknown) => {
        const result = projectSchema.safeParse(doc);
        return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message, fix: (i as { params?: { fix?: string } }).params?.fix }));
    };

    it("a privilege key is refused at its own path with the restricted-container fix", () => {
        expect(issuesOf(base({ hostNetwork: true }))).toEqual([
            {
                path: "services.0.hostNetwork",
                message: "hostNetwork cannot be set: every tenant container runs restricted (non-root, all capabilities dropped, no privilege escalation, RuntimeDefault seccomp, read-only root)",
                fix: "remove hostNetwork; a container that needs root or host access cannot run on the platform (use runAsUser for the image's user, tmpDirs for writable paths)",
            },
        ]);
    });

    it("a credential in plain env says where it belongs and how to set it", () => {
        expect(issuesOf(base({ env: { API_TOKEN: "x" } }))).toEqual([
            {
                path: "services.0.env.API_TOKEN",
                message: "API_TOKEN is named like a credential (TOKEN): plain env lands in the plan and the Deployment in clear",
                fix: "move it to secretEnv: [API_TOKEN] and set the value with pulumi config set --secret --path 'tenant:secrets.API_TOKEN' <value> --stack <region>--<id> --cwd programs/tenant",
            },
        ]);
        expect(secretLookingEnv("MONKEY_NAME", "plain")).toBeUndefined();
    });
});
