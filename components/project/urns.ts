import { createHash } from "node:crypto";
import type { PlatformConfig } from "../../lib/config/schema";
import { derivedStore } from "../../lib/derived-store";
import type { TenantProject } from "../../lib/tenants/load";
import type { ProjectSpec } from "../../lib/tenants/schema";
import type { InputProblem } from "../../lib/validation";
import { PROJECT_GRANTS_TYPE, TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { renderSourceSecret } from "../builds/build-job";
import { renderPullSecret } from "../registry/credentials";
import { isPlatformObject, TENANT_STACK_SECRETS } from "./deployer";
import { childResourceName, PASSWORD_SUFFIXES } from "./project";
import { flattenProject, renderProject, renderSecrets, type TenantObject } from "./render";

/**
 * Resource identities of a project as its two components register them: the app stack's `Project` (its
 * workloads, data services and own Secrets, the database and MongoDB passwords) and the grants stack's
 * `ProjectGrants` (every object that encodes a grant or lives outside the namespace, the bucket and Redis
 * passwords and Secrets, the pull Secret, the deployer, the builds' digests, the final backup). A child's URN is
 * `<parent type>$<child type>::<child name>` below the stack: the parent's *name* is not part of it, so two
 * projects whose names and object names concatenate alike (project `a` with service `deployment-x`, project
 * `a-deployment` with service `x`) would register the same key (test/components/project/urns.test.ts holds these
 * keys to the URNs the shipped stacks' plans register). Each project has stacks of its own (`<region>--<id>`,
 * `<region>--<id>--grants`), whose name is part of every URN: two projects' equal keys no longer meet in one
 * stack; {@link resourceCollisions} still refuses them (the single-stack layout, README "Migration", held them in one).
 */

/** Pulumi's type token of a Kubernetes object (`kubernetes:core/v1:Secret`, `kubernetes:apps/v1:Deployment`). */
function kubernetesType(object: { apiVersion: string; kind: string }): string {
    const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["core", object.apiVersion];
    return `kubernetes:${group}/${version}:${object.kind}`;
}

/** Pulumi's type token of a RandomPassword (@pulumi/random). */
const RANDOM_PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

/** Which component generates each password: the grants stack writes the bucket's keys and the Redis users' Secrets. */
const GRANTS_PASSWORDS: ReadonlySet<(typeof PASSWORD_SUFFIXES)[number]> = new Set(["bucket-access-key", "bucket-secret-key", "redis-operator-password", "redis-app-password", "redis-exporter-password"]);

/** The URN-relevant identity (type chain and name) of every resource a project's Project and ProjectGrants register. */
export function projectResourceKeys(spec: ProjectSpec, config: PlatformConfig): string[] {
    const rendered = renderProject(spec, config);
    const ctx = rendered.context;
    const placeholder = { accessKey: "", secretKey: "" };
    const secrets = renderSecrets(ctx, { app: {}, database: { password: "", rootPassword: "" }, bucket: placeholder, mongodb: { password: "" }, redis: { operator: "0".repeat(16), app: "0".repeat(16), exporter: "0".repeat(16) } });
    // The app stack writes only its own Secrets (the deployer Role's names); every other Secret is the grants stack's.
    const granted = (object: TenantObject) => isPlatformObject(ctx, object) || (object.kind === "Secret" && !TENANT_STACK_SECRETS.includes(object.metadata?.name ?? ""));
    const child = (parent: string, type: string, name: string) => `${parent}$${type}::${name}`;
    const objects = flattenProject(rendered, secrets).map((object) => child(granted(object) ? PROJECT_GRANTS_TYPE : TENANT_PROJECT_TYPE, kubernetesType(object), childResourceName(spec.id, ctx.namespace, object)));
    const passwords = PASSWORD_SUFFIXES.filter((suffix) => (suffix.startsWith("database") ? spec.database : suffix.startsWith("mongodb") ? spec.mongodb : suffix.startsWith("redis") ? spec.redis : spec.bucket)).map((suffix) =>
        child(GRANTS_PASSWORDS.has(suffix) ? PROJECT_GRANTS_TYPE : TENANT_PROJECT_TYPE, RANDOM_PASSWORD_TYPE, `${spec.id}-${suffix}`),
    );
    const source = renderSourceSecret(ctx, {});
    const grants = [
        // The grants program always hands the registry's pull password (programs/grants/index.ts).
        child(PROJECT_GRANTS_TYPE, "kubernetes:core/v1:Secret", childResourceName(spec.id, ctx.namespace, renderPullSecret(spec.id, "") as unknown as TenantObject)),
        ...(source ? [child(PROJECT_GRANTS_TYPE, "kubernetes:core/v1:Secret", childResourceName(spec.id, ctx.namespace, source as unknown as TenantObject))] : []),
        ...rendered.services.filter((service) => service.build).map((service) => child(PROJECT_GRANTS_TYPE, "command:local:Command", `${spec.id}-${service.spec.name}-image-digest`)),
        ...(rendered.finalBackup ? [child(PROJECT_GRANTS_TYPE, kubernetesType(rendered.finalBackup), `${spec.id}-final-backup`)] : []),
        ...["kubernetes:core/v1:ServiceAccount", "kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"].map((type) => child(PROJECT_GRANTS_TYPE, type, `${spec.id}-deployer`)),
        child(PROJECT_GRANTS_TYPE, "kubernetes:core/v1:Secret", `${spec.id}-deployer-token`),
    ];
    // Each component at its stack's root (the app stack's and the grants stack's).
    const components = [TENANT_PROJECT_TYPE, PROJECT_GRANTS_TYPE].map((type) => child("pulumi:pulumi:Stack", type, spec.id));
    return [...components, ...objects, ...passwords, ...grants];
}

/** The {@link derivedStore} kind of a project's resource keys. */
export const RESOURCE_KEYS_KIND = "resource-keys";

/**
 * {@link projectResourceKeys}, answered by the process's derived store when it has them for this spec and config
 * (the offline plan's content cache: rendering every project was ~13% of a 1,000-tenant region plan's catalog
 * check, on every run).
 */
function storedResourceKeys(spec: ProjectSpec, config: PlatformConfig, configDigest: string | undefined): string[] {
    const store = derivedStore();
    if (!store || configDigest === undefined) {
        return projectResourceKeys(spec, config);
    }
    const text = `${configDigest}\n${JSON.stringify(spec)}`;
    const known = store.get(RESOURCE_KEYS_KIND, text);
    if (Array.isArray(known)) {
        return known as string[];
    }
    const keys = projectResourceKeys(spec, config);
    store.set(RESOURCE_KEYS_KIND, text, keys);
    return keys;
}

/** A catalog check: two projects that would register the same URN are refused, naming both files. */
export function resourceCollisions(config: PlatformConfig): (projects: readonly TenantProject[]) => InputProblem[] {
    return (projects) => {
        const owners = new Map<string, TenantProject>();
        const problems: InputProblem[] = [];
        // The keys depend on the spec and the whole config: the config's digest stands for it in each key.
        const configDigest = derivedStore() ? createHash("sha256").update(JSON.stringify(config)).digest("hex") : undefined;
        for (const tenant of projects) {
            const reported = new Set<string>();
            for (const key of storedResourceKeys(tenant.spec, config, configDigest)) {
                const owner = owners.get(key);
                if (owner && owner !== tenant && !reported.has(owner.file)) {
                    reported.add(owner.file);
                    problems.push({
                        source: tenant.file,
                        path: "name",
                        problem: `project "${tenant.spec.id}" and project "${owner.spec.id}" (${owner.file}) would both register ${key.split("::")[0]!.split("$").pop()} "${key.split("::")[1]}" (resource names join the project and object names with '-')`,
                        fix: "rename this project or the service whose name continues the other project's name",
                    });
                } else if (!owner) {
                    owners.set(key, tenant);
                }
            }
        }
        return problems;
    };
}
