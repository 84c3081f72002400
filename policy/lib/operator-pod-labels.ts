import { LABELS } from "../../lib/conventions";
import { asRecord } from "./values";

/**
 * Label keys tenants may not choose freely on the pods a database operator creates for them (CloudNativePG
 * `inheritedMetadata.labels`, the Percona operators' per-component `labels`): the platform's own (`platform/…`,
 * read by the project's NetworkPolicies: `platform/service` NotIn [database] keeps the database pods off the
 * internet rules, `platform/service: <service>` opens Traefik's and Prometheus' ingress to a service's pods), the
 * recommended `app.kubernetes.io/…` and the operators' and Kubernetes' domains (`cnpg.io/…` selects the -rw/-ro
 * Services' instances and the instance NetworkPolicies, `percona.com/…`, `kubernetes.io/…`, `k8s.io/…`). Matched on
 * the lower-cased key; RE2 and ECMAScript read the pattern alike. Other keys stay the tenant's.
 */
export const RESERVED_POD_LABEL_PATTERN = "^(platform/|app[.]kubernetes[.]io/|([a-z0-9.-]+[.])?(cnpg[.]io|percona[.]com|kubernetes[.]io|k8s[.]io)/)";

/** The pod `platform/service` of each engine's database pods (components/project/database.ts DATABASE_COMPONENT, mongodb.ts MONGODB_COMPONENT). */
export const DATABASE_POD_SERVICE = { postgresql: "database", mysql: "database", mongodb: "mongodb" } as const;

/**
 * The reserved labels a tenant database's pods may carry, with their values: exactly what components/project/
 * common.ts objectLabels renders for the project (the namespace is the project id) and the database component;
 * `platform/trust` either level (no policy reads it from a pod: the namespace's label decides).
 */
export function renderedPodLabelValues(namespace: string, service: string): Readonly<Record<string, readonly string[]>> {
    return {
        [LABELS.project]: [namespace],
        [LABELS.service]: [service],
        [LABELS.trust]: ["trusted", "untrusted"],
        [LABELS.managedBy]: ["pulumi"],
        "app.kubernetes.io/name": [service],
        "app.kubernetes.io/part-of": [namespace],
    };
}

/** Problems of one pod label map of an operator's CR (at `where`): reserved keys only with the rendered values ({@link renderedPodLabelValues}). */
export function operatorPodLabelProblems(labels: unknown, namespace: string, service: string, where: string): string[] {
    const reserved = new RegExp(RESERVED_POD_LABEL_PATTERN);
    const allowed = renderedPodLabelValues(namespace, service);
    return Object.entries(asRecord(labels) ?? {})
        .filter(([key, value]) => reserved.test(key.toLowerCase()) && !(allowed[key] ?? []).includes(String(value)))
        .map(([key, value]) => `${where}["${key}"] is ${JSON.stringify(value)} (a label the project's NetworkPolicies, Services or the operator select pods by: only the platform's ${JSON.stringify(allowed[key] ?? "none")})`);
}

/**
 * Pod label keys the database operators' own pods are selected by in the project's NetworkPolicies and Services
 * (CloudNativePG `cnpg.io/cluster`: the instances' API-server and object-storage egress, the -rw/-ro Services;
 * `percona.com/…`; the Redis operator's `redis_setup_type`: the Sentinels' port): a pod any other writer labels so
 * would be given that egress or that traffic.
 */
export const OPERATOR_SELECTOR_LABEL_PATTERN = "^(([a-z0-9.-]+[.])?(cnpg[.]io|percona[.]com)/|redis_setup_type$)";

/**
 * The label OpsTree's Redis operator puts on every member and Sentinel pod (`redis_setup_type`: `replication`,
 * `sentinel`; v0.26.0 getRedisStableLabels, beside `app` and `role`): the project's NetworkPolicies open the
 * Sentinels' port only to pods with it, so no other writer may set it ({@link OPERATOR_SELECTOR_LABEL_PATTERN}).
 */
export const REDIS_OPERATOR_POD_LABEL = "redis_setup_type";

/**
 * The Percona operators select a cluster's pods by `app.kubernetes.io/instance: <cluster>` (components/project/
 * mysql.ts PXC_LABELS, mongodb.ts PSMDB_CLUSTER_LABEL: the backup Jobs' object-storage egress); the project's
 * clusters are `database`, `mongodb` and a restore's `-g<N>` successors. Other values stay the tenant's (Helm
 * charts set this label on everything).
 */
export const OPERATOR_INSTANCE_LABEL = { key: "app.kubernetes.io/instance", valuePattern: "^(database|mongodb)(-g[0-9]+)?$" } as const;

/**
 * The Rollout strategies' ephemeral metadata (argoproj.io/v1alpha1 Rollout: `strategy.<strategy>.<field>`): Argo
 * Rollouts puts these labels on the ReplicaSets and the running pods itself, so they are pod labels too.
 */
export const ROLLOUT_EPHEMERAL_METADATA: ReadonlyArray<readonly [strategy: string, field: string]> = [
    ["blueGreen", "activeMetadata"],
    ["blueGreen", "previewMetadata"],
    ["canary", "stableMetadata"],
    ["canary", "canaryMetadata"],
];

/**
 * The operator selector labels among `labels`, as `key=value` in the map's order: keys of
 * {@link OPERATOR_SELECTOR_LABEL_PATTERN} (lower-cased) and {@link OPERATOR_INSTANCE_LABEL} with a database's value.
 */
export function operatorSelectorLabels(labels: Readonly<Record<string, string>>): string[] {
    const keys = new RegExp(OPERATOR_SELECTOR_LABEL_PATTERN);
    const instance = new RegExp(OPERATOR_INSTANCE_LABEL.valuePattern);
    return Object.entries(labels)
        .filter(([key, value]) => keys.test(key.toLowerCase()) || (key === OPERATOR_INSTANCE_LABEL.key && instance.test(value)))
        .map(([key, value]) => `${key}=${value}`);
}
