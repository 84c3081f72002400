import type { PackConfig } from "../../policy/lib/config";
import { offlineContentCache } from "./content-cache";
import { stackPackConfig } from "./policy-config";
import { shortcutsEnabled } from "./shortcuts-switch";
import { readStackFile, stackConfigOfText } from "./stack-files";
import { withGrantOf } from "./stack-plans";

/**
 * What a one-tenant plan (`npm run plan -- --stack <region> --tenant <id>`) needs of its region's stack file, and
 * nothing it does not: a region's `Pulumi.<region>.yaml` holds every project's grant (~160 KB of its ~200 KB at
 * 1,000 tenants), and a one-tenant plan that parsed the file's whole config (or its cached copy) paid for every
 * other project on every run. With the offline content cache on, the narrowed config is one entry per project and
 * stack file content ({@link TENANT_STACK_CONFIG_KIND}, keyed by the project id and the file's bytes): a plan
 * reads and hashes the stack file, then parses only its own entry. Any changed byte of the file is a miss, derived
 * from the whole file again (its parse is cached per content too, so the next project's miss reads that).
 */

/** The content cache kind of {@link readTenantStackConfig}'s entries. */
export const TENANT_STACK_CONFIG_KIND = "tenant-stack-config";

/** One project's view of its region's stack file. */
export interface TenantStackConfig {
    /**
     * The raw config (`namespace:key` → string, as {@link readStackFile}'s file holds it) with
     * `platform:projectGrants` holding only this project's grant (every key, grant or not, as the file has it),
     * so what the plan validates and renders is this project's; with the offline shortcuts off, the whole config.
     */
    config: Record<string, string>;
    /**
     * The region's policy-pack configuration ({@link stackPackConfig} of the whole file, every project's granted
     * public ports included: what `policy-config.json` of every stack of the region holds).
     */
    packConfig: Partial<PackConfig>;
}

/**
 * Project `id`'s view of `Pulumi.<stack>.yaml` in `rootDir` (see {@link TenantStackConfig}). Nothing is checked
 * here that the programs do not check again: the narrowed grant is validated by the tenant's stacks, the others by
 * the catalog check and the region plan.
 */
export function readTenantStackConfig(rootDir: string, stack: string, id: string): TenantStackConfig {
    const { file, text } = readStackFile(rootDir, stack);
    const derive = (): TenantStackConfig => {
        const whole = stackConfigOfText(text, file);
        return { config: shortcutsEnabled() ? withGrantOf(whole, id) : whole, packConfig: stackPackConfig(whole) };
    };
    const cache = offlineContentCache();
    // The id first, JSON-quoted (no raw newline in it): no other id and file text make the same key.
    return cache ? cache.through(TENANT_STACK_CONFIG_KIND, `${JSON.stringify(id)}\n${text}`, derive) : derive();
}
