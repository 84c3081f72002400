import { createHash } from "node:crypto";
import type { PlatformConfig } from "../../lib/config/schema";
import { derivedStore } from "../../lib/derived-store";
import type { TenantProject } from "../../lib/tenants/load";
import type { ProjectSpec } from "../../lib/tenants/schema";
import type { InputProblem } from "../../lib/validation";
import { TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { childResourceName, PASSWORD_SUFFIXES } from "./project";
import { flattenProject, renderProject, renderSecrets } from "./render";

/**
 * Resource identities of a project as the Project component registers them. A child's URN is
 * `<parent type>$<child type>::<child name>`: the parent's *name* is not part of it, so two projects whose
 * names and object names concatenate alike (project `a` with service `deployment-x`, project `a-deployment`
 * with service `x`) would register the same URN and the real `up` of the whole region would fail.
 */

/** The URN-relevant identity (type and name) of every resource a project registers. */
export function projectResourceKeys(spec: ProjectSpec, config: PlatformConfig): string[] {
    const rendered = renderProject(spec, config);
    const placeholder = { accessKey: "", secretKey: "" };
    const secrets = renderSecrets(rendered.context, { app: {}, database: { password: "", rootPassword: "" }, bucket: placeholder, mongodb: { password: "" }, redis: { operator: "0".repeat(16), app: "0".repeat(16), exporter: "0".repeat(16) } });
    const objects = flattenProject(rendered, secrets).map((object) => `${TENANT_PROJECT_TYPE}$${object.apiVersion}/${object.kind}::${childResourceName(spec.id, rendered.context.namespace, object)}`);
    const passwords = PASSWORD_SUFFIXES.filter((suffix) => (suffix.startsWith("database") ? spec.database : suffix.startsWith("mongodb") ? spec.mongodb : suffix.startsWith("redis") ? spec.redis : spec.bucket)).map(
        (suffix) => `${TENANT_PROJECT_TYPE}$random:RandomPassword::${spec.id}-${suffix}`,
    );
    return [`${TENANT_PROJECT_TYPE}::${spec.id}`, ...objects, ...passwords];
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
