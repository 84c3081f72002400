import * as crypto from "node:crypto";
import { TENANT_PROJECT_TYPE } from "../../lib/conventions";
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

/** The outcome of comparing the single-stack plan with the new stacks' plans. */
export interface MigrationCheck {
    /** Tenant ids whose Project moves, each to its tenant stack. */
    moves: Array<{ id: string; resources: number }>;
    /** Resources that stay in the platform stack under the same URN. */
    stays: number;
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
    for (const id of Object.keys(tenants)) {
        expected.set(id, new Map());
    }
    for (const resource of single) {
        const owner = owningProject(resource, byKey) ?? "platform";
        const target = expected.get(owner);
        if (!target) {
            problems.push(`${resource.key} belongs to project ${owner}, which has no tenant stack: it would be deleted`);
            continue;
        }
        target.set(resource.key, resource);
    }
    const compare = (where: string, want: Map<string, MigrationResource>, have: readonly MigrationResource[], own: readonly string[]) => {
        const seen = new Set<string>();
        for (const resource of have) {
            seen.add(resource.key);
            const old = want.get(resource.key);
            if (!old) {
                if (!own.includes(resource.key)) {
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
    compare("platform stack", expected.get("platform")!, platform, []);
    for (const [id, have] of Object.entries(tenants)) {
        compare(`tenant stack of ${id}`, expected.get(id)!, have, TENANT_STACK_OWN_KEYS);
    }
    return {
        moves: Object.keys(tenants).map((id) => ({ id, resources: expected.get(id)!.size })),
        stays: expected.get("platform")!.size,
        problems,
    };
}

/**
 * The commands that move a region's tenants into their stacks: create each tenant stack, copy its secrets,
 * move its Project (children follow), then `pulumi up` the platform stack (which no longer declares them).
 */
export function migrationCommands(region: string, organization: string, tenants: ReadonlyArray<{ id: string; secretNames: readonly string[] }>): string[] {
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
        lines.push(`pulumi state move --source ${source} --dest ${dest} --yes 'urn:pulumi:${region}::${PLATFORM_PROJECT}::${projectKey(id)}'`);
    }
    lines.push(`pulumi preview --stack ${source} --diff   # expect no delete and no replace: the Projects left the state with the moves; only the new contract outputs`);
    for (const { id } of tenants) {
        lines.push(`pulumi preview --stack ${organization}/${TENANT_PROJECT}/${tenantStackName(region, id)} --cwd programs/tenant   # only the provider switch (no replacement)`);
    }
    return lines;
}
