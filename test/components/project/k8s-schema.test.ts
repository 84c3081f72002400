import { describe, expect, it } from "vitest";
import { renderRuntimeClass } from "../../../components/project/sandbox-policy";
import { validateObject } from "../../helpers/k8s-schema";
import { allObjects, everyExample, project, stackPlatformConfig } from "./fixtures";

/** Every object kind a project can render; each must be checked against a real schema. */
const KINDS = [
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ServiceAccount",
    "Secret",
    "PersistentVolumeClaim",
    "Service",
    "Deployment",
    "StatefulSet",
    "Rollout",
    "PerconaServerMongoDB",
    "RedisReplication",
    "PerconaXtraDBCluster",
    "Job",
    "CronJob",
    "ConfigMap",
    "IngressRouteTCP",
    "IngressRouteUDP",
    "Ingress",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ServiceMonitor",
    "PodMonitor",
    "Cluster",
    "ScheduledBackup",
    "AppProject",
    "Application",
];

describe("every generated object validates against the Kubernetes and CRD OpenAPI schemas", () => {
    const examples = everyExample();

    it("the examples cover every kind the Project renders", () => {
        const kinds = new Set(examples.flatMap((e) => e.objects.map((o) => o.kind)));
        expect([...kinds].sort()).toEqual([...KINDS].sort());
    });

    it.each(examples.map((e) => [`${e.stack}/${e.spec.name}`, e] as const))("%s", (_id, example) => {
        const results = example.objects.map((o) => validateObject(o as { apiVersion: string; kind: string }));
        expect(results.filter((r) => r.status !== "valid").map((r) => `${r.id}: ${r.status} ${r.error ?? ""}`)).toEqual([]);
        expect(results.length).toBe(example.objects.length);
    });

    it("a project using every option (MySQL, bucket, git, autoscaling, volumes, middlewares)", () => {
        const spec = project({
            trust: "trusted",
            services: [
                {
                    name: "web",
                    image: "ghcr.io/example/web:1.4.2",
                    port: 8080,
                    autoscale: { min: 2, max: 4 },
                    metrics: { port: 9100 },
                    volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }],
                    expose: { public: true, customDomains: ["shop.example.org"] },
                    probes: { liveness: { path: "/healthz" }, readiness: { tcp: true } },
                    command: ["/app/web"],
                    args: ["--verbose"],
                    env: { A: "1" },
                    secretEnv: ["API_KEY"],
                },
            ],
            database: { engine: "mysql", version: "8.0" },
            bucket: { name: "media" },
            egress: { ports: [{ port: 9418 }] },
            git: { repoURL: "https://github.com/example/shop.git" },
        });
        const objects = allObjects(spec, stackPlatformConfig("fsn1"), ["traefik-secure-headers@kubernetescrd"]);
        expect(objects.map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
    });

    it("the gVisor RuntimeClass", () => {
        expect(validateObject(renderRuntimeClass())).toMatchObject({ status: "valid" });
    });

    it("the validator is not a rubber stamp: a broken object is reported invalid", () => {
        const [namespace] = allObjects(project({}), stackPlatformConfig("dev"));
        expect(validateObject({ ...namespace!, spec: { finalizers: "kubernetes" } } as never).status).toBe("invalid");
    });
});
