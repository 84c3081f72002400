import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { readRendered } from "../../../charts/rendered-facts";
import { CHARTS } from "../../../charts/versions";
import { chartCrdUrls } from "../../../charts/crds";
import { MINIO_ENDPOINT, NAMESPACES, PLATFORM_NAMESPACES } from "../../../lib/conventions";
import { CHART_CRDS } from "../../../charts/crds";
import { RESOURCE_OF_KIND } from "../../../tools/offline/admission";
import {
    DATABASE_OPERATOR_RESOURCES,
    EXCLUDED_FROM_SCHEDULES,
    EXCLUDED_FROM_TENANT_SCHEDULES,
    renderVeleroCredentialsSecret,
    renderVeleroSchedules,
    renderVeleroValues,
    VELERO_CREDENTIALS_SECRET,
    renderVeleroRestore,
    veleroPrefix,
    veleroWorkloads,
} from "../../../components/backups/values";
import { everyExample, exampleTenants, stackPlatformConfig, TEST_BACKUP_KEYS } from "../project/fixtures";

/**
 * Velero writes cluster objects to the stack's off-cluster bucket only, one Schedule per tenant namespace and
 * one for the platform, kept as long as `platform:backup.retentionDays` says; the chart renders (real helm at
 * the pinned tag, charts/rendered/) no node agent and no host mounts.
 */

/** A Schedule's `template.excludedResources`. */
const excludedOf = (s: { spec: Record<string, unknown> }) => (s.spec.template as { excludedResources?: string[] }).excludedResources;

type Bsl = { name: string; provider: string; bucket: string; prefix: string; default: boolean; config: Record<string, string> };
const dev = stackPlatformConfig("dev");
const fsn1 = stackPlatformConfig("fsn1");

describe("renderVeleroValues", () => {
    it("has the off-cluster bucket of platform:backup.s3 as its only, default location, under <folder>/velero", () => {
        const values = renderVeleroValues(fsn1) as { configuration: { backupStorageLocation: Bsl[] } };
        const [bsl, ...others] = values.configuration.backupStorageLocation;
        expect(others).toEqual([]);
        expect(bsl).toMatchObject({ provider: "aws", bucket: fsn1.backup.s3!.bucket, prefix: `${fsn1.backup.s3!.folder}/velero`, default: true });
        expect(bsl!.config.s3Url).toBe(`https://${fsn1.backup.s3!.endpoint}`);
        expect(bsl!.config.s3Url).not.toContain(MINIO_ENDPOINT.host);
        expect(bsl!.config.region).toBe(fsn1.backup.s3!.region);
    });

    it("refuses a stack without an off-cluster bucket instead of falling back to the in-cluster MinIO", () => {
        const noTarget = { ...dev, backup: { ...dev.backup, s3: undefined } };
        expect(() => renderVeleroValues(noTarget)).toThrow(/platform:backup\.s3/);
        expect(veleroPrefix(noTarget)).toBeUndefined();
        expect(veleroWorkloads(noTarget)).toEqual([]);
    });

    it("keeps backups as long as platform:backup.retentionDays (dev 7 days, fsn1 30)", () => {
        expect((renderVeleroValues(dev) as { configuration: { defaultBackupTTL: string } }).configuration.defaultBackupTTL).toBe("168h0m0s");
        expect((renderVeleroValues(fsn1) as { configuration: { defaultBackupTTL: string } }).configuration.defaultBackupTTL).toBe("720h0m0s");
    });

    it("reads the keys from the Secret the component writes, and applies the chart's CRDs itself", () => {
        const values = renderVeleroValues(dev) as Record<string, any>;
        expect(values.credentials).toMatchObject({ useSecret: true, existingSecret: VELERO_CREDENTIALS_SECRET });
        expect(values.upgradeCRDs).toBe(false);
        expect(values.deployNodeAgent).toBe(false);
        expect(values.snapshotsEnabled).toBe(false);
    });
});

describe("the chart as helm renders it (charts/rendered/, velero 12.1.0)", () => {
    it.each(["dev", "fsn1", "hel1"])("%s: one Deployment, the pinned images, no node agent, no host paths, the ServiceMonitor", (stack) => {
        const facts = readRendered(stack, "velero");
        expect(facts.version).toBe(CHARTS.velero.version);
        expect(facts.workloads.map((w) => `${w.kind}/${w.name}`)).toEqual(["Deployment/velero"]);
        expect(facts.workloads[0]!.volumes.map((v) => v.type)).not.toContain("hostPath");
        expect(facts.images).toEqual(["docker.io/velero/velero-plugin-for-aws:v1.14.2", "docker.io/velero/velero:v1.18.1"]);
        expect(facts.kinds).toMatchObject({ BackupStorageLocation: 1, ServiceMonitor: 1 });
        expect(facts.kinds.VolumeSnapshotLocation).toBeUndefined();
        expect(facts.kinds.Job).toBeUndefined();
        expect(facts.crdsDirectoryCrds).toHaveLength(chartCrdUrls("velero").length);
        expect(Object.keys(veleroWorkloads(stackPlatformConfig(stack))[0]!.containers)).toEqual(facts.workloads[0]!.containers.map((c) => c.name));
    });
});

describe("renderVeleroSchedules", () => {
    const tenants = exampleTenants("fsn1").map((t) => t.spec.id);
    const schedules = renderVeleroSchedules(fsn1, tenants);

    it("has one Schedule per tenant namespace, each holding only that namespace, and one for the platform", () => {
        expect(tenants.length).toBeGreaterThan(0);
        expect(schedules.map((s) => s.metadata.name).sort()).toEqual(["platform", ...tenants.map((t) => `tenant-${t}`)].sort());
        for (const id of tenants) {
            const template = schedules.find((s) => s.metadata.name === `tenant-${id}`)!.spec.template as Record<string, unknown>;
            expect(template.includedNamespaces).toEqual([id]);
            expect(template.includeClusterResources).toBe(false);
        }
        const platform = schedules.find((s) => s.metadata.name === "platform")!.spec.template as Record<string, unknown>;
        expect(platform.includeClusterResources).toBe(true);
        expect(platform.includedNamespaces).toEqual(PLATFORM_NAMESPACES.filter((n) => n !== NAMESPACES.velero));
        for (const id of tenants) {
            expect(platform.includedNamespaces).not.toContain(id);
        }
    });

    it("runs on platform:backup.schedule, keeps backups platform:backup.retentionDays, leaves volume data to Longhorn", () => {
        for (const s of schedules) {
            expect(s.metadata.namespace).toBe("velero");
            expect(s.spec.schedule).toBe(fsn1.backup.schedule);
            expect(s.spec.useOwnerReferencesInBackup).toBe(false);
            expect(s.spec.template).toMatchObject({ ttl: `${30 * 24}h0m0s`, storageLocation: "default", snapshotVolumes: false, defaultVolumesToFsBackup: false });
            expect(excludedOf(s)).toEqual(s.metadata.name === "platform" ? [...EXCLUDED_FROM_SCHEDULES] : [...EXCLUDED_FROM_TENANT_SCHEDULES]);
        }
    });

    // Issue 19 leftover 5: a Velero restore must not bring back what the database operators act on.
    it("leaves out every kind of the four database operators at their pins, in every Schedule and the tenant Restore", () => {
        // CloudNativePG 1.30.0: config/crd/bases at the tag (its chart renders the CRDs as templates, so charts/crds.ts has none).
        const cnpg = ["backups", "clusterimagecatalogs", "clusters", "databaseroles", "databases", "failoverquorums", "imagecatalogs", "poolers", "publications", "scheduledbackups", "subscriptions"].map((r) => `${r}.postgresql.cnpg.io`);
        // As many as the chart renders at the pin (charts/rendered/: helm template counts its CRDs), so a kind the
        // operator adds in a version bump is not left out unnoticed.
        expect(cnpg).toHaveLength(readRendered("fsn1", "cnpg").kinds.CustomResourceDefinition!);
        // The others: the CRD files applied at the pinned tags, `<group>_<plural>.yaml`.
        const pinned = (["pxcOperator", "psmdbOperator", "redisOperator"] as const).flatMap((chart) =>
            CHART_CRDS[chart]!.files.map((file) => {
                const [group, plural] = file.replace(/[.]yaml$/, "").split("_");
                return `${plural}.${group}`;
            }),
        );
        expect(pinned).toHaveLength(10);
        expect([...DATABASE_OPERATOR_RESOURCES].sort()).toEqual([...cnpg, ...pinned].sort());
        for (const s of schedules) {
            expect(excludedOf(s), s.metadata.name).toEqual(expect.arrayContaining([...cnpg, ...pinned, "persistentvolumeclaims", "persistentvolumes"]));
        }
        expect(renderVeleroRestore("shop", "r", {}).spec.excludedResources).toEqual(expect.arrayContaining([...cnpg, ...pinned]));
    });

    it("leaves out every operator kind the shipped tenants render (the Clusters, replica sets, Redis groups, their backups and restores)", () => {
        const groups = ["postgresql.cnpg.io", "pxc.percona.com", "psmdb.percona.com", "redis.redis.opstreelabs.in"];
        const rendered = new Set(
            everyExample().flatMap(({ objects }) =>
                objects.filter((o) => groups.includes(String(o.apiVersion).split("/")[0]!)).map((o) => `${RESOURCE_OF_KIND[o.kind!]}.${String(o.apiVersion).split("/")[0]}`),
            ),
        );
        // The examples hold each engine: PostgreSQL (Cluster, ScheduledBackup), MySQL, MongoDB, Redis.
        expect([...rendered]).toEqual(expect.arrayContaining(["clusters.postgresql.cnpg.io", "perconaxtradbclusters.pxc.percona.com", "perconaservermongodbs.psmdb.percona.com", "redisreplications.redis.redis.opstreelabs.in"]));
        for (const resource of rendered) {
            expect(EXCLUDED_FROM_TENANT_SCHEDULES, resource).toContain(resource);
        }
    });

    it("leaves the objects that act out of a tenant's Schedule and Restore (Velero gives them back without their owner): StatefulSets, Pods, Jobs; the platform's keeps them", () => {
        const tenant = schedules.find((s) => s.metadata.name !== "platform")!;
        const platform = schedules.find((s) => s.metadata.name === "platform")!;
        for (const kind of ["statefulsets.apps", "pods", "jobs.batch", "persistentvolumeclaims"]) {
            expect(excludedOf(tenant), kind).toContain(kind);
            expect(renderVeleroRestore("shop", "r", {}).spec.excludedResources, kind).toContain(kind);
        }
        for (const kind of ["statefulsets.apps", "pods", "jobs.batch"]) {
            expect(excludedOf(platform), kind).not.toContain(kind);
        }
        // Deployments, CronJobs, Services, Secrets, ConfigMaps stay in: they are the tenant's declarations.
        for (const kept of ["deployments.apps", "deployments", "cronjobs.batch", "services", "secrets", "configmaps"]) {
            expect(excludedOf(tenant), kept).not.toContain(kept);
        }
    });

    it("validates against the Schedule CRD of velero 12.1.0", () => {
        for (const s of schedules) {
            expect(crdSchemaErrors(s), s.metadata.name).toEqual([]);
        }
        const misspelled: object = { ...schedules[0]!, spec: { ...schedules[0]!.spec, retention: "30d" } };
        expect(crdSchemaErrors(misspelled)).not.toEqual([]);
    });
});

describe("renderVeleroRestore", () => {
    it("restores one tenant namespace from its own Schedule (or one of its backups), never cluster objects or volumes, valid against the Restore CRD", () => {
        const latest = renderVeleroRestore("shop", "shop-restore-1", {});
        expect(latest.spec).toMatchObject({ scheduleName: "tenant-shop", includedNamespaces: ["shop"], includeClusterResources: false, restorePVs: false, existingResourcePolicy: "none" });
        const named = renderVeleroRestore("shop", "shop-restore-2", { backup: "tenant-shop-20261130030000" });
        expect(named.spec.backupName).toBe("tenant-shop-20261130030000");
        expect(named.spec.scheduleName).toBeUndefined();
        for (const restore of [latest, named]) {
            expect(crdSchemaErrors(restore)).toEqual([]);
        }
    });
});

describe("Velero component", () => {
    let plan: StackPlan;
    beforeAll(async () => {
        plan = await planComponent(async (provider) => {
            const { Velero } = await import("../../../components/backups/velero");
            const component = new Velero("velero", { config: dev, tenantNamespaces: ["shop", "blog"], keys: { accessKey: pulumi.secret(TEST_BACKUP_KEYS.accessKey), secretKey: pulumi.secret(TEST_BACKUP_KEYS.secretKey) } }, { provider });
            return { schedules: component.schedules };
        });
    });

    it("writes the keys as the AWS credentials file, registered as a secret", () => {
        expect(renderVeleroCredentialsSecret(TEST_BACKUP_KEYS).stringData).toEqual({ cloud: `[default]\naws_access_key_id=${TEST_BACKUP_KEYS.accessKey}\naws_secret_access_key=${TEST_BACKUP_KEYS.secretKey}\n` });
        const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["stringData", "data"]));
        expect(secret.inputs.metadata).toMatchObject({ name: VELERO_CREDENTIALS_SECRET, namespace: "velero" });
    });

    it("applies the CRDs before the release (which skips crds/), and the Schedules after it", () => {
        const byName = (n: string) => plan.resources.find((r) => r.name === n)!;
        const release = byName("velero-release");
        expect(release.inputs.skipCrds).toBe(true);
        expect(release.dependencies).toEqual(expect.arrayContaining([byName("velero-crds").urn, byName("velero-credentials").urn, byName("velero-namespace").urn]));
        expect(byName("velero-crds").inputs.files).toEqual(chartCrdUrls("velero"));
        for (const name of ["velero-schedule-platform", "velero-schedule-tenant-shop", "velero-schedule-tenant-blog"]) {
            expect(byName(name).dependencies, name).toContain(release.urn);
        }
        expect(plan.outputs.schedules).toEqual(["platform", "tenant-blog", "tenant-shop"]);
    });
});
