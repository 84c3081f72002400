/**
 * The driver's catalog check: the region's config and every tenant file validated alone and against the others
 * (programs/catalog-check.ts, the same check the offline plan runs first: unique ids, names, hosts and bucket
 * names, grants, resource-name collisions), before any stack runs. Loaded lazily by tools/deploy.ts: it imports
 * the program's renderers and the Pulumi SDK.
 */
import { readStackConfig, syntheticSecrets } from "../offline/stack-files";
import { checkRegionCatalog } from "../../programs/catalog-check";
import { InputValidationError } from "../../lib/validation";
import type { CatalogCheck } from "./stacks";

/**
 * Checks the catalog of `region` in `repoRoot`. Secret values are not known here: each tenant stack holds and
 * checks its own (`tenant:secrets`).
 *
 * @param repoRoot absolute path of the repository
 * @param region the region
 */
export const checkCatalog: CatalogCheck = (repoRoot, region) => {
    try {
        const stackConfig = readStackConfig(repoRoot, region);
        // The config parser insists on the platform's required secrets; their values play no part in the catalog
        // (they are in the backend or the environment, and the platform stack's own run checks them), so
        // placeholders stand in for them here exactly as in the offline plan.
        const rawConfig = { ...syntheticSecrets(stackConfig), ...stackConfig };
        const checked = checkRegionCatalog({ region, rawConfig, stackDir: repoRoot });
        return { tenants: checked.tenants.map((t) => ({ id: t.spec.id, file: t.file })), problems: [] };
    } catch (error) {
        if (error instanceof InputValidationError) {
            return { tenants: [], problems: error.problems.map((p) => `${p.source}: ${p.path}: ${p.problem} (fix: ${p.fix})`) };
        }
        throw error;
    }
};
