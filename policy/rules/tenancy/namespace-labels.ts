import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig } from "../../lib/config";
import { K8S_TYPES, metadataOf, objectNameOf } from "../../lib/kubernetes";
import { TENANT_NAMESPACE_LABEL, isPlatformNamespace } from "../../lib/namespaces";
import { forTypes } from "../../lib/rule-helpers";
import { LABELS } from "../../../lib/conventions";

/**
 * Every namespace outside the platform's is a tenant namespace and says so: `platform/tenant: "true"`,
 * `platform/project` and `platform/trust` (trusted|untrusted). The tenant stack rules (quota, limits,
 * network isolation, sandbox) find tenant namespaces by these labels, so an unlabelled namespace would
 * escape all of them.
 */
export const tenancyNamespaceLabels: ResourceValidationPolicy = {
    name: "tenancy-namespace-labels",
    description: `Non-platform namespaces must carry ${TENANT_NAMESPACE_LABEL}="true", ${LABELS.project} and ${LABELS.trust} (trusted|untrusted).`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTypes([K8S_TYPES.namespace], (args, report) => {
        const name = objectNameOf(args);
        if (isPlatformNamespace(name, packConfig(args).platformNamespaces)) {
            return;
        }
        const { labels } = metadataOf(args.props);
        if (labels[TENANT_NAMESPACE_LABEL] !== "true") {
            report(`namespace "${name}" is not a platform namespace and lacks the label ${TENANT_NAMESPACE_LABEL}: "true"`);
        }
        if (!labels[LABELS.project]) {
            report(`namespace "${name}" lacks the label ${LABELS.project}`);
        }
        const trust = labels[LABELS.trust];
        if (trust !== "trusted" && trust !== "untrusted") {
            report(`namespace "${name}" has ${LABELS.trust}: ${trust === undefined ? "<unset>" : `"${trust}"`} (expected trusted or untrusted)`);
        }
    }),
};
