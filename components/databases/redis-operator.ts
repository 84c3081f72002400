import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { chartCrdUrls } from "../../charts/crds";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { operatorEgressPolicies } from "./operator-network-policies";
import { REDIS_RELEASE, renderRedisOperatorValues } from "./redis-values";
import { REDIS_ALERTS_RULE, renderRedisAlertGroups } from "./redis-rules";

/** Arguments of the Redis operator add-on. */
export interface RedisOperatorArgs {
    /** Validated stack configuration. */
    config: PlatformConfig;
}

/**
 * The Redis operator (`platform:databases:RedisOperator`): the OpsTree Redis Operator chart in `redis-operator`,
 * watching every namespace, its CRDs applied from the pinned release before it (the chart ships them under
 * `crds/`, which Helm never upgrades), and the tenant Redis alerts. Tenant Projects with a `redis` depend on it.
 * Pass the Prometheus Operator CRDs (and the monitoring namespace they create) as `opts.dependsOn`.
 */
export class RedisOperator extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** What it provides (lib/requirements.ts): the redis.redis.opstreelabs.in kinds, once the CRDs and the operator are in. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: RedisOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        const groups = renderRedisAlertGroups();
        const values = renderRedisOperatorValues(args.config);
        const egress = operatorEgressPolicies(NAMESPACES.redisOperator, args.config);
        super("platform:databases:RedisOperator", name, {}, opts);
        const ns = renderPlatformNamespace(NAMESPACES.redisOperator, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        // Default-deny egress and what the operator needs (components/databases/operator-network-policies.ts).
        for (const p of egress) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] });
        }
        // Retained on delete: removing a CRD deletes every tenant's RedisReplication (and, with it, its StatefulSets).
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: chartCrdUrls("redisOperator") }, { parent: this, retainOnDelete: true });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            { ...releaseArgs("redisOperator", { name: REDIS_RELEASE, namespace: NAMESPACES.redisOperator, values }), skipCrds: true },
            { parent: this, dependsOn: [namespace, crds] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: REDIS_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
                spec: { groups },
            },
            { parent: this },
        );
        this.releaseName = release.name;
        // Webhook off (charts/redis-operator/values.yaml): the kinds are usable once the CRDs exist and the operator runs.
        this.provides = { [requirement.apiGroup("redis.redis.opstreelabs.in")]: [crds, release] };
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
