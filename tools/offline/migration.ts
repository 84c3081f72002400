import * as crypto from "node:crypto";
import { PROJECT_GRANTS_TYPE, TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { PLATFORM_PROJECT, TENANT_PROJECT, tenantStackName } from "../../lib/stacks/naming";

/**
 * Moving a region stack with inline tenants (the single-stack layout) to one platform stack plus one stack per
 * tenant without deleting anything. The region stack becomes the platform stack (same name, same project, so
 * its resources keep their URNs); each tenant's Project moves, with its children, to its tenant stack with
 * `pulumi state move` (which rewrites the stack and project of the URNs and copies the providers they use).
 * The tenant stack's Kubernetes provider has the platform provider's clusterIdentifier, so the provider switch
 * on the tenant stack's first `pulumi up` replaces nothing (the engine asks the new provider's DiffConfig;
 * pulumi/pulumi pkg/resource/deploy/step_generator.go, providerChanged).
 */

/** One resource of a plan, as far as the migration compares it. */
export interface MigrationResource {
    /** The URN without stack and project (`<type chain>::<name>`): what `pulumi state move` keeps. */
    key: string;
    /** Key of the parent, when the parent is not the stack. */
    parentKey?: string;
    /** SHA-256 of the canonical JSON of the redacted inputs. */
    inputsHash: string;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` without stack and project, and without the root stack in the chain. */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0]!.startsWith("urn:pulumi:")) {
        throw new Error(`not a Pulumi URN: ${urn}`);
    }
    return parts.slice(2).join("::").replace(new RegExp(`^${STACK_TYPE.replace(/[$:]/g, "\\$&")}\\$`), "");
}

/** JSON with object keys sorted, so equal values hash alike. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        return `{${Object.keys(value)
            .sort()
            .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(value);
}

/** The migration view of a written plan's resources (the root stack resource left out: every stack has its own). */
export function migrationResources(resources: ReadonlyArray<{ urn: string; type: string; parent?: string; inputs: unknown }>): MigrationResource[] {
    return resources
        .filter((r) => r.type !== STACK_TYPE)
        .map((r) => {
            const parentKey = r.parent && !urnKey(r.parent).startsWith(`${STACK_TYPE}::`) ? urnKey(r.parent) : undefined;
            return { key: urnKey(r.urn), ...(parentKey ? { parentKey } : {}), inputsHash: crypto.createHash("sha256").update(canonicalJson(r.inputs)).digest("hex") };
        });
}

/** Key of a tenant's Project component in either layout. */
export function projectKey(id: string): string {
    return `${TENANT_PROJECT_TYPE}::${id}`;
}

/** Which project a resource of the single-stack plan belongs to (its Project or a descendant of it); `undefined` for the platform's. */
export function owningProject(resource: MigrationResource, byKey: ReadonlyMap<string, MigrationResource>): string | undefined {
    for (let at: MigrationResource | undefined = resource; at; at = at.parentKey ? byKey.get(at.parentKey) : undefined) {
        if (at.key.startsWith(`${TENANT_PROJECT_TYPE}::`)) {
            return at.key.slice(TENANT_PROJECT_TYPE.length + 2);
        }
    }
    return undefined;
}

/** Resources a tenant stack has that the single stack did not: its own Kubernetes provider. */
export const TENANT_STACK_OWN_KEYS: readonly string[] = ["pulumi:providers:kubernetes::cluster"];

/**
 * The key a project's object has under its ProjectGrants in the platform stack, for its key under the Project
 * (`platform:project:Project$<type>::<name>` → `platform:project:ProjectGrants$<type>::<name>`): the same name,
 * and the alias ProjectGrants gives its children (`{ parent: <the Project's URN> }`) maps one onto the other.
 */
export function grantKey(projectChildKey: string): string | undefined {
    const prefix = `${TENANT_PROJECT_TYPE}$`;
    return projectChildKey.startsWith(prefix) ? `${PROJECT_GRANTS_TYPE}$${projectChildKey.slice(prefix.length)}` : undefined;
}

/** The Project child key a ProjectGrants child key aliases (the inverse of {@link grantKey}). */
export function projectChildKeyOf(grantChildKey: string): string | undefined {
    const prefix = `${PROJECT_GRANTS_TYPE}$`;
    return grantChildKey.startsWith(prefix) ? `${TENANT_PROJECT_TYPE}$${grantChildKey.slice(prefix.length)}` : undefined;
}

/**
 * Resources the platform stack has that no earlier layout had: the deployers' namespace, and per project its
 * ProjectGrants component with the deployer ServiceAccount, Role, RoleBinding and token Secret.
 */
export function isNewPlatformKey(key: string, ids: readonly string[]): boolean {
    if (key.startsWith("platform:project:DeployerNamespace")) {
        return true;
    }
    const name = key.slice(key.lastIndexOf("::") + 2);
    const type = key.slice(0, key.lastIndexOf("::"));
    return ids.some((id) => (type === PROJECT_GRANTS_TYPE && name === id) || (type.startsWith(`${PROJECT_GRANTS_TYPE}$`) && (name === `${id}-deployer` || name === `${id}-deployer-token`)));
}

/** The outcome of comparing the single-stack plan with the new stacks' plans. */
export interface MigrationCheck {
    /** Tenant ids whose Project moves, each to its tenant stack. */
    moves: Array<{ id: string; resources: number }>;
    /** Resources that stay in the platform stack under the same URN. */
    stays: number;
    /** Per tenant, its objects that encode a grant: moved back to the platform stack, adopted there by alias. */
    grants: Array<{ id: string; resources: number }>;
    /** Everything that would be created, deleted or changed by the migration (empty when it is one-to-one). */
    problems: string[];
}

/**
 * Checks that the URNs of the single-stack plan map one-to-one onto the new stacks': every old resource is in
 * exactly the stack the migration puts it in (the platform stack, or its project's tenant stack) under the same
 * key and with the same inputs; no new stack has a resource the old one lacked, except each tenant stack's
 * provider.
 */
export function checkMigration(
    single: readonly MigrationResource[],
    platform: readonly MigrationResource[],
    tenants: Readonly<Record<string, readonly MigrationResource[]>>,
): MigrationCheck {
    const problems: string[] = [];
    const byKey = new Map(single.map((r) => [r.key, r]));
    const expected = new Map<string, Map<string, MigrationResource>>([["platform", new Map()]]);
    const ids = Object.keys(tenants);
    for (const id of ids) {
        expected.set(id, new Map());
    }
    // A project's object the platform stack now declares under its ProjectGrants is moved back there.
    const platformKeys = new Set(platform.map((r) => r.key));
    const grants = new Map<string, number>(ids.map((id) => [id, 0]));
    for (const resource of single) {
        const owner = owningProject(resource, byKey) ?? "platform";
        const target = expected.get(owner);
        if (!target) {
            problems.push(`${resource.key} belongs to project ${owner}, which has no tenant stack: it would be deleted`);
            continue;
        }
        const adopted = owner !== "platform" ? grantKey(resource.key) : undefined;
        if (adopted !== undefined && platformKeys.has(adopted)) {
            expected.get("platform")!.set(adopted, { ...resource, key: adopted });
            grants.set(owner, grants.get(owner)! + 1);
            continue;
        }
        target.set(resource.key, resource);
    }
    const compare = (where: string, want: Map<string, MigrationResource>, have: readonly MigrationResource[], own: (key: string) => boolean) => {
        const seen = new Set<string>();
        for (const resource of have) {
            seen.add(resource.key);
            const old = want.get(resource.key);
            if (!old) {
                if (!own(resource.key)) {
                    problems.push(`${where}: ${resource.key} is new (the single stack had no such resource): it would be created`);
                }
            } else if (old.inputsHash !== resource.inputsHash) {
                problems.push(`${where}: ${resource.key} has other inputs than in the single stack: it would be updated`);
            }
        }
        for (const key of want.keys()) {
            if (!seen.has(key)) {
                problems.push(`${where}: ${key} is missing: it would be deleted`);
            }
        }
    };
    compare("platform stack", expected.get("platform")!, platform, (key) => isNewPlatformKey(key, ids));
    for (const [id, have] of Object.entries(tenants)) {
        compare(`tenant stack of ${id}`, expected.get(id)!, have, (key) => TENANT_STACK_OWN_KEYS.includes(key));
    }
    const moved = [...grants.values()].reduce((a, b) => a + b, 0);
    return {
        moves: ids.map((id) => ({ id, resources: expected.get(id)!.size })),
        stays: expected.get("platform")!.size - moved,
        grants: ids.map((id) => ({ id, resources: grants.get(id)! })),
        problems,
    };
}

/**
 * The Project child keys of project `id` that the platform stack declares under its ProjectGrants (read from
 * the platform plan): what moves back from the tenant stack to the platform stack.
 */
export function grantKeysOf(platform: readonly MigrationResource[], id: string): string[] {
    const ids = [id];
    return platform
        .filter((r) => r.parentKey === `${PROJECT_GRANTS_TYPE}::${id}` && !isNewPlatformKey(r.key, ids))
        .map((r) => projectChildKeyOf(r.key))
        .filter((key): key is string => key !== undefined);
}

/**
 * Moves a project's grant objects from its tenant stack to the platform stack. `pulumi state move` rewrites
 * only the stack and project of a URN and parents a resource whose parent stays behind to the destination's
 * root stack (pulumi/pulumi pkg/cmd/pulumi/state/state_move.go), so in the platform stack the object's URN is
 * `<region>::platform::platform:project:Project$<type>::<name>`, exactly the alias its ProjectGrants gives it:
 * the next `pulumi up` of the platform stack adopts it without a replacement.
 */
export function grantMoveCommand(region: string, organization: string, id: string, grantKeys: readonly string[]): string {
    const tenant = tenantStackName(region, id);
    const urns = grantKeys.map((key) => `'urn:pulumi:${tenant}::${TENANT_PROJECT}::${key}'`);
    return `pulumi state move --source ${organization}/${TENANT_PROJECT}/${tenant} --dest ${organization}/${PLATFORM_PROJECT}/${region} --yes ${urns.join(" ")}`;
}

/**
 * From tenant stacks of contract version 2 (which held their namespace, guardrails, bucket and Argo CD objects
 * and read the admin kubeconfig by StackReference) to version 3: move each project's grant objects to the
 * platform stack, `pulumi up` the platform stack (adopts them, creates the deployers), then run the tenants
 * through the driver, which hands each its own credential.
 */
export function grantMigrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; grantKeys: readonly string[] }>): string[] {
    return [
        ...tenants.filter((t) => t.grantKeys.length > 0).map((t) => grantMoveCommand(region, organization, t.id, t.grantKeys)),
        `pulumi preview --stack ${organization}/${PLATFORM_PROJECT}/${region} --diff   # expect no delete and no replace: the grant objects are adopted by alias; only the deployers are created`,
        `pulumi up --stack ${organization}/${PLATFORM_PROJECT}/${region}`,
        `npm run deploy -- preview --stack ${region} --all   # each tenant stack gets its own contract entry and deployer kubeconfig; expect only the provider switch (no replacement)`,
    ];
}

/**
 * The commands that move a region's tenants into their stacks: create each tenant stack, copy its secrets,
 * move its Project (children follow), then `pulumi up` the platform stack (which no longer declares them).
 */
export function migrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; secretNames: readonly string[]; grantKeys?: readonly string[] }>): string[] {
    const source = `${organization}/${PLATFORM_PROJECT}/${region}`;
    const lines: string[] = [];
    for (const { id, secretNames } of tenants) {
        const dest = `${organization}/${TENANT_PROJECT}/${tenantStackName(region, id)}`;
        lines.push(`pulumi stack init ${dest} --cwd programs/tenant`);
        for (const name of secretNames) {
            lines.push(
                `pulumi config get --path 'platform:tenantSecrets.${id}.${name}' --stack ${source} | pulumi config set --secret --path 'tenant:secrets.${name}' --stack ${dest} --cwd programs/tenant`,
            );
        }
        // The Project moves with all its children (state move takes children along); the grant objects move back.
        lines.push(`pulumi state move --source ${source} --dest ${dest} --yes 'urn:pulumi:${region}::${PLATFORM_PROJECT}::${projectKey(id)}'`);
    }
    for (const { id, grantKeys } of tenants) {
        if (grantKeys && grantKeys.length > 0) {
            lines.push(grantMoveCommand(region, organization, id, grantKeys));
        }
    }
    lines.push(`pulumi preview --stack ${source} --diff   # expect no delete and no replace: the Projects left the state with the moves, the grant objects are adopted by alias; only the deployers and the new contract outputs are created`);
    lines.push(`npm run deploy -- preview --stack ${region} --all   # each tenant stack gets its own contract entry and deployer kubeconfig; only the provider switch (no replacement)`);
    return lines;
}
