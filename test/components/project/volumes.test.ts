import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { renderFinalBackupJob, renderVolumeClaims } from "../../../components/project/volumes";
import { renderNamespace } from "../../../components/project/namespace";
import { renderAutoscaler, renderWorkload } from "../../../components/project/workloads";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const volumes = [
    { name: "data", size: "20Gi", class: "fast" as const, mountPath: "/data" },
    { name: "logs", size: "2Gi", class: "standard" as const, mountPath: "/logs" },
];
const spec = (extra: Record<string, unknown> = {}) =>
    project({ services: [{ name: "node", image: "ghcr.io/example/node:1.0.0", port: 8080, autoscale: { min: 1, max: 3 }, volumes }], ...extra });

describe("tenant volume claims", () => {
    it("one claim per volume and replica up to the maximum, named as the StatefulSet controller names them, equal to the template", () => {
        const ctx = projectContext(spec(), dev);
        const claims = renderVolumeClaims(ctx, ctx.project.services[0]!);
        // kubernetes pkg/controller/statefulset getPersistentVolumeClaimName: <claim template>-<statefulset>-<ordinal>.
        expect(claims.map((c) => c.metadata?.name)).toEqual(["data-node-0", "logs-node-0", "data-node-1", "logs-node-1", "data-node-2", "logs-node-2"]);
        const sts = renderWorkload(ctx, ctx.project.services[0]!);
        const templates = sts.spec && "volumeClaimTemplates" in sts.spec ? sts.spec.volumeClaimTemplates! : [];
        for (const claim of claims) {
            const template = templates.find((t) => claim.metadata!.name!.startsWith(`${t.metadata!.name}-`))!;
            expect(claim.spec).toEqual(template.spec);
        }
        expect(claims[0]!.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "tenant-fast", resources: { requests: { storage: "20Gi" } } });
        expect(claims[0]!.metadata?.labels).toMatchObject({ "recurring-job.longhorn.io/source": "enabled", "recurring-job-group.longhorn.io/default": "enabled", "platform/project": "shop" });
        expect(claims[0]!.metadata?.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
        expect(renderFinalBackupJob(ctx)).toBeUndefined();
    });

    it("a decommission stops the workloads, drops the autoscaler, annotates the namespace and adds the final backup group and job", () => {
        const ctx = projectContext(spec({ decommission: { confirm: "shop" } }), dev);
        const service = ctx.project.services[0]!;
        expect(renderWorkload(ctx, service).spec?.replicas).toBe(0);
        expect(renderAutoscaler(ctx, service)).toBeUndefined();
        expect(renderNamespace(ctx).metadata?.annotations?.["platform/decommission"]).toBe("requested");
        expect(renderVolumeClaims(ctx, service)[0]!.metadata?.labels?.["recurring-job-group.longhorn.io/decommission-shop"]).toBe("enabled");
        expect(renderFinalBackupJob(ctx)).toMatchObject({ kind: "RecurringJob", metadata: { name: "decommission-shop", namespace: "longhorn-system" }, spec: { task: "backup", groups: ["decommission-shop"], retain: 1 } });
    });

    it("a decommission must repeat the project id", () => {
        expect(() => spec({ decommission: { confirm: "shopp" } })).toThrow(/must repeat the project id .{0,2}shop/);
    });
});
