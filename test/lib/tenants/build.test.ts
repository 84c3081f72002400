import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { validateTenantDocuments } from "../../../lib/tenants/load";
import { projectSchema } from "../../../lib/tenants/schema";
import { InputValidationError } from "../../../lib/validation";
import { stackPlatformConfig } from "../../components/project/fixtures";

/**
 * The `build:` key of a tenant service: exactly one of image and build, pinned to a full commit, a relative path,
 * a known builder; against the stack, a granted git source, a build pool and the credentials' secret value.
 */

const COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";
const GIT = "https://github.com/example/web.git";
const base = (service: Record<string, unknown>) => ({
    name: "shop",
    owner: { name: "Shop", email: "shop@example.com" },
    quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 },
    services: [{ name: "web", port: 8080, ...service }],
});
const issues = (doc: unknown) => {
    const result = projectSchema.safeParse(doc);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("build: in the tenant schema", () => {
    it("fetches over HTTPS only (the source step has no SSH key)", () => {
        expect(issues(base({ build: { git: "ssh://git@github.com/example/web.git", commit: COMMIT } }))).toEqual(["services.0.build.git: a build fetches its source over HTTPS"]);
        expect(issues(base({ build: { git: GIT, commit: COMMIT } }))).toEqual([]);
    });

    it("accepts a build pinned to a commit and derives the image under the project's path", () => {
        const spec = projectSchema.parse(base({ build: { git: GIT, ref: "main", commit: COMMIT, path: "apps/web" } }));
        expect(spec.services[0]!.build).toEqual({ git: GIT, ref: "main", commit: COMMIT, path: "apps/web", builder: "railpack" });
        expect(spec.services[0]!.image).toMatch(new RegExp(`^registry\\.platform\\.internal/shop/web:${COMMIT}-[0-9a-f]{12}@sha256:0{64}$`));
        // The same commit from another directory is another image (its tag's source hash differs).
        const elsewhere = projectSchema.parse(base({ build: { git: GIT, commit: COMMIT, path: "apps/api" } }));
        expect(elsewhere.services[0]!.image).not.toBe(spec.services[0]!.image);
    });

    it("wants exactly one of image and build", () => {
        expect(issues(base({}))).toEqual([expect.stringMatching(/^services\.0\.image: a service needs an image or a build/)]);
        expect(issues(base({ image: "ghcr.io/example/web:1.0.0", build: { git: GIT, commit: COMMIT } }))).toEqual([expect.stringMatching(/^services\.0\.build: set either image or build/)]);
    });

    it("pins builds to a full commit, not to a moving ref, with a relative path and a known builder", () => {
        expect(issues(base({ build: { git: GIT, ref: "main" } }))).toEqual([expect.stringMatching(/^services\.0\.build\.commit: a build is pinned to a commit, not to the moving ref "main"/)]);
        expect(issues(base({ build: { git: GIT, commit: "4fd5f7d" } }))).toEqual([expect.stringMatching(/^services\.0\.build\.commit: must be a full git commit id/)]);
        expect(issues(base({ build: { git: GIT, commit: COMMIT, path: "../other" } }))).toEqual([expect.stringMatching(/^services\.0\.build\.path: /)]);
        expect(issues(base({ build: { git: GIT, commit: COMMIT, builder: "kaniko" } }))).toEqual([expect.stringMatching(/^services\.0\.build\.builder: /)]);
        expect(issues(base({ build: { git: GIT, commit: COMMIT, ref: "main; rm -rf /" } }))).toEqual([expect.stringMatching(/^services\.0\.build\.ref: /)]);
        expect(issues(base({ build: { git: "file:///etc", commit: COMMIT } }))).toEqual([expect.stringMatching(/^services\.0\.build\.git: /)]);
    });
});

describe("build: against the stack", () => {
    const dev = stackPlatformConfig("dev");
    const load = (service: Record<string, unknown>, config = dev, secrets: string[] = []) => {
        const grants = { ...config.projectGrants, shop: { ...config.projectGrants["shop"], git: [GIT] } } as typeof config.projectGrants;
        const text = yaml.dump(base(service));
        return () => validateTenantDocuments([{ file: "stacks/dev/projects/shop.yaml", text }], { config: { ...config, projectGrants: grants }, secretNames: new Map([["shop", new Set(secrets)]]) });
    };
    const problems = (run: () => unknown): string[] => {
        try {
            run();
            return [];
        } catch (error) {
            if (error instanceof InputValidationError) {
                return error.problems.map((p) => `${p.path}: ${p.problem}`);
            }
            throw error;
        }
    };

    it("loads a granted build on a stack with a build pool", () => {
        expect(problems(load({ build: { git: GIT, commit: COMMIT } }))).toEqual([]);
    });

    it("refuses an ungranted source, a stack without build nodes and a private source's credential that is not among the project's secrets", () => {
        expect(problems(load({ build: { git: "https://github.com/example/other.git", commit: COMMIT } }))).toEqual([expect.stringMatching(/^services\[web\]\.build\.git: git source .* is not granted/)]);
        const noBuildPool = { ...dev, pools: dev.pools.filter((p) => p.role !== "build") };
        expect(problems(load({ build: { git: GIT, commit: COMMIT } }, noBuildPool))).toEqual([expect.stringMatching(/^services\[web\]\.build: this stack has no build pool/)]);
        // The token is one of the project's own secret values (its tenant stack's tenant:secrets).
        expect(problems(load({ build: { git: GIT, commit: COMMIT, credentials: "GIT_TOKEN" } }, dev, []))).toEqual([expect.stringMatching(/^services\[web\]\.build\.credentials: secret GIT_TOKEN is not set in stack config/)]);
        expect(problems(load({ build: { git: GIT, commit: COMMIT, credentials: "GIT_TOKEN" } }, dev, ["OTHER"]))).toHaveLength(1);
        expect(problems(load({ build: { git: GIT, commit: COMMIT, credentials: "GIT_TOKEN" } }, dev, ["GIT_TOKEN"]))).toEqual([]);
    });
});
