import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import * as command from "@pulumi/command";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { PlatformConfig } from "../../lib/config/schema";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { NAMESPACES, PLATFORM_REGISTRY, PROJECT_GRANTS_TYPE, TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { Needs, requirement, requirementsOf, type Provides, type RequirementKey } from "../../lib/requirements";
import { BUILD_AWAIT_TIMEOUT, BUILDKIT_CONTAINER, renderSourceSecret, sourceCredentialNames } from "../builds/build-job";
import { InputValidationError } from "../../lib/validation";
import { BUILD_DIGEST_SCRIPT, DIGEST_PATTERN } from "../builds/digest";
import { renderPullSecret } from "../registry/credentials";
import { TENANT_ADMISSION } from "../guardrails/guardrails";
import { UNTRUSTED_TENANT_ADMISSION } from "./sandbox";
import { childResourceName, createObject, type PASSWORD_SUFFIXES } from "./project";
import { renderRedisSecrets, type RedisPasswords } from "./redis";
import { flattenProject, renderProject, type TenantObject } from "./render";
import { renderBucketSecrets, type BucketCredentials } from "./storage";
import { deployerKubeconfig, isPlatformObject, renderDeployer } from "./deployer";

/** Arguments of {@link ProjectGrants}. */
export interface ProjectGrantsArgs {
    /** The validated tenant file (`stacks/<region>/projects/<id>.yaml`). */
    project: ProjectSpec;
    /** The validated region configuration (grants included). */
    config: PlatformConfig;
    /** The platform's admin kubeconfig (secret): the deployer kubeconfig takes its server and CA, never its user. */
    adminKubeconfig: pulumi.Input<string>;
    /**
     * The deployers' namespace (components/project/deployer-namespace.ts), when it is created in the same stack:
     * the ServiceAccount and token live there. The grants stack omits it (the platform stack created it before).
     */
    deployerNamespace?: pulumi.Resource;
    /** What the platform provides (lib/requirements.ts): each object waits for exactly what it needs. */
    platform?: Provides<pulumi.Resource>;
    /**
     * The project's pull robot secret in the platform registry (components/registry/registry.ts): written into
     * the project's namespace as its pods' pull Secret, once the registry's configurator created the robot.
     */
    registryPullPassword?: pulumi.Input<string>;
    /**
     * The tokens of the project's private build sources, by the name its builds give in `build.credentials`: the
     * tenant's own secret values (`tenant:secrets.<NAME>` of its app stack), handed over by the deploy driver as
     * secret config, never the platform stack's config. Written (as a secret) into the builds namespace's Secret
     * `build-source-<id>`, which only this project's build pods mount, in their source step only.
     */
    buildSourceTokens?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Where the tokens come from, for the error when one is missing (e.g. the `pulumi config set` that sets it). */
    buildSourceTokenFix?: (name: string) => string;
}

/**
 * The platform-owned part of one project (`platform:project:ProjectGrants`), the whole of its grants stack
 * (programs/grants): everything that encodes a grant
 * or lives outside the project's namespace (the namespace with its labels and annotations, quota, LimitRange,
 * NetworkPolicies, the workload ServiceAccount, the bucket with its keys and Job, the Redis users' passwords and
 * ACL file (components/project/redis.ts renderRedisSecrets), the Longhorn final backup,
 * the Argo CD AppProject and Application, the registry pull Secret, the image builds in the builds namespace
 * with the digest each pushed), plus the project's deployer credential (components/project/deployer.ts).
 * Children keep the names they had under the tenant's Project and alias its URN, so a state move from the
 * tenant stack (or the single-stack layout) adopts them without a replacement (tools/offline/migration.ts).
 */
export class ProjectGrants extends pulumi.ComponentResource {
    /** Namespace of the project. */
    readonly namespace: pulumi.Output<string>;
    /**
     * The project's Namespace resource: what other platform objects in it wait for (waiting for the whole
     * component would wait for its builds and the registry's robots too).
     */
    readonly namespaceResource: pulumi.Resource;
    /** The tenant stack's kubeconfig (secret): the deployer token, the project namespace by default. */
    readonly kubeconfig: pulumi.Output<string>;
    /**
     * Digest of the image each built service's build pushed, by service name (the contract entry hands it to the
     * tenant stack); a service whose build reported nothing (the offline plan: no build ran) is left out.
     */
    readonly imageDigests: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: ProjectGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
        const { project, config } = args;
        const rendered = renderProject(project, config);
        const ctx = rendered.context;
        const needs = new Needs(`project ${project.name} (platform grants)`, args.platform);
        const needsOf = new Map<object, pulumi.Resource[]>();
        const resolve = (object: TenantObject | ISecret, extra: readonly RequirementKey[] = []) =>
            needsOf.set(object, needs.of([...extra, ...requirementsOf(object, [ctx.namespace])], `${object.kind}/${object.metadata?.name}`));
        resolve(rendered.namespace, [TENANT_ADMISSION, ...(project.trust === "untrusted" ? [UNTRUSTED_TENANT_ADMISSION] : [])]);
        const objects = flattenProject(rendered).filter((object) => object !== rendered.namespace && isPlatformObject(ctx, object));
        const bucketShapes = rendered.bucketJob ? renderBucketSecrets(ctx, { accessKey: "", secretKey: "" }) : undefined;
        const builds = new Set<TenantObject>(rendered.services.flatMap((s) => (s.build ? [s.build] : [])));
        for (const object of [...objects, ...(bucketShapes ? [bucketShapes.minio] : [])]) {
            // A build pushes with the project's push robot, which exists once the registry's configurator applied
            // it: that is what the registry Service provides.
            resolve(object, builds.has(object) ? [requirement.service(NAMESPACES.registry, PLATFORM_REGISTRY.service)] : []);
        }
        // Only the tenant stack's pods pull with it, and the tenant stack runs after this stack's up (the robot
        // exists by then): the Secret waits for the namespace only.
        const pullShape = args.registryPullPassword !== undefined ? renderPullSecret(project.id, "") : undefined;
        const tokenNames = sourceCredentialNames(project);
        const sourceSecretNeeds = tokenNames.length > 0 ? needs.of([requirement.namespace(NAMESPACES.builds)], `Secret/${NAMESPACES.builds}/build-source-${project.id}`) : [];
        needs.throwIfUnmet();
        const missingTokens = tokenNames.filter((token) => args.buildSourceTokens?.[token] === undefined);
        if (missingTokens.length > 0) {
            throw new InputValidationError(
                missingTokens.map((token) => ({
                    source: `the tenant file of project ${project.id}`,
                    path: `services[${project.services.findIndex((s) => s.build?.credentials === token)}].build.credentials`,
                    problem: `the build's source credential ${token} was not handed to the project's grants`,
                    fix: args.buildSourceTokenFix?.(token) ?? `set the secret value ${token} in the tenant's stack config (tenant:secrets.${token}); npm run deploy hands it to the build`,
                })),
            );
        }
        super(PROJECT_GRANTS_TYPE, name, {}, opts);
        // The URN these objects had under the tenant's Project: after `pulumi state move` back from a tenant stack
        // (or in the single-stack layout) that is `<this stack>::<project type>$<kind>::<name>`.
        const aliases: pulumi.Alias[] = [{ parent: `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${TENANT_PROJECT_TYPE}::${name}` }];
        const platformNeeds = (object: TenantObject | ISecret) => needsOf.get(object) ?? [];
        const keepData: pulumi.CustomResourceOptions = { retainOnDelete: !project.decommission };
        const create = (object: TenantObject, dependsOn: pulumi.Resource[], extra: pulumi.CustomResourceOptions = {}) =>
            createObject(childResourceName(name, ctx.namespace, object), object, { parent: this, aliases, dependsOn: [...dependsOn, ...platformNeeds(object)], ...extra });

        const namespace = create(rendered.namespace, [], keepData);
        // The source credentials of private builds: only the names this project's builds give, marked secret here
        // (the tenant's values), in the builds namespace, before any build Job that mounts them.
        const sourceShape = renderSourceSecret(ctx, Object.fromEntries(tokenNames.map((token) => [token, ""])));
        const sourceSecret = sourceShape
            ? new k8s.core.v1.Secret(
                  childResourceName(name, ctx.namespace, sourceShape as unknown as TenantObject),
                  {
                      metadata: sourceShape.metadata as k8s.types.input.meta.v1.ObjectMeta,
                      type: sourceShape.type,
                      stringData: pulumi.secret(pulumi.all(Object.fromEntries(tokenNames.map((token) => [token, args.buildSourceTokens![token]!])))),
                  },
                  { parent: this, dependsOn: sourceSecretNeeds, additionalSecretOutputs: ["data", "stringData"] },
              )
            : undefined;
        const created = new Map<TenantObject, pulumi.Resource>();
        for (const object of objects) {
            if (object === rendered.bucketJob) {
                continue;
            }
            const inProject = (object.metadata?.namespace ?? ctx.namespace) === ctx.namespace;
            const build = builds.has(object);
            // A build is awaited up to its deadline; a failed one is replaced (same name: deleted first) by the next up.
            const buildOptions: pulumi.CustomResourceOptions = build ? { customTimeouts: { create: BUILD_AWAIT_TIMEOUT, update: BUILD_AWAIT_TIMEOUT }, deleteBeforeReplace: true } : {};
            created.set(object, create(object, [...(inProject ? [namespace] : []), ...(build && sourceSecret ? [sourceSecret] : [])], buildOptions));
        }
        if (pullShape) {
            new k8s.core.v1.Secret(
                childResourceName(name, ctx.namespace, pullShape),
                {
                    metadata: pullShape.metadata as k8s.types.input.meta.v1.ObjectMeta,
                    type: pullShape.type,
                    stringData: pulumi.secret(pulumi.output(args.registryPullPassword!).apply((password) => renderPullSecret(project.id, password).stringData ?? {})),
                },
                { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
            );
        }
        // A build Job is awaited until it completes, so a failed build fails this stack's up before the tenant
        // stack changes its workload: the running release keeps its image. A new commit is a new Job (named after
        // it). The pushed digest is then read from the BuildKit container's termination message.
        const digests = rendered.services.flatMap((service) => {
            if (!service.build) {
                return [];
            }
            const job = created.get(service.build)!;
            const digest = new command.local.Command(
                `${name}-${service.spec.name}-image-digest`,
                {
                    create: `node ${JSON.stringify(BUILD_DIGEST_SCRIPT)}`,
                    environment: pulumi.secret(
                        pulumi.output(args.adminKubeconfig).apply((kubeconfig) => ({
                            KUBECONFIG_CONTENT: kubeconfig,
                            BUILD_NAMESPACE: service.build!.metadata!.namespace!,
                            BUILD_JOB: service.build!.metadata!.name!,
                            BUILD_CONTAINER: BUILDKIT_CONTAINER,
                        })),
                    ),
                    triggers: [service.build.metadata!.name!],
                },
                { parent: this, dependsOn: [job], additionalSecretOutputs: ["environment"] },
            );
            return [pulumi.all([service.spec.name, digest.stdout])];
        });
        if (rendered.finalBackup) {
            const job = rendered.finalBackup;
            new k8s.apiextensions.CustomResource(`${name}-final-backup`, { apiVersion: job.apiVersion, kind: job.kind, metadata: job.metadata, spec: job.spec }, { parent: this, aliases, dependsOn: [namespace] });
        }
        if (rendered.bucketJob) {
            const password = (suffix: string, length: number) =>
                new random.RandomPassword(`${name}-${suffix}`, { length, special: false }, { parent: this, aliases, additionalSecretOutputs: ["result"] });
            const accessKey = password("bucket-access-key", 20);
            const secretKey = password("bucket-secret-key", 40);
            const credentials: pulumi.Output<BucketCredentials> = pulumi.all([accessKey.result, secretKey.result]).apply(([a, s]) => ({ accessKey: a, secretKey: s }));
            const secret = (shape: ISecret, pick: (c: BucketCredentials) => Record<string, string>, dependsOn: pulumi.Resource[]) =>
                new k8s.core.v1.Secret(
                    childResourceName(name, ctx.namespace, shape),
                    { metadata: shape.metadata, type: shape.type, stringData: pulumi.secret(credentials.apply(pick)) },
                    { parent: this, aliases, dependsOn: [...dependsOn, ...platformNeeds(shape)], additionalSecretOutputs: ["data", "stringData"] },
                );
            // The tenant's copy in its namespace and MinIO's in the minio namespace; the tenant stack never sees the keys.
            secret(bucketShapes!.tenant, (c) => renderBucketSecrets(ctx, c).tenant.stringData ?? {}, [namespace]);
            const minioSecret = secret(bucketShapes!.minio, (c) => renderBucketSecrets(ctx, c).minio.stringData ?? {}, []);
            // A Job's pod template is immutable: a change means a new Job.
            create(rendered.bucketJob, [minioSecret], { deleteBeforeReplace: true });
        }

        if (rendered.redis) {
            // The Redis users' passwords and the ACL file that holds them: platform-written (the tenant's deployer
            // can neither read nor write redis-internal, and only writes what the ACL allows through redis-credentials).
            const password = (suffix: (typeof PASSWORD_SUFFIXES)[number]) =>
                new random.RandomPassword(`${name}-${suffix}`, { length: 32, special: false }, { parent: this, aliases, additionalSecretOutputs: ["result"] });
            const passwords: pulumi.Output<RedisPasswords> = pulumi
                .all([password("redis-operator-password").result, password("redis-app-password").result, password("redis-exporter-password").result])
                .apply(([operator, app, exporter]) => ({ operator, app, exporter }));
            const shapes = renderRedisSecrets(ctx, { operator: "0".repeat(16), app: "0".repeat(16), exporter: "0".repeat(16) });
            for (const which of ["internal", "app"] as const) {
                const shape = shapes[which];
                new k8s.core.v1.Secret(
                    childResourceName(name, ctx.namespace, shape),
                    { metadata: shape.metadata, type: shape.type, stringData: pulumi.secret(passwords.apply((p) => renderRedisSecrets(ctx, p)[which].stringData ?? {})) },
                    { parent: this, aliases, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
                );
            }
        }

        const deployer = renderDeployer(ctx);
        const meta = (object: { metadata?: unknown }) => object.metadata as k8s.types.input.meta.v1.ObjectMeta;
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-deployer`, { metadata: meta(deployer.serviceAccount), automountServiceAccountToken: false }, { parent: this, dependsOn: args.deployerNamespace ? [args.deployerNamespace] : [] });
        const role = new k8s.rbac.v1.Role(`${name}-deployer`, { metadata: meta(deployer.role), rules: deployer.role.rules as k8s.types.input.rbac.v1.PolicyRule[] }, { parent: this, dependsOn: [namespace] });
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-deployer`,
            { metadata: meta(deployer.roleBinding), roleRef: deployer.roleBinding.roleRef, subjects: deployer.roleBinding.subjects as k8s.types.input.rbac.v1.Subject[] },
            { parent: this, dependsOn: [role, serviceAccount] },
        );
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-deployer-token`,
            { metadata: meta(deployer.tokenSecret), type: deployer.tokenSecret.type },
            { parent: this, dependsOn: [serviceAccount], additionalSecretOutputs: ["data", "stringData"] },
        );
        // The token controller fills the Secret after it is created: read it back once it exists.
        const filled = k8s.core.v1.Secret.get(`${name}-deployer-token-read`, tokenSecret.id, { parent: this, dependsOn: [tokenSecret, binding], additionalSecretOutputs: ["data"] });
        const token = filled.data.apply((data) => Buffer.from(data?.token ?? "", "base64").toString("utf8"));
        this.namespace = namespace.metadata.name;
        this.namespaceResource = namespace;
        this.kubeconfig = pulumi.secret(pulumi.all([args.adminKubeconfig, token]).apply(([admin, value]) => deployerKubeconfig(admin, project.id, value)));
        this.imageDigests = pulumi.all(digests).apply((entries) => imageDigestsOf(entries));
        this.registerOutputs({ namespace: this.namespace, kubeconfig: this.kubeconfig, imageDigests: this.imageDigests });
    }
}

/**
 * The digests the builds reported, by service: what a digest Command printed, trimmed; nothing (the offline plan,
 * where no build ran) leaves the service out. Anything else is not a digest and fails the up naming the service.
 */
export function imageDigestsOf(entries: ReadonlyArray<readonly [string, string | undefined | null]>): Record<string, string> {
    const digests: Record<string, string> = {};
    for (const [service, stdout] of entries) {
        const digest = (stdout ?? "").trim();
        if (digest === "") {
            continue;
        }
        if (!DIGEST_PATTERN.test(digest)) {
            throw new Error(`the build of service ${service} reported "${digest.slice(0, 80)}", not an image digest (sha256:<64 hex>)`);
        }
        digests[service] = digest;
    }
    return digests;
}
