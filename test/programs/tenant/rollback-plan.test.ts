import { beforeAll, describe, expect, it } from "vitest";
import { TENANT_PROJECT, tenantStackName } from "../../../lib/stacks/naming";
import { IMAGES_OUTPUT, PINS_KEY, PREVIOUS_IMAGES_KEY } from "../../../lib/stacks/releases";
import { synthesize } from "../../../tools/offline/mock-engine";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { readStackConfig, syntheticSecrets, tenantSecretNamesOfProject } from "../../../tools/offline/stack-files";
import { catalogDirectory } from "../../../lib/tenants/load";
import { computedContract, tenantPlanConfig } from "../../../tools/offline/stack-plans";
import { ROOT } from "../../helpers/synth";

/**
 * The tenant program honours a rollback's pin: paas-app's blue/green `app` (built from git) runs the pinned
 * image (its recorded tag) by its digest instead of the one its contract entry carries, and the stack's image history
 * puts the pinned image first; without a pin the contract's digest of the file's commit runs.
 */

const FILE_COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";
const OLD_COMMIT = "0123456789abcdef0123456789abcdef01234567";
const NEW_DIGEST = `sha256:${"b".repeat(64)}`;
const OLD_DIGEST = `sha256:${"a".repeat(64)}`;
/** The old image's tag: its commit and the source hash of a setup the file no longer has (another path). */
const OLD_TAG = `${OLD_COMMIT}-0123456789ab`;
const region = "dev";
const id = "paas-app";

async function planTenant(extra: Record<string, string>): Promise<StackPlan> {
    const stackConfig = readStackConfig(ROOT, region);
    const contract = computedContract(region, { ...syntheticSecrets(stackConfig), ...stackConfig }, id);
    // As after a real build: the platform read the digest of the file's commit back into the contract entry.
    contract.projects[id]!.imageDigests = { app: NEW_DIGEST };
    const { config, secretKeys } = tenantPlanConfig(region, id, tenantSecretNamesOfProject(catalogDirectory(ROOT, region), id), contract);
    return synthesize({ stack: tenantStackName(region, id), project: TENANT_PROJECT, config: { ...config, ...extra }, secretKeys, loadProgram: () => import("../../../programs/tenant/index") });
}

const rolloutImage = (plan: StackPlan) => {
    const rollout = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!;
    return (rollout.inputs as any).spec.template.spec.containers[0].image as string;
};

describe("a rollback's pin in the tenant stack's plan", () => {
    let released: StackPlan;
    let rolledBack: StackPlan;
    const previous = JSON.stringify({ app: [{ commit: OLD_COMMIT, digest: OLD_DIGEST }] });

    beforeAll(async () => {
        released = await planTenant({ [PREVIOUS_IMAGES_KEY]: previous });
        rolledBack = await planTenant({ [PREVIOUS_IMAGES_KEY]: JSON.stringify({ app: [{ commit: FILE_COMMIT, digest: NEW_DIGEST }, { commit: OLD_COMMIT, digest: OLD_DIGEST, tag: OLD_TAG }] }), [PINS_KEY]: JSON.stringify({ app: { commit: OLD_COMMIT, digest: OLD_DIGEST, tag: OLD_TAG } }) });
    }, 240_000);

    it("runs the file's commit by the contract's digest without a pin, and records it first in the history", () => {
        const tag = new RegExp(`^registry\\.platform\\.internal/paas-app/app:(${FILE_COMMIT}-[0-9a-f]{12})@${NEW_DIGEST}$`).exec(rolloutImage(released))?.[1];
        expect(tag, rolloutImage(released)).toBeDefined();
        expect(released.outputs?.[IMAGES_OUTPUT]).toEqual({ app: [{ commit: FILE_COMMIT, digest: NEW_DIGEST, tag }, { commit: OLD_COMMIT, digest: OLD_DIGEST }] });
    });

    it("runs the pinned commit's image by the pinned digest: the Rollout's template returns to the earlier one", () => {
        // The pinned image's own tag, although the file now builds that commit (if at all) under another one.
        expect(rolloutImage(rolledBack)).toBe(`registry.platform.internal/paas-app/app:${OLD_TAG}@${OLD_DIGEST}`);
        expect(rolledBack.outputs?.[IMAGES_OUTPUT]).toEqual({ app: [{ commit: OLD_COMMIT, digest: OLD_DIGEST, tag: OLD_TAG }, { commit: FILE_COMMIT, digest: NEW_DIGEST }] });
        const rollout = rolledBack.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!;
        // Its pods (and their log lines) carry the pinned commit.
        expect((rollout.inputs as any).spec.template.metadata.labels["platform/commit"]).toBe(OLD_COMMIT);
    });
});
