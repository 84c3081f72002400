import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { isPlatformNamespace } from "../../lib/namespaces";
import { OPERATOR_INSTANCE_LABEL, operatorSelectorLabels, REDIS_OPERATOR_POD_LABEL, ROLLOUT_EPHEMERAL_METADATA } from "../../lib/operator-pod-labels";
import { forWorkloads } from "../../lib/rule-helpers";
import { asStringMap, at } from "../../lib/values";

/**
 * The project's NetworkPolicies and Services select the database operators' pods by the operators' own labels
 * (CloudNativePG `cnpg.io/…`: the instances' API-server and object-storage egress, the -rw/-ro Services; the
 * Percona operators' `percona.com/…` and `app.kubernetes.io/instance` of a database cluster: the backup Jobs'
 * object-storage egress; the Redis operator's `redis_setup_type`: the Sentinels' port). A tenant workload labelled
 * so would be given that egress or that traffic. Only the operators label pods so, and they are never Pulumi: no
 * workload a stack registers in a tenant namespace carries those labels on its pod or pod template, nor in a
 * Rollout's ephemeral metadata (Argo Rollouts copies it onto the pods itself). The patterns are
 * policy/lib/operator-pod-labels.ts's, which the admission twin (components/guardrails, pod policy) reads too.
 */
export const workloadNoOperatorSelectorLabels: ResourceValidationPolicy = {
    name: "workload-no-operator-selector-labels",
    description: `Tenant workloads must not carry a database operator's selector labels (cnpg.io/…, percona.com/…, ${OPERATOR_INSTANCE_LABEL.key} of a database cluster, ${REDIS_OPERATOR_POD_LABEL}) on their pods, templates or a Rollout's ephemeral metadata.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forWorkloads(({ args, type, namespace, podLabels, config }, report) => {
        if (isPlatformNamespace(namespace, config.platformNamespaces)) {
            args.notApplicable("platform namespace");
        }
        const why = "the project's NetworkPolicies give pods with it a database operator's egress or the Sentinels' port; only the operators label their pods so";
        for (const label of operatorSelectorLabels(podLabels)) {
            report(`pod label ${label} is a database operator's selector label: ${why}`);
        }
        if (/:Rollout$/.test(type)) {
            for (const [strategy, field] of ROLLOUT_EPHEMERAL_METADATA) {
                for (const label of operatorSelectorLabels(asStringMap(at(args.props, ["spec", "strategy", strategy, field, "labels"])))) {
                    report(`spec.strategy.${strategy}.${field} label ${label} is a database operator's selector label (Argo Rollouts puts it on the pods): ${why}`);
                }
            }
        }
    }),
};
