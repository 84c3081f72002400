import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asString } from "../../lib/values";
import { parseImageReference } from "../../lib/images";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Images name a tag (or a digest), never `latest`: an untagged or `latest` image changes under a running
 * workload, so what was reviewed is not what runs.
 */
export const workloadImageTag: ResourceValidationPolicy = {
    name: "workload-image-tag",
    description: "Container images must be pinned to a tag other than latest (or a digest).",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            const image = asString(ref.container.image);
            if (image === undefined || image.trim() === "") {
                report(`${describeContainer(ref)} has no image`);
                continue;
            }
            const reference = parseImageReference(image);
            if (!reference) {
                report(`${describeContainer(ref)} image "${image}" is not a valid image reference`);
            } else if (reference.tag === undefined && reference.digest === undefined) {
                report(`${describeContainer(ref)} image "${image}" has no tag`);
            } else if (reference.tag?.toLowerCase() === "latest") {
                report(`${describeContainer(ref)} image "${image}" uses the latest tag`);
            }
        }
    }),
};
