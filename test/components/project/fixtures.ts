import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../../lib/config/schema";
import { shippedPlatformConfig } from "../../helpers/config";
import { catalogDirectory, validateTenantDocuments, type TenantProject } from "../../../lib/tenants/load";
import { projectSchema, type ProjectSpec } from "../../../lib/tenants/schema";
import { tenantSecretNamesOf } from "../../../tools/offline/stack-files";
import { flattenProject, renderProject, renderSecrets, type TenantObject } from "../../../components/project/render";
import { ROOT } from "../../helpers/synth";

/** Stacks shipping example tenants. */
export const TENANT_STACKS = ["dev", "fsn1", "hel1"] as const;

/** The plain config of a stack ({@link shippedPlatformConfig}), `override` merged over its `platform:` keys. */
export function stackPlatformConfig(stack: string, override: Record<string, unknown> = {}): PlatformConfig {
    return shippedPlatformConfig(stack, override);
}

/** The raw tenant documents of a stack, as the loader reads them. */
export function tenantDocuments(stack: string): Array<{ file: string; text: string }> {
    const dir = catalogDirectory(ROOT, stack);
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({ file: path.relative(ROOT, path.join(dir, f)), text: fs.readFileSync(path.join(dir, f), "utf8") }));
}

/** Secret names the example tenants ask for (the offline plan synthesizes their values the same way). */
export function exampleSecretNames(stack: string): Map<string, Set<string>> {
    return new Map(Object.entries(tenantSecretNamesOf(catalogDirectory(ROOT, stack))).map(([project, names]) => [project, new Set(names)]));
}

/** The validated example tenants of a stack. */
export function exampleTenants(stack: string): TenantProject[] {
    return validateTenantDocuments(tenantDocuments(stack), { config: stackPlatformConfig(stack), secretNames: exampleSecretNames(stack) });
}

/** A project parsed from a partial document (schema defaults applied). */
export function project(doc: Record<string, unknown>): ProjectSpec {
    return projectSchema.parse({
        name: "shop",
        owner: { name: "Shop", email: "shop@example.com" },
        quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 },
        services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080 }],
        ...doc,
    });
}

/** Sample secret values for rendering Secrets in tests. */
export const SAMPLE_SECRETS = {
    app: { API_KEY: "k" },
    database: { password: "p4ss", rootPassword: "r00t" },
    bucket: { accessKey: "AKEXAMPLE", secretKey: "SKEXAMPLE" },
    mongodb: { password: "m0ng0" },
    redis: { operator: "0per4t0rPassw0rdX", app: "4ppUserPassw0rdXY", exporter: "3xp0rterPassw0rdX" },
} as const;

/** Keys of the backup bucket as the platform stack holds them (plain strings here; the stack passes secrets). */
export const TEST_BACKUP_KEYS = { accessKey: "AKBACKUPEXAMPLE", secretKey: "backup-secret-value" } as const;

/** Every object a project renders, Secrets included. */
export function allObjects(spec: ProjectSpec, config: PlatformConfig, middlewares: readonly string[] = []): TenantObject[] {
    const rendered = renderProject(spec, config, { middlewares });
    return flattenProject(rendered, renderSecrets(rendered.context, SAMPLE_SECRETS));
}

/** Every example tenant of every stack with its objects. */
export function everyExample(): Array<{ stack: string; spec: ProjectSpec; config: PlatformConfig; objects: TenantObject[] }> {
    return TENANT_STACKS.flatMap((stack) => {
        const config = stackPlatformConfig(stack);
        return exampleTenants(stack).map((t) => ({ stack, spec: t.spec, config, objects: allObjects(t.spec, config) }));
    });
}

/** Pod specs of every pod-bearing object (Deployment, StatefulSet, Rollout, Job, CronJob) with their owners. */
export function podSpecs(objects: readonly TenantObject[]): Array<{ owner: string; spec: any; labels: Record<string, string> }> {
    return objects
        .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet" || o.kind === "Rollout" || o.kind === "Job" || o.kind === "CronJob")
        .map((o) => {
            const template = o.kind === "CronJob" ? (o as any).spec.jobTemplate.spec.template : (o as any).spec.template;
            return { owner: `${o.kind}/${o.metadata?.name}`, spec: template.spec, labels: template.metadata.labels };
        });
}

/** Every object nested anywhere in a value (deep walk), for "never X anywhere" assertions. */
export function walk(value: unknown, visit: (node: Record<string, unknown>, path: string) => void, at = "$"): void {
    if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, visit, `${at}[${i}]`));
    } else if (value !== null && typeof value === "object") {
        visit(value as Record<string, unknown>, at);
        for (const [k, v] of Object.entries(value)) {
            walk(v, visit, `${at}.${k}`);
        }
    }
}

/**
 * Plans one project as the region's two stacks register it ({@link wholeProjects}) under the mock engine, with no
 * secret values. SDK modules are imported on call, so guard sets importing this file stay SDK-free.
 */
export async function planWholeProject(name: string, spec: ProjectSpec, config: PlatformConfig): Promise<import("../../../tools/offline/plan-types").StackPlan> {
    const { planComponent } = await import("../../helpers/component-plan");
    const pulumi = await import("@pulumi/pulumi");
    return planComponent(async (provider) => {
        const wholeProject = await wholeProjects();
        wholeProject(name, { project: spec, config, secretValues: pulumi.secret({}) }, { provider });
        return {};
    });
}

/**
 * Registers projects as a region's two stacks do together (call after `setMocks`): each project's ProjectGrants
 * (platform stack, once with the deployers' namespace) and its Project (tenant stack). Returns the Project.
 */
export async function wholeProjects(): Promise<(name: string, args: import("../../../components/project/project").ProjectArgs, opts?: import("@pulumi/pulumi").ComponentResourceOptions) => import("../../../components/project/project").Project> {
    const { Project } = await import("../../../components/project/project");
    const { ProjectGrants } = await import("../../../components/project/grants");
    const { DeployerNamespace } = await import("../../../components/project/deployer-namespace");
    const { syntheticKubeconfig } = await import("../../../tools/offline/mock-engine");
    let deployers: InstanceType<typeof DeployerNamespace> | undefined;
    return (name, args, opts) => {
        const provider = opts?.provider ? { provider: opts.provider } : {};
        deployers ??= new DeployerNamespace("tenant-deployers", {}, provider);
        new ProjectGrants(name, { project: args.project, config: args.config, adminKubeconfig: syntheticKubeconfig("https://127.0.0.1:6443"), deployerNamespace: deployers.resource, platform: args.platform }, { ...provider, dependsOn: opts?.dependsOn });
        return new Project(name, args, opts);
    };
}
