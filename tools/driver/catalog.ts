/**
 * The driver's catalog check: every tenant file of a region validated alone and against the others (the same
 * validation the program runs: schema, grants, unique hosts and bucket names, URN collisions), before any stack
 * runs. Loaded lazily by tools/deploy.ts: it imports the program's renderers and the Pulumi SDK.
 */
import { platformConfigFromStack } from "../offline/reports";
import { readStackConfig, tenantSecretNamesOf } from "../offline/stack-files";
import { catalogDirectory, loadTenantCatalog, otherStackDomains } from "../../lib/tenants/load";
import { InputValidationError } from "../../lib/validation";
import { resourceCollisions } from "../../components/project/urns";
import type { CatalogCheck } from "./stacks";

/**
 * Checks the catalog of `region` in `repoRoot`. Secret values are not known here (they are in the stacks or the
 * environment): a `secretEnv` name counts as provided, and each tenant stack checks its own values.
 *
 * @param repoRoot absolute path of the repository
 * @param region the region
 */
export const checkCatalog: CatalogCheck = (repoRoot, region) => {
    let config;
    try {
        config = platformConfigFromStack(readStackConfig(repoRoot, region));
    } catch (error) {
        return { tenants: [], problems: [`Pulumi.${region}.yaml: ${error instanceof Error ? error.message : String(error)}`] };
    }
    const declared = tenantSecretNamesOf(catalogDirectory(repoRoot, region));
    const secretNames = new Map(Object.entries(declared).map(([project, names]) => [project, new Set(names)]));
    try {
        const projects = loadTenantCatalog(repoRoot, region, {
            config,
            secretNames,
            otherStackDomains: otherStackDomains(repoRoot, region),
            catalogChecks: [resourceCollisions(config)],
        });
        return { tenants: projects.map((p) => ({ id: p.spec.id, file: p.file })), problems: [] };
    } catch (error) {
        if (error instanceof InputValidationError) {
            return { tenants: [], problems: error.problems.map((p) => `${p.source}: ${p.path}: ${p.problem} (fix: ${p.fix})`) };
        }
        throw error;
    }
};
