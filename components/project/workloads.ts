import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
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
import { LABELS, PLATFORM_REGISTRY, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { inPlatformRegistry, PLACEHOLDER_DIGEST, PLACEHOLDER_DIGEST_ANNOTATION, PLACEHOLDER_DIGEST_VALUE } from "../../lib/registry";
import { isStateful, minReplicas, serviceEphemeralStorage, TMP_DIR_SIZE } from "../../lib/tenants/footprint";
import { PREVIEW_SERVICE_SUFFIX, type ContainerSpec, type InitContainerSpec, type ServiceSpec, type SidecarSpec } from "../../lib/tenants/schema";
import { containerMounts, containerVolumes, volumePrefix } from "./files";
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
import { mongoDbEnv } from "./mongodb";
import { redisEnv } from "./redis";

/**
 * One tenant service: a Deployment (or a StatefulSet when it has volumes, one claim set per replica on the
 * requested Longhorn class), its ClusterIP Service, a PodDisruptionBudget when more than one pod runs in
 * steady state, an HPA when autoscaled and a ServiceMonitor when it declares metrics.
 */

/** Name of the Service port that carries the service's traffic. */
export const HTTP_PORT_NAME = "http";
/** Name of the metrics port when no declared port carries it. */
export const METRICS_PORT_NAME = "metrics";

/** Label that tells a StatefulSet's headless Service from its ClusterIP Service (so metrics are scraped once). */
export const HEADLESS_LABEL = "platform/headless";

/** Label the StatefulSet controller sets on each pod with its ordinal (Kubernetes 1.28+, PodIndexLabel). */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** Headless Service of a StatefulSet (stable per-pod DNS names). */
export function headlessServiceName(service: Pick<ServiceSpec, "name">): string {
    return `${service.name}-headless`;
}

/** Preview Service of a blue/green service: the new version before promotion. */
export function previewServiceName(service: Pick<ServiceSpec, "name">): string {
    return `${service.name}${PREVIEW_SERVICE_SUFFIX}`;
}

/** The DNS domain of a StatefulSet's pods: `<service>-<i>.<this>` is pod i. */
export function peerDomain(ctx: ProjectContext, service: Pick<ServiceSpec, "name">): string {
    return `${headlessServiceName(service)}.${ctx.namespace}.svc.cluster.local`;
}

/** One port of a service's pods, with the container that listens on it. */
export interface PodPort {
    /** Port name (Service and container). */
    name: string;
    /** Port number. */
    port: number;
    /** TCP or UDP. */
    protocol: "TCP" | "UDP";
    /** Container name. */
    container: string;
    /** Whether it is reachable on its granted public entry point. */
    public: boolean;
}

/**
 * Every port of a service's pods: the main port (`http`), the declared ports, an undeclared metrics port
 * (`metrics`, on the main container) and the sidecars' ports.
 */
export function podPorts(service: ServiceSpec): PodPort[] {
    const ports: PodPort[] = [];
    if (service.port !== undefined) {
        ports.push({ name: HTTP_PORT_NAME, port: service.port, protocol: "TCP", container: service.name, public: false });
    }
    ports.push(...service.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, container: service.name, public: p.public })));
    ports.push(...service.sidecars.flatMap((s) => s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, container: s.name, public: false }))));
    if (service.metrics && !ports.some((p) => p.port === service.metrics!.port && p.protocol === "TCP")) {
        ports.push({ name: METRICS_PORT_NAME, port: service.metrics.port, protocol: "TCP", container: service.name, public: false });
    }
    return ports;
}

/** The port name Prometheus scrapes for a service with metrics. */
export function metricsPortName(service: ServiceSpec): string {
    return podPorts(service).find((p) => p.port === service.metrics?.port && p.protocol === "TCP")?.name ?? METRICS_PORT_NAME;
}

function containerPorts(service: ServiceSpec, container: string): IContainerPort[] {
    return podPorts(service)
        .filter((p) => p.container === container)
        .map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol }));
}

type ProbeSpec = NonNullable<ServiceSpec["probes"]["liveness"]>;

function probe(spec: ProbeSpec, defaultPort: number | undefined, timing: Partial<IProbe>): IProbe {
    let action: IProbe;
    if ("exec" in spec) {
        action = { exec: { command: [...spec.exec] } };
    } else {
        const port = spec.port ?? defaultPort;
        if (port === undefined) {
            throw new Error("a probe without a port on a container without a main port (validation refuses it)");
        }
        action = "path" in spec ? { httpGet: { path: spec.path, port } } : { tcpSocket: { port } };
    }
    return { ...action, timeoutSeconds: spec.timeoutSeconds ?? 3, ...timing };
}

/** Environment of the pod's identity in a clustered service; first, so `$(POD_NAME)` works in the tenant's env. */
export function clusterEnv(ctx: ProjectContext, service: ServiceSpec): IEnvVar[] {
    if (!service.cluster) {
        return [];
    }
    return [
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "POD_INDEX", valueFrom: { fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` } } },
        { name: "PEER_DOMAIN", value: peerDomain(ctx, service) },
    ];
}

/**
 * Container environment: the cluster identity (clustered services), plain env, `secretEnv` from the project
 * Secret, then the platform's credentials, only for what the container `uses`.
 */
export function containerEnv(ctx: ProjectContext, container: Pick<ContainerSpec, "env" | "secretEnv">, uses: readonly string[], identity: IEnvVar[] = []): IEnvVar[] {
    const env: IEnvVar[] = [...identity];
    env.push(
        ...Object.entries(container.env)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
    );
    for (const name of container.secretEnv) {
        env.push({ name, valueFrom: { secretKeyRef: { name: APP_SECRET, key: name } } });
    }
    if (ctx.project.database && uses.includes("database")) {
        env.push(...databaseEnv(ctx));
    }
    if (ctx.project.mongodb && uses.includes("mongodb")) {
        env.push(...mongoDbEnv(ctx));
    }
    if (ctx.project.redis && uses.includes("redis")) {
        env.push(...redisEnv(ctx));
    }
    if (ctx.project.bucket && uses.includes("bucket")) {
        env.push(...bucketEnv(ctx));
    }
    return env;
}

/** The service container's environment (kept for callers that render one service). */
export function serviceEnv(ctx: ProjectContext, service: ServiceSpec): IEnvVar[] {
    return containerEnv(ctx, service, service.uses, clusterEnv(ctx, service));
}

/** A tenant container: restricted security context, read-only root with emptyDirs, files read-only. */
export function tenantContainer(
    ctx: ProjectContext,
    container: ContainerSpec,
    options: { name: string; volumePrefix: string; env: IEnvVar[]; ports?: IContainerPort[]; extraMounts?: IContainerVolumeMount[] },
): IContainer {
    const ports = options.ports ?? [];
    return {
        name: options.name,
        image: container.image,
        // A platform-registry image is pulled again with the pod's own credential at every start: the node's image
        // cache must not hand one project's image to another project's pod on the same node.
        imagePullPolicy: inPlatformRegistry(container.image) ? "Always" : "IfNotPresent",
        ...(container.command ? { command: container.command } : {}),
        ...(container.args ? { args: container.args } : {}),
        ...(ports.length > 0 ? { ports } : {}),
        env: options.env,
        resources: containerResources(container.resources, serviceEphemeralStorage(container)),
        securityContext: containerSecurityContext(container.runAsUser),
        volumeMounts: [...containerMounts(container, options.volumePrefix), ...(options.extraMounts ?? [])],
    };
}

type IContainerVolumeMount = NonNullable<IContainer["volumeMounts"]>[number];

/** The service container: its ports, probes (a TCP readiness check on the main port by default) and volumes. */
export function renderContainer(ctx: ProjectContext, service: ServiceSpec): IContainer {
    const { liveness, readiness } = service.probes;
    const container = tenantContainer(ctx, service, {
        name: service.name,
        volumePrefix: volumePrefix(undefined),
        env: serviceEnv(ctx, service),
        ports: containerPorts(service, service.name),
        extraMounts: service.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
    });
    const defaultPort = service.port ?? service.ports.find((p) => p.protocol === "TCP")?.port;
    // Without a declared readiness probe the pod is ready once its main port accepts connections.
    const readinessProbe = readiness
        ? probe(readiness, defaultPort, { periodSeconds: 5, failureThreshold: 3 })
        : service.port !== undefined
          ? { tcpSocket: { port: service.port }, periodSeconds: 5, timeoutSeconds: 3 }
          : undefined;
    return {
        ...container,
        ...(readinessProbe ? { readinessProbe } : {}),
        ...(liveness ? { livenessProbe: probe(liveness, defaultPort, { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 }) } : {}),
    };
}

/** A sidecar container of a service's pods. */
export function renderSidecar(ctx: ProjectContext, service: ServiceSpec, sidecar: SidecarSpec): IContainer {
    const container = tenantContainer(ctx, sidecar, {
        name: sidecar.name,
        volumePrefix: volumePrefix(sidecar.name),
        env: containerEnv(ctx, sidecar, service.uses, clusterEnv(ctx, service)),
        ports: containerPorts(service, sidecar.name),
    });
    const defaultPort = sidecar.ports.find((p) => p.protocol === "TCP")?.port;
    const { liveness, readiness } = sidecar.probes;
    return {
        ...container,
        ...(readiness ? { readinessProbe: probe(readiness, defaultPort, { periodSeconds: 5, failureThreshold: 3 }) } : {}),
        ...(liveness ? { livenessProbe: probe(liveness, defaultPort, { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 }) } : {}),
    };
}

/** An init container of a service's pods (it may prepare the service's volumes). */
export function renderInitContainer(ctx: ProjectContext, service: ServiceSpec, init: InitContainerSpec): IContainer {
    return tenantContainer(ctx, init, {
        name: init.name,
        volumePrefix: volumePrefix(init.name),
        env: containerEnv(ctx, init, service.uses, clusterEnv(ctx, service)),
        extraMounts: service.volumes.map((volume) => ({ name: volume.name, mountPath: volume.mountPath })),
    });
}

/** The pod template of a service (Deployment, StatefulSet and Rollout alike). */
export function podTemplate(ctx: ProjectContext, service: ServiceSpec): IPodTemplateSpec {
    const images = [service, ...service.sidecars, ...service.initContainers].map((c) => c.image);
    return {
        // `platform/deployment`: the workload a pod belongs to (Loki's `deployment`, `npm run logs --deployment`).
        metadata: { labels: { ...objectLabels(ctx, service.name), [LABELS.deployment]: service.name, ...(service.build?.commit ? { [LABELS.commit]: service.build.commit } : {}) } },
        spec: {
            ...basePodSpec(ctx, service.runAsUser),
            // The project's own pull robot (written by the platform stack): it reads only this project's repositories.
            ...(images.some(inPlatformRegistry) ? { imagePullSecrets: [{ name: PLATFORM_REGISTRY.pullSecret }] } : {}),
            topologySpreadConstraints: topologySpread(ctx, service.name),
            ...(service.initContainers.length > 0 ? { initContainers: service.initContainers.map((c) => renderInitContainer(ctx, service, c)) } : {}),
            containers: [renderContainer(ctx, service), ...service.sidecars.map((s) => renderSidecar(ctx, service, s))],
            volumes: [
                ...containerVolumes(service, volumePrefix(undefined)),
                ...service.sidecars.flatMap((s) => containerVolumes(s, volumePrefix(s.name))),
                ...service.initContainers.flatMap((c) => containerVolumes(c, volumePrefix(c.name))),
            ],
        },
    };
}

/**
 * Replicas the workload declares; omitted when an HPA owns the count (so `pulumi up` never fights it). A
 * decommissioned project runs nothing (its HPAs are gone), so its final backup is of quiet data.
 */
export function declaredReplicas(ctx: ProjectContext, service: ServiceSpec): { replicas?: number } {
    if (ctx.project.decommission) {
        return { replicas: 0 };
    }
    return service.autoscale ? {} : { replicas: service.replicas ?? 1 };
}

/**
 * Metadata of a service's workload (Deployment, StatefulSet or Rollout): a built image still at the placeholder
 * digest (no build ran: the offline plan) is annotated as such.
 */
export function workloadMeta(ctx: ProjectContext, service: ServiceSpec): IObjectMeta {
    return {
        ...objectMeta(ctx, service.name, service.name),
        ...(service.image.endsWith(`@${PLACEHOLDER_DIGEST}`) ? { annotations: { [PLACEHOLDER_DIGEST_ANNOTATION]: PLACEHOLDER_DIGEST_VALUE } } : {}),
    };
}

/** The workload of a service: Deployment, or StatefulSet when it has volumes. */
export function renderWorkload(ctx: ProjectContext, service: ServiceSpec): IDeployment | IStatefulSet {
    const metadata = workloadMeta(ctx, service);
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
            ...(service.cluster ? { podManagementPolicy: service.cluster.podManagementPolicy } : {}),
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

/**
 * ClusterIP Services of a service (plus the headless one of a StatefulSet; a clustered one also lists pods
 * before they are ready, so peers find each other while they form the cluster); never NodePort or
 * LoadBalancer. A worker without ports has none.
 */
export function renderServices(ctx: ProjectContext, service: ServiceSpec): IService[] {
    const ports: IServicePort[] = podPorts(service).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol }));
    if (ports.length === 0) {
        return [];
    }
    const services: IService[] = [
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: objectMeta(ctx, service.name, service.name),
            spec: { type: "ClusterIP", selector: selectorLabels(ctx, service.name), ports },
        },
    ];
    if (service.strategy.type === "blueGreen") {
        // The new version's pods before promotion (Argo Rollouts adds the ReplicaSet's hash to both selectors).
        services.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: objectMeta(ctx, previewServiceName(service), service.name),
            spec: { type: "ClusterIP", selector: selectorLabels(ctx, service.name), ports },
        });
    }
    if (isStateful(service)) {
        const metadata = objectMeta(ctx, headlessServiceName(service), service.name);
        services.push({
            apiVersion: "v1",
            kind: "Service",
            metadata: { ...metadata, labels: { ...metadata.labels, [HEADLESS_LABEL]: "true" } },
            spec: {
                type: "ClusterIP",
                clusterIP: "None",
                selector: selectorLabels(ctx, service.name),
                ports,
                ...(service.cluster ? { publishNotReadyAddresses: true } : {}),
            },
        });
    }
    return services;
}

/** Pods a quorum needs: a strict majority of the members. */
export function quorumOf(members: number): number {
    return Math.floor(members / 2) + 1;
}

/**
 * A PodDisruptionBudget: a clustered service with `quorum` keeps a majority of its members; otherwise one
 * pod at a time may go when more than one pod runs in steady state.
 */
export function renderDisruptionBudget(ctx: ProjectContext, service: ServiceSpec): IPodDisruptionBudget | undefined {
    const selector = { matchLabels: selectorLabels(ctx, service.name) };
    if (service.cluster?.quorum) {
        return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: objectMeta(ctx, service.name, service.name), spec: { minAvailable: quorumOf(service.replicas ?? 1), selector } };
    }
    if (minReplicas(service) <= 1) {
        return undefined;
    }
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: objectMeta(ctx, service.name, service.name),
        spec: { maxUnavailable: 1, selector },
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
            scaleTargetRef:
                service.strategy.type === "blueGreen"
                    ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: service.name }
                    : { apiVersion: "apps/v1", kind: isStateful(service) ? "StatefulSet" : "Deployment", name: service.name },
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
