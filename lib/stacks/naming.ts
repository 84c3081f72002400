import { labelPattern, NAME_SEPARATOR, PROJECT_NAME_MAX } from "../tenants/names";

/**
 * Names of the Pulumi projects and stacks of a region: one platform stack (the region's name, project
 * `platform`, what `Pulumi.<region>.yaml` configures) and one tenant stack per project id (project
 * `platform-tenant`, `<region>--<id>`). The driver, CI, the offline plan and the tenant program all derive
 * stack names here, so a name is computed in one place only.
 */

/** Pulumi project of the platform program (repository root `Pulumi.yaml`). */
export const PLATFORM_PROJECT = "platform";

/** Pulumi project of the tenant program (`programs/tenant/Pulumi.yaml`). */
export const TENANT_PROJECT = "platform-tenant";

/** Pulumi project of the grants program (`programs/grants/Pulumi.yaml`): the platform-owned part of one project. */
export const GRANTS_PROJECT = "platform-grants";

/** Suffix of a grants stack's name (`<region>--<id>--grants`). */
export const GRANTS_STACK_SUFFIX = `${NAME_SEPARATOR}grants`;

/** Stack name of a region's platform stack: the region itself (the stack `Pulumi.<region>.yaml` configures). */
export function platformStackName(region: string): string {
    return region;
}

/**
 * Stack name of one project's tenant stack: `<region>--<id>`. The project id never contains `--` (the
 * separator of derived names), so the last `--` splits the name back into exactly one region and id, and a
 * rename (a new `name`, the same `id`) keeps the stack.
 */
export function tenantStackName(region: string, id: string): string {
    if (!labelPattern(PROJECT_NAME_MAX).test(id)) {
        throw new Error(`tenant stack name: "${id}" is not a project id (a DNS label of at most ${PROJECT_NAME_MAX} characters without "${NAME_SEPARATOR}")`);
    }
    if (region.length === 0) {
        throw new Error("tenant stack name: the region is empty");
    }
    return `${region}${NAME_SEPARATOR}${id}`;
}

/**
 * Stack name of one project's grants stack: `<region>--<id>--grants`, the tenant stack's name and a fixed suffix,
 * so it is as stable as the tenant stack (the project id) and sorts beside it.
 */
export function grantsStackName(region: string, id: string): string {
    return `${tenantStackName(region, id)}${GRANTS_STACK_SUFFIX}`;
}

/** The region and project id of a grants stack name; `undefined` when the name is not one. */
export function parseGrantsStackName(stack: string): { region: string; id: string } | undefined {
    const bare = stack.split("/").pop() ?? stack;
    return bare.endsWith(GRANTS_STACK_SUFFIX) ? parseTenantStackName(bare.slice(0, -GRANTS_STACK_SUFFIX.length)) : undefined;
}

/** The region and project id of a tenant stack name; `undefined` when the name is not one. */
export function parseTenantStackName(stack: string): { region: string; id: string } | undefined {
    // A fully qualified name (`org/project/stack`) names the same stack.
    const bare = stack.split("/").pop() ?? stack;
    const at = bare.lastIndexOf(NAME_SEPARATOR);
    if (at <= 0 || at + NAME_SEPARATOR.length >= bare.length) {
        return undefined;
    }
    return { region: bare.slice(0, at), id: bare.slice(at + NAME_SEPARATOR.length) };
}

/**
 * The fully qualified name of a region's platform stack, `<organization>/platform/<region>` (the DIY backends'
 * organization is `organization`): what the migration's `pulumi state move` and `pulumi up` commands name.
 */
export function platformStackReference(organization: string, region: string): string {
    return `${organization}/${PLATFORM_PROJECT}/${platformStackName(region)}`;
}

/** A region's cluster name in its kubeconfig, and its Kubernetes providers' `clusterIdentifier` (platform and tenant stacks). */
export function clusterIdentifierOf(region: string): string {
    return `platform-${region}`;
}
