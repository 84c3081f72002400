import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServicePort } from "kubernetes-models/v1/ServicePort";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IContainerPort } from "kubernetes-models/v1/ContainerPort";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IProbe } from "kubernetes-models/v1/Probe";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { LABELS, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { isStateful, minReplicas, serviceEphemeralStorage, TMP_DIR_SIZE } from "../../lib/tenants/footprint";
import type { ServiceSpec } from "../../lib/tenants/schema";
import {
    APP_SECRET,
    basePodSpec,
    containerResources,
    containerSecurityContext,
    objectLabels,
    objectMeta,
    selectorLabels,
    topologySpread,
    type ProjectContext,
} from "./common";
import { databaseEnv } from "./database";
import { bucketEnv } from "./storage";

/**
 * One tenant service: a Deployment (or a StatefulSet when it has volumes, one claim set per replica on the
 * requested Longhorn class), its ClusterIP Service, a PodDisruptionBudget when more than one pod runs in
 * steady state, an HPA when autoscaled and a ServiceMonitor when it declares metrics.
 */

/** Name of the Service port that carries the service's traffic. */
export const HTTP_PORT_NAME = "http";
/** Name of the metrics port when it differs from the service port. */
export const METRICS_PORT_NAME = "metrics";

/** Label that tells a StatefulSet's headless Service from its ClusterIP Service (so metrics are scraped once). */
export const HEADLESS_LABEL = "platform/headless";

/** Headless Service of a StatefulSet (stable per-pod DNS names). */
export function headlessServiceName(service: ServiceSpec): string {
    return `${service.name}-headless`;
}

/** The port name Prometheus scrapes for a service with metrics. */
export function metricsPortName(service: ServiceSpec): string {
    return service.metrics && service.metrics.port !== service.port ? METRICS_PORT_NAME : HTTP_PORT_NAME;
}

function containerPorts(service: ServiceSpec): IContainerPort[] {
    const ports: IContainerPort[] = [{ name: HTTP_PORT_NAME, containerPort: service.port, protocol: "TCP" }];
    if (service.metrics && service.metrics.port !== service.port) {
        ports.push({ name: METRICS_PORT_NAME, containerPort: service.metrics.port, protocol: "TCP" });
    }
    return ports;
}

function probe(service: ServiceSpec, spec: NonNullable<ServiceSpec["probes"]["liveness"]>, timing: Partial<IProbe>): IProbe {
    const port = spec.port ?? service.port;
    const action: IProbe = "path" in spec ? { httpGet: { path: spec.path, port } } : { tcpSocket: { port } };
    return { ...action, timeoutSeconds: 3, ...timing };
}

/** Container environment: plain env, `secretEnv` from the project Secret, then the platform's injections. */
export function serviceEnv(ctx: ProjectContext, service: ServiceSpec): IEnvVar[] {
    const env: IEnvVar[] = Object.entries(service.env)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    for (const name of service.secretEnv) {
        env.push({ name, valueFrom: { secretKeyRef: { name: APP_SECRET, key: name } } });
    }
    if (ctx.project.database) {
        env.push(...databaseEnv(ctx));
    }
    if (ctx.project.bucket) {
        env.push(...bucketEnv(ctx));
    }
    return env;
}

/** The service container: restricted security context, read-only root with emptyDirs for `tmpDirs`. */
export function renderContainer(ctx: ProjectContext, service: ServiceSpec): IContainer {
    const { liveness, readiness } = service.probes;
    return {
        name: service.name,
        image: service.image,
        imagePullPolicy: "IfNotPresent",
        ...(service.command ? { command: service.command } : {}),
        ...(service.args ? { args: service.args } : {}),
        ports: containerPorts(service),
        env: serviceEnv(ctx, service),
        resources: containerResources(service.resources, serviceEphemeralStorage(service)),
        securityContext: containerSecurityContext(service.runAsUser),
        // Without a declared readiness probe the pod is ready once its port accepts connections.
        readinessProbe: readiness ? probe(service, readiness, { periodSeconds: 5, failureThreshold: 3 }) : { tcpSocket: { port: service.port }, periodSeconds: 5, timeoutSeconds: 3 },
        ...(liveness ? { livenessProbe: probe(service, liveness, { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 }) } : {}),
        volumeMounts: [
            ...service.tmpDirs.map((mountPath, index) => ({ name: `tmp-${index}`, mountPath })),
            ...service.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
        ],
    };
}

function podTemplate(ctx: ProjectContext, service: ServiceSpec): IPodTemplateSpec {
    return {
        metadata: { labels: objectLabels(ctx, service.name) },
        spec: {
            ...basePodSpec(ctx, service.runAsUser),
            topologySpreadConstraints: topologySpread(ctx, service.name),
            containers: [renderContainer(ctx, service)],
            volumes: service.tmpDirs.map((_, index) => ({ name: `tmp-${index}`, emptyDir: { sizeLimit: TMP_DIR_SIZE } })),
        },
    };
}

/**
 * Replicas the workload declares; omitted when an HPA owns the count (so `pulumi up` never fights it). A
 * decommissioned project runs nothing (its HPAs are gone), so its final backup is of quiet data.
 */
function declaredReplicas(ctx: ProjectContext, service: ServiceSpec): { replicas?: number } {
    if (ctx.project.decommission) {
        return { replicas: 0 };
    }
    return service.autoscale ? {} : { replicas: service.replicas ?? 1 };
}

/** The workload of a service: Deployment, or StatefulSet when it has volumes. */
export function renderWorkload(ctx: ProjectContext, service: ServiceSpec): IDeployment | IStatefulSet {
    const metadata = objectMeta(ctx, service.name, service.name);
    const selector = { matchLabels: selectorLabels(ctx, service.name) };
    if (!isStateful(service)) {
        return {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata,
            spec: {
                ...declaredReplicas(ctx, service),
                revisionHistoryLimit: 5,
                selector,
                // One surge pod at a time: the tenant validation reserves quota for exactly that.
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: podTemplate(ctx, service),
            },
        };
    }
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata,
        spec: {
            ...declaredReplicas(ctx, service),
            revisionHistoryLimit: 5,
            serviceName: headlessServiceName(service),
            selector,
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template: podTemplate(ctx, service),
            volumeClaimTemplates: service.volumes.map((volume) => ({
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: volume.name, labels: objectLabels(ctx, service.name) },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    // Used only if a claim is missing: the Project registers every claim (components/project/volumes.ts).
                    storageClassName: TENANT_STORAGE_CLASSES[volume.class],
                    resources: { requests: { storage: volume.size } },
                },
            })),
        },
    };
}

/** ClusterIP Services of a service (plus the headless one of a StatefulSet); never NodePort or LoadBalancer. */
export function renderServices(ctx: ProjectContext, service: ServiceSpec): IService[] {
    const ports: IServicePort[] = containerPorts(service).map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: "TCP" }));
    const services: IService[] = [
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: objectMeta(ctx, service.name, service.name),
            spec: { type: "ClusterIP", selector: selectorLabels(ctx, service.name), ports },
        },
    ];
    if (isStateful(service)) {
        const metadata = objectMeta(ctx, headlessServiceName(service), service.name);
        services.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: { ...metadata, labels: { ...metadata.labels, [HEADLESS_LABEL]: "true" } },
            spec: { type: "ClusterIP", clusterIP: "None", selector: selectorLabels(ctx, service.name), ports },
        });
    }
    return services;
}

/** A PodDisruptionBudget (one pod at a time) when more than one pod runs in steady state. */
export function renderDisruptionBudget(ctx: ProjectContext, service: ServiceSpec): IPodDisruptionBudget | undefined {
    if (minReplicas(service) <= 1) {
        return undefined;
    }
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(ctx, service.name, service.name),
        spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(ctx, service.name) } },
    };
}

/** An autoscaling/v2 HPA on CPU utilisation when the service is autoscaled. */
export function renderAutoscaler(ctx: ProjectContext, service: ServiceSpec): IHorizontalPodAutoscaler | undefined {
    if (!service.autoscale || ctx.project.decommission) {
        return undefined;
    }
    return {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: objectMeta(ctx, service.name, service.name),
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: isStateful(service) ? "StatefulSet" : "Deployment", name: service.name },
            minReplicas: service.autoscale.min,
            maxReplicas: service.autoscale.max,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: service.autoscale.targetCPUUtilization } } }],
        },
    };
}

/**
 * A ServiceMonitor when the service declares metrics. The pod's `platform/project` and `platform/service`
 * labels become target labels, so metering and dashboards can group by project.
 */
export function renderServiceMonitor(ctx: ProjectContext, service: ServiceSpec): IServiceMonitor | undefined {
    if (!service.metrics) {
        return undefined;
    }
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: objectMeta(ctx, service.name, service.name),
        spec: {
            selector: {
                matchLabels: selectorLabels(ctx, service.name),
                matchExpressions: [{ key: HEADLESS_LABEL, operator: "DoesNotExist" }],
            },
            namespaceSelector: { matchNames: [ctx.namespace] },
            podTargetLabels: [LABELS.project, LABELS.service],
            endpoints: [{ port: metricsPortName(service), path: service.metrics.path, interval: "30s", scheme: "http" }],
        },
    };
}
