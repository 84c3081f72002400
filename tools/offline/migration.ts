import * as crypto from "node:crypto";
import { PROJECT_GRANTS_TYPE, TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { GRANTS_PROJECT, grantsStackName, PLATFORM_PROJECT, platformStackReference, TENANT_PROJECT, tenantStackName } from "../../lib/stacks/naming";

/**
 * Moving a region to the current layout (one platform stack, per tenant one grants stack `<region>--<id>--grants`
 * and one app stack `<region>--<id>`) without deleting anything, from any earlier layout: the single stack with
 * inline tenants, tenant stacks that held their grant objects (contract 2), or the platform stack holding every
 * project's ProjectGrants (contract 3, {@link checkGrantsMove}). The region stack becomes the platform stack (same name, same project, so
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
 * Resources the platform stack has that the single-stack and contract-2 layouts did not: the deployers' namespace.
 * (With `ids`: also per project its ProjectGrants component with the deployer, as the contract-3 platform stack had.)
 */
export function isNewPlatformKey(key: string, ids: readonly string[]): boolean {
    if (key.startsWith("platform:project:DeployerNamespace")) {
        return true;
    }
    return isDeployerKey(key, ids);
}

/**
 * Resources a grants stack has that neither the single-stack nor the contract-2 layout had: its provider, its
 * ProjectGrants component with the deployer ServiceAccount, Role, RoleBinding and token Secret, and its
 * backup-credentials component with the project's backup Secret.
 */
export function isNewGrantsKey(key: string, id: string): boolean {
    return GRANTS_STACK_OWN_KEYS.includes(key) || isDeployerKey(key, [id]) || BACKUP_SECRET_KEY.exec(key)?.[1] === id;
}

/** Keys every grants stack has of its own (never moved into it): its provider and its backup-credentials component. */
export const GRANTS_STACK_OWN_KEYS: readonly string[] = ["pulumi:providers:kubernetes::cluster", "platform:databases:BackupCredentials::database-backup-credentials"];

function isDeployerKey(key: string, ids: readonly string[]): boolean {
    const name = key.slice(key.lastIndexOf("::") + 2);
    const type = key.slice(0, key.lastIndexOf("::"));
    return ids.some((id) => (type === PROJECT_GRANTS_TYPE && name === id) || (type.startsWith(`${PROJECT_GRANTS_TYPE}$`) && (name === `${id}-deployer` || name === `${id}-deployer-token`)));
}

/**
 * What moving resources into one stack would create, update or delete: each of `have` (the new stack's plan) must
 * be one of `want` (what the old layout's resources that move there were) with the same inputs, or the stack's
 * own (`own`); each of `want` must be in `have`, unless it may go (`mayGo`: a component that deletes nothing).
 */
function stackMoveProblems(
    where: string,
    before: string,
    want: ReadonlyMap<string, MigrationResource>,
    have: readonly MigrationResource[],
    own: (key: string) => boolean,
    mayGo: (key: string) => boolean,
): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const resource of have) {
        seen.add(resource.key);
        const old = want.get(resource.key);
        if (!old) {
            if (!own(resource.key)) {
                problems.push(`${where}: ${resource.key} is new (${before} had no such resource): it would be created`);
            }
        } else if (old.inputsHash !== resource.inputsHash) {
            problems.push(`${where}: ${resource.key} has other inputs than in ${before}: it would be updated`);
        }
    }
    for (const key of want.keys()) {
        if (!seen.has(key) && !mayGo(key)) {
            problems.push(`${where}: ${key} is missing: it would be deleted`);
        }
    }
    return problems;
}

/** The outcome of comparing the single-stack plan with the new stacks' plans. */
export interface MigrationCheck {
    /** Tenant ids whose Project moves, each to its tenant stack. */
    moves: Array<{ id: string; resources: number }>;
    /** Resources that stay in the platform stack under the same URN. */
    stays: number;
    /** Per tenant, its objects that encode a grant: moved to its grants stack (or, contract 3, the platform stack), adopted there by alias. */
    grants: Array<{ id: string; resources: number }>;
    /** Everything that would be created, deleted or changed by the migration (empty when it is one-to-one). */
    problems: string[];
}

/**
 * Checks that the URNs of the single-stack plan map one-to-one onto the new stacks': every old resource is in
 * exactly the stack the migration puts it in (the platform stack, its project's grants stack when it encodes a
 * grant, or its project's app stack) under the same key and with the same inputs; no new stack has a resource the
 * old one lacked, except each tenant stack's provider and the grants stacks' own ({@link isNewGrantsKey}).
 * Without `grantsStacks` the grant objects are looked for in the platform stack (the contract-3 layout).
 */
export function checkMigration(
    single: readonly MigrationResource[],
    platform: readonly MigrationResource[],
    tenants: Readonly<Record<string, readonly MigrationResource[]>>,
    grantsStacks?: Readonly<Record<string, readonly MigrationResource[]>>,
): MigrationCheck {
    const problems: string[] = [];
    const byKey = new Map(single.map((r) => [r.key, r]));
    const expected = new Map<string, Map<string, MigrationResource>>([["platform", new Map()]]);
    const ids = Object.keys(tenants);
    for (const id of ids) {
        expected.set(id, new Map());
    }
    // A project's object its grants stack (contract 3: the platform stack) declares under its ProjectGrants moves there.
    const platformKeys = new Set(platform.map((r) => r.key));
    const grantsKeys = new Map(Object.entries(grantsStacks ?? {}).map(([id, resources]) => [id, new Set(resources.map((r) => r.key))]));
    for (const id of grantsKeys.keys()) {
        expected.set(`grants:${id}`, new Map());
    }
    const grants = new Map<string, number>(ids.map((id) => [id, 0]));
    for (const resource of single) {
        const owner = owningProject(resource, byKey) ?? "platform";
        const target = expected.get(owner);
        if (!target) {
            problems.push(`${resource.key} belongs to project ${owner}, which has no tenant stack: it would be deleted`);
            continue;
        }
        const adopted = owner !== "platform" ? grantKey(resource.key) : undefined;
        const grantsTarget = grantsStacks ? (grantsKeys.get(owner)?.has(adopted ?? "") ? `grants:${owner}` : undefined) : adopted !== undefined && platformKeys.has(adopted) ? "platform" : undefined;
        if (adopted !== undefined && grantsTarget !== undefined) {
            expected.get(grantsTarget)!.set(adopted, { ...resource, key: adopted });
            grants.set(owner, grants.get(owner)! + 1);
            continue;
        }
        target.set(resource.key, resource);
    }
    const compare = (where: string, want: Map<string, MigrationResource>, have: readonly MigrationResource[], own: (key: string) => boolean) =>
        problems.push(...stackMoveProblems(where, "the single stack", want, have, own, () => false));
    compare("platform stack", expected.get("platform")!, platform, (key) => isNewPlatformKey(key, grantsStacks ? [] : ids));
    for (const [id, have] of Object.entries(tenants)) {
        compare(`tenant stack of ${id}`, expected.get(id)!, have, (key) => TENANT_STACK_OWN_KEYS.includes(key));
    }
    for (const [id, have] of Object.entries(grantsStacks ?? {})) {
        compare(`grants stack of ${id}`, expected.get(`grants:${id}`)!, have, (key) => isNewGrantsKey(key, id));
    }
    const moved = grantsStacks ? 0 : [...grants.values()].reduce((a, b) => a + b, 0);
    return {
        moves: ids.map((id) => ({ id, resources: expected.get(id)!.size })),
        stays: expected.get("platform")!.size - moved,
        grants: ids.map((id) => ({ id, resources: grants.get(id)! })),
        problems,
    };
}

/**
 * The Project child keys of project `id` that its grants stack declares under its ProjectGrants (read from the
 * grants plan): what moves from the tenant stack (contract 2, or after the single-stack move) to the grants stack.
 */
export function grantKeysOf(platform: readonly MigrationResource[], id: string): string[] {
    const ids = [id];
    return platform
        .filter((r) => r.parentKey === `${PROJECT_GRANTS_TYPE}::${id}` && !isNewPlatformKey(r.key, ids))
        .map((r) => projectChildKeyOf(r.key))
        .filter((key): key is string => key !== undefined);
}

/** `pulumi stack init` of a project's grants stack (its first run through the driver hands it its config). */
export function grantsStackInitCommand(region: string, organization: string, id: string): string {
    return `pulumi stack init ${organization}/${GRANTS_PROJECT}/${grantsStackName(region, id)} --cwd programs/grants`;
}

/**
 * Moves a project's grant objects from its tenant stack to its grants stack. `pulumi state move` rewrites only the
 * stack and project of a URN and parents a resource whose parent stays behind to the destination's root stack
 * (pulumi/pulumi pkg/cmd/pulumi/state/state_move.go), so in the grants stack the object's URN is
 * `<region>--<id>--grants::platform-grants::platform:project:Project$<type>::<name>`, exactly the alias its
 * ProjectGrants gives it (`{ parent: <the Project's URN in this stack> }`): the grants stack's next `pulumi up`
 * adopts it without a replacement.
 */
export function grantMoveCommand(region: string, organization: string, id: string, grantKeys: readonly string[]): string {
    const tenant = tenantStackName(region, id);
    const urns = grantKeys.map((key) => `'urn:pulumi:${tenant}::${TENANT_PROJECT}::${key}'`);
    return `pulumi state move --source ${organization}/${TENANT_PROJECT}/${tenant} --dest ${organization}/${GRANTS_PROJECT}/${grantsStackName(region, id)} --yes ${urns.join(" ")}`;
}

/**
 * From tenant stacks of contract version 2 (which held their namespace, guardrails, bucket and Argo CD objects
 * and read the admin kubeconfig by StackReference): create each project's grants stack, move its grant objects
 * there, update the platform stack (contract 4 outputs), then run every tenant through the driver (grants stack:
 * adopts them, creates the deployer; app stack: its own credential).
 */
export function grantMigrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; grantKeys: readonly string[] }>): string[] {
    return [
        ...tenants.filter((t) => t.grantKeys.length > 0).flatMap((t) => [grantsStackInitCommand(region, organization, t.id), grantMoveCommand(region, organization, t.id, t.grantKeys)]),
        `pulumi up --stack ${platformStackReference(organization, region)}   # the contract-4 outputs the grants stacks are handed`,
        `npm run deploy -- preview --stack ${region} --all   # each grants stack: expect no delete and no replace (adopted by alias; only the provider switch and the deployer); each app stack: only its provider switch`,
    ];
}

/**
 * The commands that move a region's tenants into their stacks: create each tenant stack, copy its secrets,
 * move its Project (children follow), move its grant objects on to its grants stack, then update the platform
 * stack (which no longer declares them) and run the tenants.
 */
export function migrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; secretNames: readonly string[]; grantKeys?: readonly string[] }>): string[] {
    const source = platformStackReference(organization, region);
    const lines: string[] = [];
    for (const { id, secretNames } of tenants) {
        const dest = `${organization}/${TENANT_PROJECT}/${tenantStackName(region, id)}`;
        lines.push(`pulumi stack init ${dest} --cwd programs/tenant`);
        for (const name of secretNames) {
            lines.push(
                `pulumi config get --path 'platform:tenantSecrets.${id}.${name}' --stack ${source} | pulumi config set --secret --path 'tenant:secrets.${name}' --stack ${dest} --cwd programs/tenant`,
            );
        }
        // The Project moves with all its children (state move takes children along); the grant objects move on.
        lines.push(`pulumi state move --source ${source} --dest ${dest} --yes 'urn:pulumi:${region}::${PLATFORM_PROJECT}::${projectKey(id)}'`);
    }
    for (const { id, grantKeys } of tenants) {
        if (grantKeys && grantKeys.length > 0) {
            lines.push(grantsStackInitCommand(region, organization, id));
            lines.push(grantMoveCommand(region, organization, id, grantKeys));
        }
    }
    lines.push(`pulumi config rm platform:tenantSecrets --stack ${source}   # the platform program refuses it now; each value is in its tenant stack`);
    lines.push(`pulumi preview --stack ${source} --diff   # expect no delete and no replace: the Projects left the state with the moves; only the deployers' namespace and the new contract outputs are created`);
    lines.push(`pulumi up --stack ${source}`);
    lines.push(`npm run deploy -- preview --stack ${region} --all   # grants stacks adopt the grant objects by alias (only their provider switch and deployer); app stacks: only the provider switch (no replacement)`);
    return lines;
}

/** Which project's grants stack a resource of a contract-3 platform stack moves to, or `undefined` when it stays. */
export function grantsStackOwner(resource: MigrationResource, byKey: ReadonlyMap<string, MigrationResource>): string | undefined {
    for (let at: MigrationResource | undefined = resource; at; at = at.parentKey ? byKey.get(at.parentKey) : undefined) {
        if (at.key.startsWith(`${PROJECT_GRANTS_TYPE}::`)) {
            return at.key.slice(PROJECT_GRANTS_TYPE.length + 2);
        }
    }
    const backup = BACKUP_SECRET_KEY.exec(resource.key);
    return backup?.[1];
}

/** A project's backup Secret under the platform's BackupCredentials component (named after its namespace, the project id). */
const BACKUP_SECRET_KEY = /^platform:databases:BackupCredentials\$kubernetes:core\/v1:Secret::database-backup-credentials-([a-z0-9-]+)$/;

/** Component resources a contract-3 platform stack had that the current one lacks: deleting one deletes nothing in the cluster. */
export const PLATFORM_COMPONENTS_MOVED: readonly string[] = ["platform:databases:BackupCredentials::database-backup-credentials"];

/** The outcome of comparing a contract-3 platform plan with the current platform and grants stacks' plans. */
export interface GrantsMoveCheck {
    /** Per tenant, the resources that move from the platform stack to its grants stack. */
    moves: Array<{ id: string; resources: number }>;
    /** Resources that stay in the platform stack under the same key. */
    stays: number;
    /** Everything that would be created or deleted (empty when the move is one-to-one); changed inputs are updates, listed too. */
    problems: string[];
}

/**
 * Checks the move from the contract-3 layout (every project's ProjectGrants and backup Secret in the platform
 * stack) to one grants stack per project: each such resource is in its project's grants stack under the same key
 * with the same inputs; every other resource of the old platform stack is still in the platform stack (a component
 * of {@link PLATFORM_COMPONENTS_MOVED} may go); no stack gains a resource except a grants stack's own
 * ({@link GRANTS_STACK_OWN_KEYS}).
 */
export function checkGrantsMove(
    before: readonly MigrationResource[],
    platform: readonly MigrationResource[],
    grantsStacks: Readonly<Record<string, readonly MigrationResource[]>>,
): GrantsMoveCheck {
    const problems: string[] = [];
    const byKey = new Map(before.map((r) => [r.key, r]));
    const expected = new Map<string, Map<string, MigrationResource>>([["platform", new Map()]]);
    for (const id of Object.keys(grantsStacks)) {
        expected.set(id, new Map());
    }
    for (const resource of before) {
        const owner = grantsStackOwner(resource, byKey) ?? "platform";
        const target = expected.get(owner);
        if (!target) {
            problems.push(`${resource.key} belongs to project ${owner}, which has no grants stack: it would be deleted`);
            continue;
        }
        target.set(resource.key, resource);
    }
    const compare = (where: string, want: Map<string, MigrationResource>, have: readonly MigrationResource[], own: (key: string) => boolean, mayGo: (key: string) => boolean) =>
        problems.push(...stackMoveProblems(where, "the contract-3 platform stack", want, have, own, mayGo));
    compare("platform stack", expected.get("platform")!, platform, () => false, (key) => PLATFORM_COMPONENTS_MOVED.includes(key));
    for (const [id, have] of Object.entries(grantsStacks)) {
        compare(`grants stack of ${id}`, expected.get(id)!, have, (key) => GRANTS_STACK_OWN_KEYS.includes(key), () => false);
    }
    const moves = Object.keys(grantsStacks).map((id) => ({ id, resources: expected.get(id)!.size }));
    return { moves, stays: expected.get("platform")!.size, problems };
}

/**
 * From the contract-3 layout (every project's ProjectGrants in the platform stack) to one grants stack per project,
 * without deleting anything: create each grants stack and move its project's ProjectGrants there (state move takes
 * the children along; their URNs keep their type chain, which is what the grants program registers) with the
 * project's backup Secret when it has one; then update the platform stack (which no longer declares them, nor has
 * them in its state) and run every tenant through the driver: the grants stacks switch to their own provider (the
 * same clusterIdentifier: no replacement), the app stacks get the same deployer token from their grants stack.
 */
export function grantsStackMigrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; backupSecret: boolean }>): string[] {
    const source = platformStackReference(organization, region);
    const lines: string[] = [];
    for (const { id, backupSecret } of tenants) {
        const dest = `${organization}/${GRANTS_PROJECT}/${grantsStackName(region, id)}`;
        const urns = [
            `'urn:pulumi:${region}::${PLATFORM_PROJECT}::${PROJECT_GRANTS_TYPE}::${id}'`,
            ...(backupSecret ? [`'urn:pulumi:${region}::${PLATFORM_PROJECT}::platform:databases:BackupCredentials$kubernetes:core/v1:Secret::database-backup-credentials-${id}'`] : []),
        ];
        lines.push(grantsStackInitCommand(region, organization, id));
        lines.push(`pulumi state move --source ${source} --dest ${dest} --yes ${urns.join(" ")}`);
    }
    lines.push(`pulumi preview --stack ${source} --diff   # expect no delete of a real resource (at most the empty BackupCredentials component) and no replace`);
    lines.push(`pulumi up --stack ${source}   # the contract-4 outputs (admin kubeconfig, registryPullPasswords) the grants stacks are handed`);
    lines.push(`npm run deploy -- preview --stack ${region} --all   # each grants stack: only its provider switch (no replacement, nothing created); each app stack: no change`);
    return lines;
}
