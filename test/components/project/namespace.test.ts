import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { psaVersion, renderAppSecret, renderLimitRange, renderNamespace, renderResourceQuota, renderServiceAccount } from "../../../components/project/namespace";
import { quantity } from "../../../lib/quantity";
import { project, stackPlatformConfig } from "./fixtures";

const config = stackPlatformConfig("dev");

describe("project namespace", () => {
    it("enforces, audits and warns Pod Security restricted, pinned to the cluster minor version", () => {
        const ns = renderNamespace(projectContext(project({}), config));
        expect(ns.metadata?.name).toBe("shop");
        const labels = ns.metadata?.labels ?? {};
        for (const mode of ["enforce", "audit", "warn"]) {
            expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe("restricted");
            expect(labels[`pod-security.kubernetes.io/${mode}-version`]).toBe("v1.31");
        }
    });

    it("carries the tenant, project and trust labels", () => {
        const untrusted = renderNamespace(projectContext(project({}), config)).metadata?.labels;
        expect(untrusted).toMatchObject({ "platform/tenant": "true", "platform/project": "shop", "platform/trust": "untrusted" });
        const trusted = renderNamespace(projectContext(project({ trust: "trusted" }), config)).metadata?.labels;
        expect(trusted?.["platform/trust"]).toBe("trusted");
    });

    it("derives the PSA version from the k3s release and rejects anything else", () => {
        expect(psaVersion("v1.32.3+k3s1")).toBe("v1.32");
        expect(() => psaVersion("latest")).toThrow(/minor version/);
    });
});

describe("resource quota", () => {
    const hard = (doc: Record<string, unknown>) => renderResourceQuota(projectContext(project(doc), config)).spec?.hard ?? {};

    it("forbids LoadBalancer and NodePort services outright", () => {
        expect(hard({})["services.loadbalancers"]).toBe("0");
        expect(hard({})["services.nodeports"]).toBe("0");
    });

    it("bounds the database CRs a deployer may write (ScheduledBackups, restores) at two each, with or without a database", () => {
        const counts = {
            "count/scheduledbackups.postgresql.cnpg.io": "2",
            "count/perconaxtradbclusterrestores.pxc.percona.com": "2",
            "count/perconaservermongodbrestores.psmdb.percona.com": "2",
        };
        expect(hard({})).toMatchObject(counts);
        expect(hard({ database: { engine: "postgresql" } })).toMatchObject(counts);
    });

    it("bounds compute and storage by the tenant file, CPU limits at twice the CPU quota", () => {
        const h = hard({ quota: { cpu: "3", memory: "6Gi", storage: "40Gi", pods: 15 } });
        expect(h).toMatchObject({
            "requests.cpu": "3",
            "limits.cpu": "6000m",
            "requests.memory": "6Gi",
            "limits.memory": "6Gi",
            "requests.storage": "40Gi",
            pods: "15",
        });
    });

    it("leaves the claims what quota.storage does not already reserve for the bucket on MinIO's volume", () => {
        const storage = (bucket?: Record<string, unknown>) => {
            const ctx = projectContext(project({ quota: { cpu: "3", memory: "6Gi", storage: "40Gi", pods: 15 }, ...(bucket ? { bucket } : {}) }), config);
            const claimMax = renderLimitRange(ctx).spec?.limits?.find((l) => l.type === "PersistentVolumeClaim")?.max?.storage;
            return [renderResourceQuota(ctx).spec?.hard?.["requests.storage"], claimMax];
        };
        expect(storage()).toEqual(["40Gi", "40Gi"]);
        // 40Gi - 10Gi (the default bucket) = 30Gi = 30720Mi.
        expect(storage({})).toEqual(["30720Mi", "30720Mi"]);
        // 40Gi - 2.5Gi = 37.5Gi = 38400Mi.
        expect(storage({ size: "2.5Gi" })).toEqual(["38400Mi", "38400Mi"]);
    });

    it("counts every object kind the brief names, sized from what the project renders", () => {
        const h = hard({
            services: [
                { name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, expose: { public: true, customDomains: ["shop.example.org"] } },
                { name: "cache", image: "docker.io/library/redis:7.4.2-alpine", port: 6379, replicas: 2, volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }] },
            ],
            database: { engine: "postgresql" },
        });
        for (const key of ["persistentvolumeclaims", "services", "secrets", "configmaps", "pods"]) {
            expect(Number(h[key]), key).toBeGreaterThan(0);
        }
        // 2 cache claims + 1 database claim, plus headroom of 5.
        expect(h.persistentvolumeclaims).toBe("8");
        // 2 tenant services + 1 StatefulSet headless service (cache) + CloudNativePG's rw/ro/r + 5.
        expect(h.services).toBe("11");
        // 2 TLS secrets (web platform host, web custom domain; cache is not public) + 3 platform
        // + CloudNativePG's CA, server, replication and backup-bucket Secrets + 10.
        expect(h.secrets).toBe("19");
    });
});

describe("limit range", () => {
    it("defaults containers, caps them at the quota and caps claims at the storage quota", () => {
        const limits = renderLimitRange(projectContext(project({}), config)).spec?.limits ?? [];
        const container = limits.find((l) => l.type === "Container");
        expect(container).toMatchObject({
            default: { cpu: "500m", memory: "256Mi" },
            defaultRequest: { cpu: "50m", memory: "64Mi" },
            max: { cpu: "8000m", memory: "8Gi" },
        });
        expect(limits.find((l) => l.type === "PersistentVolumeClaim")).toEqual({ type: "PersistentVolumeClaim", max: { storage: "50Gi" } });
    });

    it("never defaults above its own maximum for a tiny project", () => {
        const limits = renderLimitRange(projectContext(project({ quota: { cpu: "100m", memory: "128Mi", storage: "1Gi", pods: 2 } }), config)).spec?.limits ?? [];
        const container = limits.find((l) => l.type === "Container")!;
        for (const key of ["cpu", "memory"] as const) {
            expect(quantity(String(container.default?.[key]))).toBeLessThanOrEqual(quantity(String(container.max?.[key])));
            expect(quantity(String(container.defaultRequest?.[key]))).toBeLessThanOrEqual(quantity(String(container.default?.[key])));
        }
    });
});

describe("service account and app secret", () => {
    it("mounts no API token", () => {
        const sa = renderServiceAccount(projectContext(project({}), config));
        expect(sa.automountServiceAccountToken).toBe(false);
        expect(sa.metadata?.namespace).toBe("shop");
    });

    it("carries exactly the tenant's secret values", () => {
        const secret = renderAppSecret(projectContext(project({}), config), { API_KEY: "k", OTHER: "v" });
        expect(secret.stringData).toEqual({ API_KEY: "k", OTHER: "v" });
        expect(secret.type).toBe("Opaque");
    });
});
