import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asString } from "../../lib/values";
import { parseImageReference } from "../../lib/images";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/** Advisory: images pinned by digest, since a tag can be re-pushed and a digest cannot. */
export const workloadImageDigest: ResourceValidationPolicy = {
    name: "workload-image-digest",
    description: "Container images should be pinned by digest.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            const image = asString(ref.container.image);
            const reference = image === undefined ? undefined : parseImageReference(image);
            if (reference && reference.digest === undefined) {
                report(`${describeContainer(ref)} image "${image}" is not pinned by digest`);
            }
        }
    }),
};
