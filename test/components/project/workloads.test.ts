import { NAMESPACES } from "../../../lib/conventions";
import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import {
    renderAutoscaler,
    renderContainer,
    renderDisruptionBudget,
    renderServiceMonitor,
    renderServices,
    renderWorkload,
} from "../../../components/project/workloads";
import type { ServiceSpec } from "../../../lib/tenants/schema";
import { quantity } from "../../../lib/quantity";
import { everyExample, podSpecs, project, stackPlatformConfig, walk } from "./fixtures";

const dev = stackPlatformConfig("dev");

function service(doc: Record<string, unknown>, extra: Record<string, unknown> = {}): { ctx: ReturnType<typeof projectContext>; spec: ServiceSpec } {
    const spec = project({ services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, ...doc }], ...extra });
    return { ctx: projectContext(spec, dev), spec: spec.services[0]! };
}

describe("security contexts of every pod the examples render (services, databases, bucket jobs)", () => {
    // Tenant pods; the build Jobs (platform pods in the builds namespace, under the build exception) are held to
    // their own rules in test/components/builds/build-job.test.ts.
    const pods = everyExample().flatMap(({ stack, spec, objects }) =>
        podSpecs(objects.filter((o) => o.metadata?.namespace !== NAMESPACES.builds)).map((p) => ({ ...p, where: `${stack}/${spec.name} ${p.owner}` })),
    );

    it("covers services, databases and bucket jobs", () => {
        const owners = pods.map((p) => p.owner);
        expect(owners).toEqual(
            expect.arrayContaining(["Deployment/backend", "Job/bucket-cars", "StatefulSet/kafka", "Job/db-migrate", "CronJob/consumer-lag-report"]),
        );
    });

    it("runs every pod non-root with seccomp RuntimeDefault, no host namespaces and no token", () => {
        for (const { spec, where } of pods) {
            expect(spec.securityContext?.runAsNonRoot, where).toBe(true);
            expect(spec.securityContext?.runAsUser, where).toBeGreaterThan(0);
            expect(spec.securityContext?.seccompProfile, where).toEqual({ type: "RuntimeDefault" });
            expect(spec.automountServiceAccountToken, where).toBe(false);
            expect(spec.hostNetwork ?? false, where).toBe(false);
            expect(spec.hostPID ?? false, where).toBe(false);
            expect(spec.hostIPC ?? false, where).toBe(false);
            // Scratch emptyDirs, and read-only files from the project's own Secret and ConfigMaps; nothing else.
            for (const volume of spec.volumes ?? []) {
                const kinds = Object.keys(volume).filter((k) => k !== "name");
                expect(kinds.length, `${where} volume ${volume.name}`).toBe(1);
                expect(["emptyDir", "secret", "configMap"], `${where} volume ${volume.name}`).toContain(kinds[0]);
                if (volume.secret) {
                    expect(volume.secret.secretName, `${where} volume ${volume.name}`).toBe("app-secrets");
                    expect(volume.secret.defaultMode, `${where} volume ${volume.name}`).toBe(0o440);
                }
            }
        }
    });

    it("drops ALL capabilities, forbids escalation and privilege, keeps the root filesystem read-only, sets requests and limits", () => {
        for (const { spec, where } of pods) {
            for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
                const at = `${where} container ${container.name}`;
                expect(container.securityContext, at).toMatchObject({
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    capabilities: { drop: ["ALL"] },
                    seccompProfile: { type: "RuntimeDefault" },
                });
                expect(container.securityContext.capabilities.add, at).toBeUndefined();
                expect(container.securityContext.runAsUser, at).toBeGreaterThan(0);
                // Every request and limit is a positive Kubernetes quantity, and no limit is below its request
                // (a container asking more than it may use is refused by the API server).
                const { requests = {}, limits = {} } = container.resources ?? {};
                for (const value of [requests.cpu, requests.memory, limits.cpu, limits.memory]) {
                    expect(value, at).toMatch(/^[1-9]\d*(\.\d+)?(m|Ki|Mi|Gi|Ti)?$|^0\.\d*[1-9]\d*$/);
                }
                expect(quantity(limits.cpu!), `${at} cpu`).toBeGreaterThanOrEqual(quantity(requests.cpu!));
                expect(quantity(limits.memory!), `${at} memory`).toBeGreaterThanOrEqual(quantity(requests.memory!));
                // A built image comes from the platform registry under the project's own path, by digest, tagged commit and source hash.
                expect(container.image, at).toMatch(/^(docker\.io|ghcr\.io|quay\.io|registry\.k8s\.io)\/[^@]+:[\w][\w.-]*$|^registry\.platform\.internal\/[^/@]+\/[^@]+:[0-9a-f]{40}-[0-9a-f]{12}@sha256:[0-9a-f]{64}$/);
                expect(container.image, at).not.toMatch(/:latest$/);
                for (const port of container.ports ?? []) {
                    expect(port.hostPort, at).toBeUndefined();
                }
            }
        }
    });

    it("sandboxes every tenant pod of untrusted projects in gVisor, and no pod of trusted ones", () => {
        for (const { stack, spec, objects } of everyExample()) {
            for (const pod of podSpecs(objects).filter((p) => !p.owner.startsWith("Job/"))) {
                const at = `${stack}/${spec.name} ${pod.owner}`;
                expect(pod.spec.runtimeClassName, at).toBe(spec.trust === "untrusted" ? "gvisor" : undefined);
                expect(pod.spec.nodeSelector, at).toEqual({ "platform/pool": "run" });
                expect(pod.spec.tolerations, at).toEqual([{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }]);
            }
        }
    });

    it("labels every object and pod with platform/project and platform/service", () => {
        for (const { stack, spec, objects } of everyExample()) {
            for (const object of objects) {
                const at = `${stack}/${spec.name} ${object.kind}/${object.metadata?.name}`;
                expect(object.metadata?.labels?.["platform/project"], at).toBe(spec.name);
                expect(object.metadata?.labels?.["platform/service"], at).toMatch(/^[a-z][-a-z0-9]*$/);
            }
            for (const pod of podSpecs(objects)) {
                expect(pod.labels["platform/project"]).toBe(spec.name);
                expect(pod.labels["platform/service"], pod.owner).toMatch(/^[a-z][-a-z0-9]*$/);
            }
            walk(objects, (node, at) => {
                if ("storageClassName" in node) {
                    expect(["fast", "standard", "tenant-fast", "tenant-standard"], `${stack}/${spec.name} ${at}`).toContain(node.storageClassName);
                }
            });
        }
    });
});

describe("service workloads", () => {
    it("render a Deployment with one surge pod, or a StatefulSet with claims on the requested class", () => {
        const stateless = service({});
        expect(renderWorkload(stateless.ctx, stateless.spec)).toMatchObject({ kind: "Deployment", spec: { replicas: 1, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } });
        const stateful = service({ volumes: [{ name: "data", size: "20Gi", class: "fast", mountPath: "/data" }] });
        const sts = renderWorkload(stateful.ctx, stateful.spec);
        expect(sts.kind).toBe("StatefulSet");
        expect(sts.spec && "volumeClaimTemplates" in sts.spec ? sts.spec.volumeClaimTemplates : undefined).toEqual([
            expect.objectContaining({ metadata: expect.objectContaining({ name: "data" }), spec: { accessModes: ["ReadWriteOnce"], storageClassName: "tenant-fast", resources: { requests: { storage: "20Gi" } } } }),
        ]);
        expect(sts.spec && "serviceName" in sts.spec ? sts.spec.serviceName : undefined).toBe("web-headless");
        expect(renderServices(stateful.ctx, stateful.spec).map((s) => [s.metadata?.name, s.spec?.clusterIP])).toEqual([
            ["web", undefined],
            ["web-headless", "None"],
        ]);
    });

    it("create only ClusterIP Services", () => {
        for (const { objects } of everyExample()) {
            for (const svc of objects.filter((o) => o.kind === "Service")) {
                expect((svc as any).spec.type).toBe("ClusterIP");
                expect((svc as any).spec.externalIPs).toBeUndefined();
            }
        }
    });

    it("mount an emptyDir per tmpDir and the volumes at their paths", () => {
        const { ctx, spec } = service({ tmpDirs: ["/tmp", "/var/cache/app"], volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }] });
        expect(renderContainer(ctx, spec).volumeMounts).toEqual([
            { name: "tmp-0", mountPath: "/tmp" },
            { name: "tmp-1", mountPath: "/var/cache/app" },
            { name: "data", mountPath: "/data" },
        ]);
        const pod = renderWorkload(ctx, spec).spec?.template.spec;
        expect(pod?.volumes).toEqual([
            { name: "tmp-0", emptyDir: { sizeLimit: "1Gi" } },
            { name: "tmp-1", emptyDir: { sizeLimit: "1Gi" } },
        ]);
        expect(pod?.topologySpreadConstraints?.[0]).toMatchObject({ topologyKey: "kubernetes.io/hostname", maxSkew: 1 });
    });

    it("pass command, args, probes, env, secretEnv and the platform's database and bucket variables", () => {
        const { ctx, spec } = service(
            {
                command: ["/app/server"],
                args: ["--port", "8080"],
                env: { LOG_LEVEL: "info" },
                secretEnv: ["API_KEY"],
                probes: { liveness: { path: "/healthz" }, readiness: { tcp: true, port: 8081 } },
                runAsUser: 2000,
                uses: ["database", "bucket"],
            },
            { database: { engine: "postgresql" }, bucket: { name: "uploads" } },
        );
        const container = renderContainer(ctx, spec);
        expect(container.command).toEqual(["/app/server"]);
        expect(container.args).toEqual(["--port", "8080"]);
        expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: 8080 });
        expect(container.readinessProbe?.tcpSocket).toEqual({ port: 8081 });
        expect(container.securityContext?.runAsUser).toBe(2000);
        const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom?.secretKeyRef]));
        expect(env).toEqual({
            LOG_LEVEL: "info",
            API_KEY: { name: "app-secrets", key: "API_KEY" },
            DATABASE_HOST: "database-rw.shop.svc.cluster.local",
            DATABASE_PORT: "5432",
            DATABASE_NAME: "shop",
            DATABASE_USER: { name: "database-credentials", key: "DATABASE_USER" },
            DATABASE_PASSWORD: { name: "database-credentials", key: "DATABASE_PASSWORD" },
            S3_ENDPOINT: "http://minio.minio.svc.cluster.local:9000",
            S3_BUCKET: "shop--uploads",
            S3_ACCESS_KEY_ID: { name: "bucket-credentials", key: "S3_ACCESS_KEY_ID" },
            S3_SECRET_ACCESS_KEY: { name: "bucket-credentials", key: "S3_SECRET_ACCESS_KEY" },
        });
    });

    it("make the CPU limit explicit: declared, or twice the request", () => {
        const defaulted = service({ resources: { requests: { cpu: "250m", memory: "128Mi" }, limits: { memory: "256Mi" } } });
        expect(renderContainer(defaulted.ctx, defaulted.spec).resources).toEqual({
            // ephemeral storage: the default tmpDir (/tmp, 1Gi) plus 256Mi of logs = 1280Mi, requested and limited
            requests: { cpu: "250m", memory: "128Mi", "ephemeral-storage": "1280Mi" },
            limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "1280Mi" },
        });
        const threeTmpDirs = service({ tmpDirs: ["/tmp", "/var/cache/app", "/data/scratch"] });
        expect(renderContainer(threeTmpDirs.ctx, threeTmpDirs.spec).resources?.limits?.["ephemeral-storage"]).toBe(`${3 * 1024 + 256}Mi`);
        const declared = service({ resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "3", memory: "2Gi" } } });
        expect(renderContainer(declared.ctx, declared.spec).resources?.limits?.cpu).toBe("3");
    });
});

describe("PodDisruptionBudget and HPA presence", () => {
    const cases: Array<[string, Record<string, unknown>, boolean, boolean]> = [
        ["one replica (default)", {}, false, false],
        ["replicas 1", { replicas: 1 }, false, false],
        ["replicas 0", { replicas: 0 }, false, false],
        ["replicas 3", { replicas: 3 }, true, false],
        ["autoscale min 1", { autoscale: { min: 1, max: 4 } }, false, true],
        ["autoscale min 2", { autoscale: { min: 2, max: 4 } }, true, true],
    ];
    it.each(cases)("%s → PDB %s, HPA %s", (_label, doc, pdb, hpa) => {
        const { ctx, spec } = service(doc);
        expect(renderDisruptionBudget(ctx, spec) !== undefined).toBe(pdb);
        expect(renderAutoscaler(ctx, spec) !== undefined).toBe(hpa);
    });

    it("a PDB allows one pod down; an HPA targets the workload on CPU and owns the replica count", () => {
        const { ctx, spec } = service({ autoscale: { min: 2, max: 5, targetCPUUtilization: 60 }, volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }] });
        expect(renderDisruptionBudget(ctx, spec)?.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "platform/project": "shop", "platform/service": "web" } } });
        expect(renderAutoscaler(ctx, spec)).toMatchObject({
            apiVersion: "autoscaling/v2",
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "StatefulSet", name: "web" },
                minReplicas: 2,
                maxReplicas: 5,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
            },
        });
        expect(renderWorkload(ctx, spec).spec).not.toHaveProperty("replicas");
    });
});

describe("ServiceMonitor", () => {
    it("exists only with metrics, scrapes the named port once and keeps the project labels", () => {
        const none = service({});
        expect(renderServiceMonitor(none.ctx, none.spec)).toBeUndefined();
        const separate = service({ metrics: { port: 9100, path: "/stats" }, volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }] });
        const monitor = renderServiceMonitor(separate.ctx, separate.spec);
        expect(monitor?.spec.endpoints).toEqual([{ port: "metrics", path: "/stats", interval: "30s", scheme: "http" }]);
        expect(monitor?.spec.podTargetLabels).toEqual(["platform/project", "platform/service"]);
        expect(monitor?.spec.namespaceSelector).toEqual({ matchNames: ["shop"] });
        // The selector matches the ClusterIP Service and not the headless twin.
        const [clusterIp, headless] = renderServices(separate.ctx, separate.spec);
        const matches = (labels: Record<string, string>) =>
            Object.entries(monitor!.spec.selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
            (monitor!.spec.selector.matchExpressions ?? []).every((e) => e.operator === "DoesNotExist" && !(e.key in labels));
        expect(matches(clusterIp!.metadata!.labels!)).toBe(true);
        expect(matches(headless!.metadata!.labels!)).toBe(false);
        expect(clusterIp!.spec?.ports?.map((p) => p.name)).toEqual(["http", "metrics"]);
        const same = service({ metrics: { port: 8080 } });
        expect(renderServiceMonitor(same.ctx, same.spec)?.spec.endpoints[0]?.port).toBe("http");
    });
});
