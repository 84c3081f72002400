import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { asString } from "../../lib/values";
import { parseImageReference, registryAllowed } from "../../lib/images";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { PLATFORM_REGISTRY_HOST } from "../../lib/catalogue";

/**
 * Images come from the allowed registries only (config `allowedRegistries`; no registry means docker.io), or
 * from the platform registry under the workload's own namespace (a project's path: its pull robot reads nothing else).
 */
export const workloadImageRegistry: ResourceValidationPolicy = {
    name: "workload-image-registry",
    description: "Container images must come from an allowed registry.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("allowedRegistries"),
    validateResource: forWorkloads(({ containers, config, namespace }, report) => {
        for (const ref of containers) {
            const image = asString(ref.container.image);
            const reference = image === undefined ? undefined : parseImageReference(image);
            if (!reference) {
                continue; // workload-image-tag reports missing and malformed images
            }
            if (reference.registry === PLATFORM_REGISTRY_HOST) {
                if (!reference.repository.startsWith(`${namespace}/`)) {
                    report(`${describeContainer(ref)} image "${image}" is in the platform registry outside this project's path ${PLATFORM_REGISTRY_HOST}/${namespace}/`);
                }
                continue;
            }
            if (!registryAllowed(reference, config.allowedRegistries)) {
                report(`${describeContainer(ref)} image "${image}" comes from ${reference.registry}, not an allowed registry (${config.allowedRegistries.join(", ")})`);
            }
        }
    }),
};
