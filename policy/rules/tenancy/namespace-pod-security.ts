import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig } from "../../lib/config";
import { K8S_TYPES, metadataOf, objectNameOf } from "../../lib/kubernetes";
import { PSA_ENFORCE_LABEL, hasTenantLabel, isPlatformNamespace } from "../../lib/namespaces";
import { forTypes } from "../../lib/rule-helpers";

/** The Pod Security Standard every tenant namespace enforces. */
export const TENANT_PSA_LEVEL = "restricted";

/**
 * Tenant namespaces enforce Pod Security `restricted` through admission: the last line of defence for pods
 * that never pass through this pack (Argo CD syncs, operators, `kubectl` with a tenant's credentials).
 */
export const tenancyNamespacePodSecurity: ResourceValidationPolicy = {
    name: "tenancy-namespace-pod-security",
    description: `Tenant namespaces must be labelled ${PSA_ENFORCE_LABEL}: ${TENANT_PSA_LEVEL}.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTypes([K8S_TYPES.namespace], (args, report) => {
        const { labels } = metadataOf(args.props);
        const name = objectNameOf(args);
        if (!hasTenantLabel(labels) || isPlatformNamespace(name, packConfig(args).platformNamespaces)) {
            args.notApplicable("not a tenant namespace");
        }
        const level = labels[PSA_ENFORCE_LABEL];
        if (level !== TENANT_PSA_LEVEL) {
            report(`tenant namespace "${name}" has ${PSA_ENFORCE_LABEL}: ${level === undefined ? "<unset>" : level} (must be ${TENANT_PSA_LEVEL})`);
        }
    }),
};
