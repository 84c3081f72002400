import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { resourcesInNamespace } from "../../lib/namespaces";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { asArray, asRecord, whenKnown } from "../../lib/values";

const nonEmpty = (value: unknown) => Object.keys(asRecord(value) ?? {}).length > 0;

/**
 * Each tenant namespace has a LimitRange with Container defaults (`default` and `defaultRequest`): pods the
 * platform did not render (a git-synced app, cert-manager's solver) still get requests and limits, so the
 * quota admits them and they cannot grow unbounded.
 */
export const tenancyLimitRange: StackValidationPolicy = {
    name: "tenancy-limit-range",
    description: "Every tenant namespace must have a LimitRange with Container default limits and requests.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        for (const tenant of tenants) {
            const ranges = resourcesInNamespace(resources, K8S_TYPES.limitRange, tenant.name);
            if (ranges.length === 0) {
                report(`tenant namespace "${tenant.name}" has no LimitRange`, tenant.resource.urn);
                continue;
            }
            const hasContainerDefaults = ranges.some((range) =>
                whenKnown(
                    () =>
                        asArray(specOf(range.props).limits).some((entry) => {
                            const limit = asRecord(entry) ?? {};
                            return limit.type === "Container" && nonEmpty(limit.default) && nonEmpty(limit.defaultRequest);
                        }),
                    true,
                ),
            );
            if (!hasContainerDefaults) {
                report(`LimitRange of tenant namespace "${tenant.name}" sets no Container default and defaultRequest`, tenant.resource.urn);
            }
        }
    }),
};
