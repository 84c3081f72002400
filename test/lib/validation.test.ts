import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PROJECT_EXAMPLES, projectSchema } from "../../lib/tenants/schema";
import { formatProblems, InputValidationError, issuesToProblems, joinPath, pathPattern, type InputProblem } from "../../lib/validation";

/** The aggregated input error every refusal goes through: paths, examples, fixes and the one message. */

describe("joinPath", () => {
    it("writes keys dotted and indices in brackets, under the root when given", () => {
        expect(joinPath("platform:pools", [1, "count"])).toBe("platform:pools[1].count");
        expect(joinPath("", ["services", 0, "image"])).toBe("services[0].image");
        expect(joinPath("", [0, "name"])).toBe("[0].name");
        expect(joinPath("platform:mesh", [])).toBe("platform:mesh");
        expect(joinPath("", [])).toBe("(root)");
    });
});

describe("pathPattern", () => {
    it("replaces every index by [] so a path finds its example", () => {
        expect(pathPattern(["services", 3, "ports", 12, "name"])).toBe("services[].ports[].name");
        expect(pathPattern(["quota", "cpu"])).toBe("quota.cpu");
        expect(pathPattern([])).toBe("(root)");
    });
});

describe("formatProblems", () => {
    const problems: InputProblem[] = [
        { source: "Pulumi.dev.yaml", path: "platform:domain", problem: "must be a domain", fix: "for example example.com" },
        { source: "stacks/dev/projects/shop.yaml", path: "services[0].image", problem: "has no tag", fix: "pin a version" },
        { source: "Pulumi.dev.yaml", path: "platform:servers.count", problem: "must be 1 or 3", fix: "for example 3" },
    ];

    it("counts the problems, groups them by file in first-seen order and gives each its fix", () => {
        expect(formatProblems(problems)).toBe(
            [
                "Invalid platform input: 3 problem(s) found; nothing was registered.",
                "",
                "Pulumi.dev.yaml:",
                "  - platform:domain: must be a domain",
                "      fix: for example example.com",
                "  - platform:servers.count: must be 1 or 3",
                "      fix: for example 3",
                "",
                "stacks/dev/projects/shop.yaml:",
                "  - services[0].image: has no tag",
                "      fix: pin a version",
            ].join("\n"),
        );
    });

    it("is what InputValidationError says, with the problems kept and its own name", () => {
        const error = new InputValidationError(problems);
        expect(error.message).toBe(formatProblems(problems));
        expect(error.problems).toBe(problems);
        expect(error.name).toBe("InputValidationError");
        expect(error).toBeInstanceOf(Error);
    });

    it("is the SDK's RunError, which the Pulumi CLI prints without a stack trace", async () => {
        // Loaded here, not at the top: the SDK's index costs seconds, and only this test needs it.
        const pulumi = await import("@pulumi/pulumi");
        const error = new InputValidationError(problems);
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect(pulumi.RunError.isInstance(error)).toBe(true);
    });
});

describe("issuesToProblems", () => {
    const schema = z.strictObject({
        name: z.string().min(2),
        services: z.array(z.strictObject({ image: z.string().min(1), port: z.number().int() })),
        quota: z.strictObject({ cpu: z.string() }).optional(),
        owner: z.string().refine((v) => v.includes("@"), { error: "must be an email", params: { fix: "owner: ops@example.com" } }).optional(),
    });
    const examples = {
        name: "name: shop",
        services: "services: [{image: web:1.0, port: 8080}]",
        "services[].image": "image: web:1.0",
        "quota.cpu": "cpu: 2",
    };
    const problemsOf = (input: unknown) => {
        const parsed = schema.safeParse(input);
        if (parsed.success) {
            throw new Error("expected the input to be refused");
        }
        return issuesToProblems("shop.yaml", "", parsed.error.issues, examples);
    };

    it("gives the exact path's example, else the nearest ancestor's shape, else the README", () => {
        const problems = problemsOf({ name: "s", services: [{ image: "", port: 1.5 }] });
        expect(problems.map((p) => [p.path, p.fix])).toEqual([
            ["name", "for example name: shop"],
            ["services[0].image", "for example image: web:1.0"],
            ["services[0].port", "see the shape of services: services: [{image: web:1.0, port: 8080}]"],
        ]);
        expect(problems.every((p) => p.source === "shop.yaml" && p.problem.length > 0)).toBe(true);
        const noExample = issuesToProblems("x.yaml", "platform:x", schema.safeParse({ name: 1, services: [] }).error!.issues, {});
        expect(noExample).toEqual([{ source: "x.yaml", path: "platform:x.name", problem: noExample[0]!.problem, fix: "see README.md (Configuration)" }]);
    });

    it("uses the root example for a problem of the whole document", () => {
        const issues = z.strictObject({ a: z.string() }).safeParse("text").error!.issues;
        expect(issuesToProblems("f.yaml", "", issues, { "(root)": "a: value" }).map((p) => [p.path, p.fix])).toEqual([["(root)", "for example a: value"]]);
    });

    it("names each unknown key and the keys allowed at its level", () => {
        const problems = problemsOf({ name: "shop", services: [{ image: "web:1", port: 80, colour: "red" }], quota: { cpu: "1", gpu: "1" }, extra: true });
        expect(problems).toEqual([
            { source: "shop.yaml", path: "services[0].colour", problem: 'unknown key "colour"', fix: "remove it, or use one of: image" },
            { source: "shop.yaml", path: "quota.gpu", problem: 'unknown key "gpu"', fix: "remove it, or use one of: cpu" },
            { source: "shop.yaml", path: "extra", problem: 'unknown key "extra"', fix: "remove it, or use one of: name, services, quota" },
        ]);
        const bare = issuesToProblems("f.yaml", "platform:", z.strictObject({}).safeParse({ x: 1 }).error!.issues, {});
        expect(bare).toEqual([{ source: "f.yaml", path: "platform:.x", problem: 'unknown key "x"', fix: "remove it" }]);
    });

    it("never offers the examples table's (root) entry as a key (a tenant file's unknown top-level key)", () => {
        const issues = z.strictObject({ name: z.string() }).safeParse({ name: "shop", colour: "blue" }).error!.issues;
        expect(issuesToProblems("f.yaml", "", issues, { "(root)": "name: shop", name: "name: shop" })).toEqual([
            { source: "f.yaml", path: "colour", problem: 'unknown key "colour"', fix: "remove it, or use one of: name" },
        ]);
        const tenant = projectSchema.safeParse({ name: "shop", colour: "blue" }).error!.issues.filter((i) => i.code === "unrecognized_keys");
        const [problem] = issuesToProblems("shop.yaml", "", tenant, PROJECT_EXAMPLES);
        expect(problem?.path).toBe("colour");
        expect(problem?.fix).toMatch(/^remove it, or use one of: id, name, owner, trust, quota, budget, /);
        expect(problem?.fix).not.toContain("(root)");
    });

    it("takes the fix a refinement knows over the examples table", () => {
        const problems = problemsOf({ name: "shop", services: [], owner: "nobody" });
        expect(problems).toEqual([{ source: "shop.yaml", path: "owner", problem: "must be an email", fix: "owner: ops@example.com" }]);
    });
});
