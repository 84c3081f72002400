import * as path from "node:path";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IRollout } from "../project/rollout";
import { PLACEHOLDER_DIGEST, PLACEHOLDER_DIGEST_ANNOTATION } from "../../lib/registry";

/** The script the platform stack (ProjectGrants) runs after a build to read the pushed image's digest (plain Node). */
export const BUILD_DIGEST_SCRIPT = path.join(__dirname, "build-digest.js");

/** A digest as registries print it. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * A built service's workload with the digest its build reported in place of the placeholder, the placeholder's
 * annotation removed. `undefined` (the offline plan, where no build ran) keeps the placeholder, annotated as such.
 */
export function withImageDigest<T extends IDeployment | IStatefulSet | IRollout>(workload: T, container: string, digest: string | undefined): T {
    if (digest === undefined) {
        return workload;
    }
    if (!DIGEST_PATTERN.test(digest)) {
        throw new Error(`the build of ${workload.metadata?.namespace}/${container} reported "${digest}", not an image digest (sha256:<64 hex>)`);
    }
    const copy = structuredClone(workload);
    const annotations = { ...(copy.metadata?.annotations ?? {}) };
    delete annotations[PLACEHOLDER_DIGEST_ANNOTATION];
    copy.metadata = { ...copy.metadata, annotations };
    if (Object.keys(annotations).length === 0) {
        delete copy.metadata.annotations;
    }
    for (const c of copy.spec?.template.spec?.containers ?? []) {
        if (c.name === container && c.image?.endsWith(`@${PLACEHOLDER_DIGEST}`)) {
            c.image = `${c.image.slice(0, -PLACEHOLDER_DIGEST.length)}${digest}`;
        }
    }
    return copy;
}
