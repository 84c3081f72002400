import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { loadTenantCatalog, otherStackDomains } from "../../../lib/tenants/load";
import { InputValidationError, type InputProblem } from "../../../lib/validation";
import { rawStackConfig, stackConfig } from "../../helpers/config";
import { ROOT } from "../../helpers/synth";
import { configProblems } from "../../helpers/config-problems";

const json = (value: unknown) => JSON.stringify(value);

describe("platform:backup (the off-cluster backup target)", () => {
    it("refuses a production stack without an off-cluster target, naming the key and the fix", () => {
        const raw = rawStackConfig("fsn1", { "platform:backup": json({ retentionDays: 30 }) });
        const problem = configProblems(raw).find((p) => p.path === "platform:backup.s3");
        expect(problem?.problem).toMatch(/outside the cluster/);
        expect(problem?.fix).toMatch(/platform:backup: \{s3: \{endpoint: .*backupS3AccessKey/);
        expect(problem?.source).toBe("Pulumi.test.yaml");
    });

    it("refuses a production stack whose Longhorn backups stay in the in-cluster MinIO", () => {
        const raw = rawStackConfig("fsn1", { "platform:addons": json({ longhorn: { backupTarget: "minio" } }) });
        const problem = configProblems(raw).find((p) => p.path === "platform:addons.longhorn.backupTarget");
        expect(problem?.problem).toMatch(/in-cluster MinIO/);
        expect(problem?.fix).toMatch(/backupTarget: external/);
    });

    it("refuses a production target whose host resolves inside the cluster, for every backup target", () => {
        const inCluster = { endpoint: "minio.minio.svc.cluster.local:9000", bucket: "platform-backups", region: "fsn1" };
        for (const [override, path] of [
            [{ "platform:backup": json({ retentionDays: 30, s3: inCluster }) }, "platform:backup.s3.endpoint"],
            [{ "platform:addons": json({ longhorn: { backupTarget: "external", external: { ...inCluster, endpoint: "10.0.1.5" } } }) }, "platform:addons.longhorn.external.endpoint"],
        ] as const) {
            const problem = configProblems(rawStackConfig("fsn1", override)).find((p) => p.path === path);
            expect(problem?.problem, path).toMatch(/backups must leave the cluster: .*(in-cluster|private)/);
            expect(problem?.fix, path).toMatch(/public host name/);
        }
        // The shipped production stack's own targets are public hosts; a dev stack may keep its target inside.
        expect(() => parsePlatformConfig(rawStackConfig("fsn1"), "Pulumi.fsn1.yaml")).not.toThrow();
        expect(() => parsePlatformConfig(rawStackConfig("dev", { "platform:backup": json({ retentionDays: 30, s3: inCluster }) }), "Pulumi.dev.yaml")).not.toThrow();
    });

    it("lets a dev stack run without a target (its databases then have no backups)", () => {
        const { config } = parsePlatformConfig(rawStackConfig("dev", { "platform:backup": json({}) }), "Pulumi.dev.yaml");
        expect(config.backup.s3).toBeUndefined();
        expect(config.backup.retentionDays).toBe(30);
    });

    it("asks for the bucket credentials as secrets once a target is set", () => {
        const raw = rawStackConfig("dev");
        delete raw["platform:backupS3AccessKey"];
        delete raw["platform:backupS3SecretKey"];
        const problems = configProblems(raw).filter((p) => p.path.startsWith("platform:backupS3"));
        expect(problems.map((p) => p.path).sort()).toEqual(["platform:backupS3AccessKey", "platform:backupS3SecretKey"]);
        expect(problems[0]!.problem).toMatch(/platform:backup\.s3/);
        expect(problems[0]!.fix).toMatch(/pulumi config set --secret platform:backupS3/);
    });

    it("takes retention and schedule from the stack file", () => {
        const { config } = parsePlatformConfig(rawStackConfig("fsn1"), "Pulumi.fsn1.yaml");
        expect(config.backup).toMatchObject({ retentionDays: 30, schedule: "0 3 * * *", s3: { bucket: "platform-backups-fsn1", endpoint: "fsn1.your-objectstorage.com" } });
    });

    it("refuses a production target named after a project's namespace (<svc>.<project id>), naming the stack file, key, project and fix", () => {
        const catalogProblems = (stack: string, overrides: Record<string, string>): InputProblem[] => {
            try {
                loadTenantCatalog(ROOT, stack, { config: stackConfig(stack, overrides), stack, otherStackDomains: otherStackDomains(ROOT, stack) });
            } catch (error) {
                expect(error).toBeInstanceOf(InputValidationError);
                return (error as InputValidationError).problems;
            }
            return [];
        };
        const tenantMinio = { endpoint: "minio.caracal:9000", bucket: "platform-backups", region: "fsn1" };
        // The stack config alone cannot tell: caracal is a project of the fsn1 catalog, not a platform namespace.
        expect(() => parsePlatformConfig(rawStackConfig("fsn1", { "platform:backup": json({ retentionDays: 30, s3: tenantMinio }) }), "Pulumi.fsn1.yaml")).not.toThrow();
        for (const [override, path] of [
            [{ "platform:backup": json({ retentionDays: 30, s3: tenantMinio }) }, "platform:backup.s3.endpoint"],
            [{ "platform:addons": json({ longhorn: { backupTarget: "external", external: { ...tenantMinio, endpoint: "s3.cars" } } }) }, "platform:addons.longhorn.external.endpoint"],
        ] as const) {
            const problems = catalogProblems("fsn1", override).filter((p) => p.path === path);
            expect(problems, path).toEqual([
                {
                    source: "Pulumi.fsn1.yaml",
                    path,
                    problem: expect.stringMatching(/^a production stack's backups must leave the cluster: (minio\.caracal|s3\.cars) resolves inside the cluster to a Service in project (caracal|cars)'s namespace \(stacks\/fsn1\/projects\/(caracal|cars)\.yaml\)$/),
                    fix: "use the object storage's public host name, e.g. endpoint: fsn1.your-objectstorage.com",
                },
            ]);
        }
        // The shipped targets pass with the catalog; a two-label public name whose last label is no namespace, too.
        expect(catalogProblems("fsn1", {})).toEqual([]);
        expect(catalogProblems("fsn1", { "platform:backup": json({ retentionDays: 30, s3: { ...tenantMinio, endpoint: "objects.example" } }) })).toEqual([]);
        // Only production is held to it: hel1 (staging, caracal in its catalog) and dev may keep a target inside.
        expect(catalogProblems("hel1", { "platform:backup": json({ retentionDays: 30, s3: { ...tenantMinio, region: "hel1" } }) }).map((p) => p.path)).not.toContain("platform:backup.s3.endpoint");
        expect(catalogProblems("dev", { "platform:backup": json({ retentionDays: 30, s3: { ...tenantMinio, endpoint: "minio.hello" } }) })).toEqual([]);
    });
});
