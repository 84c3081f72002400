import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { LABELS, NAMESPACES, NAMESPACE_GRANT_ANNOTATIONS, RESTORE_STORAGE_CLASS, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { ANALYSIS_ARGS, ANALYSIS_TEMPLATES } from "../argo-rollouts/analysis";
import {
    FORBIDDEN_TENANT_CLUSTER_ROLES,
    FORBIDDEN_TENANT_SERVICE_TYPES,
    HOST_HANDLERS,
    LIFECYCLE_HOOKS,
    PROBE_FIELDS,
    TENANT_HTTP_ENTRY_POINTS,
    INGRESS_ENTRY_POINTS_ANNOTATION,
    SERVICE_NATIVE_LB_ANNOTATION,
    TRAEFIK_MATCHERS,
    backupSecretUsers,
    CERT_MANAGER_TLS_SECRET_PATTERN,
    operatorSecretUsers,
    OPERATOR_INTERNAL_SECRET_PATTERN,
    OPERATOR_SECRET_PATTERNS,
    type DatabaseOperator,
    DATABASE_SERVICE_ACCOUNT_PATTERN,
    PLATFORM_BACKUP_SECRET,
    PLATFORM_WRITER_GROUP,
    PLATFORM_WRITTEN_SECRETS,
    PLATFORM_REDIS_SECRET,
    PLATFORM_REGISTRY_HOST,
    redisInternalSecretUsers,
    TENANT_PLACEMENT,
} from "../../policy/lib/catalogue";
import { CNPG_OPERATOR_USER } from "../databases/values";
import { CERT_MANAGER_USER } from "../cert-manager/values";
import { REDIS_IMAGES } from "../../charts/images";
import { TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { ANALYSIS_CADENCE_BOUNDS } from "../../lib/tenants/schema";
import {
    MYSQL_SYSTEM_SCHEMAS,
    PXC_CLUSTER_NAME_PATTERN,
    PXC_USER_PINS,
    PXC_USER_NAME,
    PXC_DISABLED_PARTS,
    PXC_INJECTION_FIELDS,
    PXC_KEY_HOLDING_IMAGES,
    PXC_POD_SERVICE_ACCOUNT,
    PXC_RUNTIME_IMAGES,
    PXC_SANDBOX_CONFIGURATION,
    PXC_SECRET_NAME_FIELDS,
    PXC_UPGRADE_OFF,
    PXC_USER_PASSWORD_SECRET,
} from "../../policy/rules/tenancy/mysql-cluster";
import { REDIS_ALLOWED_FIELDS, REDIS_EXPORTER_ENV, REDIS_OPERATOR_ANNOTATION_PATTERN, REDIS_OPERATOR_SECRET, REDIS_PLACEMENT } from "../../policy/rules/tenancy/redis-replication";
import { CLAIM_BINDING_FIELDS, CLAIM_CLASS_ANNOTATIONS } from "../../policy/rules/tenancy/restore-storage-class";
import {
    CNPG_ALLOWED_FIELDS,
    CNPG_ANTI_AFFINITY,
    CNPG_BOOTSTRAP_SECRET,
    CNPG_CLUSTER_NAME_PATTERN,
    CNPG_EXTERNAL_CLUSTER_FIELDS,
    CNPG_IMAGES,
    CNPG_OWNER,
    CNPG_STORAGE_CLASSES,
    CNPG_STORE_ALLOWED_FIELDS,
    CNPG_SCHEDULED_BACKUP_FIELDS,
    CNPG_SCHEDULED_BACKUP_PINS,
    CNPG_SUPERUSER_SQL_FIELDS,
} from "../../policy/rules/tenancy/database-cluster";
import { CNPG_HOURLY_SCHEDULE_PATTERN, HOURLY_OR_RARER_DESCRIPTORS, PERCONA_HOURLY_SCHEDULE_PATTERN } from "../../policy/lib/backup-schedule";
import { OPERATOR_PLACEMENT, type AffinityShape } from "../../policy/lib/operator-placement";
import {
    MONGODB_SYSTEM_DATABASES,
    PSMDB_BACKUP_INJECTION_FIELDS,
    PSMDB_DISABLED_PARTS,
    PSMDB_EXPORTER_SIDECAR,
    PSMDB_EXTRA_MEMBERS,
    PSMDB_CLUSTER_NAME_PATTERN,
    PSMDB_EXPORTER_ARGS,
    psmdbExporterEnv,
    PSMDB_PINNED_IMAGES,
    PSMDB_REPLSET_INJECTION_FIELDS,
    PSMDB_SECRET_NAME_FIELDS,
    PSMDB_TENANT_ROLES,
    PSMDB_UPGRADE_OFF,
    PSMDB_USER_PASSWORD_SECRET,
    PSMDB_USER,
} from "../../policy/rules/tenancy/mongodb-cluster";
import { PERCONA_METADATA_KEY_PATTERN } from "../../policy/lib/percona-metadata";
import { DATABASE_POD_SERVICE, OPERATOR_INSTANCE_LABEL, OPERATOR_SELECTOR_LABEL_PATTERN, REDIS_OPERATOR_POD_LABEL, renderedPodLabelValues, RESERVED_POD_LABEL_PATTERN, ROLLOUT_EPHEMERAL_METADATA } from "../../policy/lib/operator-pod-labels";
import { PXC_OPERATOR_USER } from "../databases/mysql-values";
import { PSMDB_OPERATOR_USER } from "../databases/mongodb-values";
import { REDIS_OPERATOR_USER } from "../databases/redis-values";

/**
 * The platform's admission policies for tenant namespaces: ValidatingAdmissionPolicies (CEL, native in the
 * API server since Kubernetes 1.30, no webhook to keep alive) that hold the security rule catalogue for every
 * object that reaches a tenant namespace, whoever sends it: an Argo CD sync of the tenant's repository, a
 * tenant's `kubectl`, a Helm release, or Pulumi. The policy pack checks the same rules at preview
 * (policy/lib/catalogue.ts is the one source of both); Pod Security Admission `restricted` on every tenant
 * namespace covers the rest of pod security (privileged, host namespaces, capabilities, SELinux, AppArmor,
 * hostProcess, sysctls, seccomp, non-root).
 *
 * CEL here uses standard CEL, the strings extension and the Kubernetes regex library only: those are what
 * tools/offline/admission.ts evaluates in the tests, and an expression using anything else fails there.
 */

/** Inputs of the admission policies. */
export interface AdmissionPolicyArgs {
    /** Registries (or `registry/path` prefixes) tenant images may come from (`platform:allowedRegistries`). */
    allowedRegistries: readonly string[];
    /** Labels added to the objects (the managed-by label is always set). */
    labels?: Readonly<Record<string, string>>;
    /**
     * The off-cluster database backup target (from `platform:backup.s3`): tenant Clusters archive to
     * `<destinationPrefix><namespace>/` on `endpointURL`. Absent: only an HTTPS endpoint outside the cluster and
     * the namespace's own folder are required.
     */
    databaseBackupTarget?: { endpointURL: string; destinationPrefix: string };
    /** PostgreSQL instances one tenant Cluster may run (`platform:tenantLimits.maxDatabaseInstances`). */
    maxDatabaseInstances?: number;
}

/** One policy and its binding. */
export interface AdmissionPolicyPair {
    /** The ValidatingAdmissionPolicy. */
    policy: IValidatingAdmissionPolicy;
    /** Its binding to tenant namespaces. */
    binding: IValidatingAdmissionPolicyBinding;
}

/** Names of the policies (and their bindings). */
export const ADMISSION_POLICY_NAMES = {
    pods: "platform-tenant-pods",
    services: "platform-tenant-services",
    routes: "platform-tenant-routes",
    rbac: "platform-tenant-rbac",
    databases: "platform-tenant-databases",
    redis: "platform-tenant-redis",
    mysql: "platform-tenant-mysql",
    mongodb: "platform-tenant-mongodb",
    secrets: "platform-tenant-secrets",
    analysis: "platform-tenant-analysis",
    volumes: "platform-tenant-volumes",
} as const;

/** Image of cert-manager's HTTP-01 solver, which cert-manager starts in tenant namespaces (the platform's own). */
const ACME_SOLVER_PREFIX = "quay.io/jetstack/cert-manager-acmesolver";

/** Docker Hub's other host names (the pack's image parser treats them as docker.io). */
const DOCKER_HUB_ALIASES = ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

const quote = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
const list = (values: readonly string[]) => `[${values.map(quote).join(", ")}]`;

/**
 * No pod (or pod template) reads the platform's backup Secret, through a secret or projected volume, an env
 * `secretKeyRef` or an `envFrom.secretRef` of any container, unless the CloudNativePG or Percona XtraDB Cluster
 * operator (or a controller running the operators' Jobs and Deployments) sends it.
 */
export function noBackupSecretExpression(): string {
    return noSecretReferenceExpression(backupSecretUsers(CNPG_OPERATOR_USER, PXC_OPERATOR_USER), (n) => `${n} == ${quote(PLATFORM_BACKUP_SECRET)}`);
}

/**
 * No pod (or pod template) reads a database operator's own Secrets ({@link OPERATOR_INTERNAL_SECRET_PATTERN}: the
 * system users' passwords, TLS keys, keyfiles) unless the MySQL or MongoDB operator, or a controller running their
 * StatefulSets, Jobs and Deployments, sends it.
 */
export function noOperatorSecretExpression(): string {
    return noSecretReferenceExpression(operatorSecretUsers(CNPG_OPERATOR_USER, PXC_OPERATOR_USER, PSMDB_OPERATOR_USER), (n) => `${n}.matches(${quote(OPERATOR_INTERNAL_SECRET_PATTERN)})`);
}

/**
 * No pod (or pod template) reads the Redis operator's Secret ({@link PLATFORM_REDIS_SECRET}: the `default`
 * password, the ACL file) unless the Redis operator (its StatefulSets) or the StatefulSet controller (their pods)
 * sends it.
 */
export function noRedisInternalSecretExpression(): string {
    return noSecretReferenceExpression(redisInternalSecretUsers(REDIS_OPERATOR_USER), (n) => `${n} == ${quote(PLATFORM_REDIS_SECRET)}`);
}

/**
 * CEL: unless one of `users` sends it, no secret or projected volume, env `secretKeyRef` or `envFrom.secretRef` names a
 * Secret `matches` holds for. An UPDATE that leaves the pod spec as it is passes: the spec was judged when it was
 * written (by an operator, exempt), and refusing it would refuse every metadata write on an operator's pods and
 * templates by anyone else (the garbage collector orphaning them, an admin's `kubectl label` or `annotate`).
 */
function noSecretReferenceExpression(users: readonly string[], matches: (name: string) => string): string {
    const volume =
        `(has(v.secret) && has(v.secret.secretName) && ${matches("v.secret.secretName")})` +
        ` || (has(v.projected) && has(v.projected.sources) && v.projected.sources.exists(s, has(s.secret) && has(s.secret.name) && ${matches("s.secret.name")}))`;
    const env = `has(c.env) && c.env.exists(e, has(e.valueFrom) && has(e.valueFrom.secretKeyRef) && has(e.valueFrom.secretKeyRef.name) && ${matches("e.valueFrom.secretKeyRef.name")})`;
    const envFrom = `has(c.envFrom) && c.envFrom.exists(f, has(f.secretRef) && has(f.secretRef.name) && ${matches("f.secretRef.name")})`;
    return (
        `request.userInfo.username in ${list(users)} || ${specUnchangedExpression()} || (` +
        `!(has(variables.podSpec.volumes) && variables.podSpec.volumes.exists(v, ${volume}))` +
        ` && !variables.containers.exists(c, (${env}) || (${envFrom})))`
    );
}

/**
 * No pod runs as a CloudNativePG Cluster's ServiceAccount (its Role reads the backup Secret through the API)
 * unless the operator or the job controller sends it (`serviceAccountName` and its deprecated alias), or an UPDATE
 * leaves the pod spec as it is (see {@link noSecretReferenceExpression}).
 */
export function noDatabaseServiceAccountExpression(): string {
    const pattern = quote(DATABASE_SERVICE_ACCOUNT_PATTERN);
    return (
        `request.userInfo.username in ${list(backupSecretUsers(CNPG_OPERATOR_USER))} || ${specUnchangedExpression()}` +
        ` || (!(has(variables.podSpec.serviceAccountName) && variables.podSpec.serviceAccountName.matches(${pattern}))` +
        ` && !(has(variables.podSpec.serviceAccount) && variables.podSpec.serviceAccount.matches(${pattern})))`
    );
}

/** Workload kinds whose pod template the pod policy reads, with the CEL path of their pod spec. */
const POD_SPEC_OF_KIND: ReadonlyArray<{ kind: string; resource: string; group: string; path: string }> = [
    { kind: "Pod", resource: "pods", group: "", path: "object.spec" },
    { kind: "Deployment", resource: "deployments", group: "apps", path: "object.spec.template.spec" },
    { kind: "StatefulSet", resource: "statefulsets", group: "apps", path: "object.spec.template.spec" },
    { kind: "DaemonSet", resource: "daemonsets", group: "apps", path: "object.spec.template.spec" },
    { kind: "ReplicaSet", resource: "replicasets", group: "apps", path: "object.spec.template.spec" },
    { kind: "ReplicationController", resource: "replicationcontrollers", group: "", path: "object.spec.template.spec" },
    { kind: "Job", resource: "jobs", group: "batch", path: "object.spec.template.spec" },
    { kind: "CronJob", resource: "cronjobs", group: "batch", path: "object.spec.jobTemplate.spec.template.spec" },
    // Argo Rollouts (blue/green releases): a Rollout carries its own template (a `workloadRef` one has none and is refused).
    { kind: "Rollout", resource: "rollouts", group: "argoproj.io", path: "object.spec.template.spec" },
];

/** CEL: `valueOf` of whichever POD_SPEC_OF_KIND kind the object is (the Pod's when none matches). */
function byPodKind(valueOf: (entry: (typeof POD_SPEC_OF_KIND)[number]) => string): string {
    const [pod, ...rest] = POD_SPEC_OF_KIND;
    let expression = valueOf(pod!);
    for (const entry of [...rest].reverse()) {
        expression = `object.kind == ${quote(entry.kind)} ? ${valueOf(entry)} : (${expression})`;
    }
    return expression;
}

function podSpecVariable(): string {
    return byPodKind((entry) => entry.path);
}

/** A POD_SPEC_OF_KIND path of `object` read from `oldObject` (the same kind: an update cannot change it). */
const onOldObject = (path: string) => path.replace(/^object[.]/, "oldObject.");

/** CEL: the labels of the pod or pod template whose spec is at `specPath` (`{}` without). */
const labelsBeside = (specPath: string) => {
    const metadata = specPath.replace(/[.]spec$/, ".metadata");
    return `(has(${metadata}) && has(${metadata}.labels) ? ${metadata}.labels : {})`;
};

/** CEL: the labels of the pod, or of the pod template (`{}` without). */
function podLabelsVariable(): string {
    return byPodKind((entry) => labelsBeside(entry.path));
}

/** CEL: the labels of the existing pod or template on UPDATE (`{}` on CREATE, where `oldObject` is null). */
function oldPodLabelsVariable(): string {
    return `oldObject == null ? {} : (${byPodKind((entry) => labelsBeside(onOldObject(entry.path)))})`;
}

/**
 * CEL: on UPDATE, the whole `spec` is the existing object's, field for field (a Pod's spec; a workload's, its
 * template's metadata, replicas and update strategy included). Only the template's pod spec would not do: an
 * operator's StatefulSet re-labelled in its template (`platform/service: database` keeps database pods out of
 * the internet egress rule), scaled or given another claim retention policy would pass. Metadata-only writes
 * (the garbage collector orphaning, an admin's label or annotation) leave `spec` as it is; a `rollout restart`
 * (a template annotation) of an operator's workload is the operator's to do.
 */
function specUnchangedExpression(): string {
    return "oldObject != null && has(oldObject.spec) && has(object.spec) && oldObject.spec == object.spec";
}

/** The Argo Rollouts controller's identity: the one writer of AnalysisRuns and Experiments in tenant namespaces. */
export const ROLLOUTS_CONTROLLER_USER = `system:serviceaccount:${NAMESPACES.argoRollouts}:argo-rollouts`;

/**
 * Who may label pods and pod templates with the operators' selector labels: the operators themselves, and the
 * controllers that create pods from a template someone else wrote (the template was judged when it was written):
 * those of {@link operatorSecretUsers} (the PXC binlog collector is a Deployment: the deployment controller writes
 * its ReplicaSets), the other workload controllers, and Argo Rollouts'.
 */
export const OPERATOR_LABEL_WRITERS: readonly string[] = [
    ...operatorSecretUsers(CNPG_OPERATOR_USER, PXC_OPERATOR_USER, PSMDB_OPERATOR_USER, REDIS_OPERATOR_USER),
    ...["cronjob-controller", "daemon-set-controller", "replication-controller"].map((controller) => `system:serviceaccount:kube-system:${controller}`),
    ROLLOUTS_CONTROLLER_USER,
];

/**
 * CEL: the pod (template) metadata carries no operator selector label, unless an operator or a controller writes
 * it, or an update keeps the existing object's operator labels and its spec as they are.
 *
 * CREATE (`oldObject` null) admits no such label. An UPDATE by anyone else may keep the labels the operator wrote
 * (same key, same value) or drop them, never add or change one: an admin's `kubectl label`/`annotate` of an
 * operator's pod and the garbage collector removing an ownerReference pass. While such labels stay, the whole spec
 * must stay too ({@link specUnchangedExpression}): a tenant's `kubectl set image`, or an ephemeral container
 * (pods/ephemeralcontainers carries the whole Pod), on a pod holding the operator's labels would run the tenant's
 * code with the database instances' egress. The kubelet's status writes are the pods/status subresource, which the
 * policy does not match; that subresource can change a pod's labels (the status strategy resets only the spec and
 * ownerReferences), so whoever holds `pods/status` can label pods unchecked: tenants' deployers and Argo CD do not
 * (components/project/deployer.ts), only the kubelets and controllers.
 */
export function noOperatorSelectorLabelExpression(): string {
    const { key, valuePattern } = OPERATOR_INSTANCE_LABEL;
    const operatorLabel = (labels: string) => `(k.lowerAscii().matches(${quote(OPERATOR_SELECTOR_LABEL_PATTERN)}) || (k == ${quote(key)} && ${labels}[k].matches(${quote(valuePattern)})))`;
    const kept = (labels: string, old: string) => `(request.operation == 'UPDATE' && k in ${old} && ${old}[k] == ${labels}[k])`;
    /** No operator label in `labels` but those `old` holds alike (`old` a CEL map: `{}` where there is none). */
    const clean = (labels: string, old: string) => `${labels}.all(k, !${operatorLabel(labels)} || ${kept(labels, old)})`;
    /** No operator label at all in `labels`. */
    const none = (labels: string) => `${labels}.all(k, !${operatorLabel(labels)})`;
    // Argo Rollouts copies a strategy's ephemeral metadata onto the ReplicaSets and the running pods itself (as an
    // exempt writer): a Rollout's blue/green active and preview and canary stable and canary labels are pod labels too.
    const ephemeral = ROLLOUT_EPHEMERAL_METADATA.map(([strategy, field]) => {
        const path = `object.spec.strategy.${strategy}`;
        const oldPath = onOldObject(path);
        const present = `has(object.spec.strategy) && has(${path}) && has(${path}.${field}) && has(${path}.${field}.labels)`;
        const oldLabels = `(oldObject != null && has(oldObject.spec.strategy) && has(${oldPath}) && has(${oldPath}.${field}) && has(${oldPath}.${field}.labels) ? ${oldPath}.${field}.labels : {})`;
        return { clean: `!(${present}) || ${clean(`${path}.${field}.labels`, oldLabels)}`, none: `!(${present}) || ${none(`${path}.${field}.labels`)}` };
    });
    const rollout = (check: "clean" | "none") => `(object.kind != 'Rollout' || (${ephemeral.map((e) => `(${e[check]})`).join(" && ")}))`;
    return (
        `request.userInfo.username in ${list(OPERATOR_LABEL_WRITERS)} || (` +
        `${clean("variables.podLabels", "variables.oldPodLabels")} && ${rollout("clean")}` +
        ` && ((${none("variables.podLabels")} && ${rollout("none")}) || ${specUnchangedExpression()}))`
    );
}

/** `has()` chain: true when every segment of `base.a.b.c` exists. */
const hasPath = (base: string, segments: readonly string[]) =>
    segments.map((_, i) => `has(${[base, ...segments.slice(0, i + 1)].join(".")})`).join(" && ");

/** CEL: container `c` sets no host on any probe or lifecycle handler. */
export function noProbeHostExpression(): string {
    const checks: string[] = [];
    for (const probe of PROBE_FIELDS) {
        for (const handler of HOST_HANDLERS) {
            checks.push(`!(${hasPath("c", [probe, handler, "host"])} && c.${probe}.${handler}.host != '')`);
        }
    }
    for (const hook of LIFECYCLE_HOOKS) {
        for (const handler of HOST_HANDLERS) {
            checks.push(`!(${hasPath("c", ["lifecycle", hook, handler, "host"])} && c.lifecycle.${hook}.${handler}.host != '')`);
        }
    }
    return `variables.containers.all(c, ${checks.join(" && ")})`;
}

/**
 * CEL: every container image of the pod comes from an allowed registry (whole path segments, as the pack), or
 * from the platform registry under the pod's own namespace (its project's path).
 */
export function registryExpression(allowedRegistries: readonly string[]): string {
    const entries = new Set<string>();
    for (const raw of allowedRegistries) {
        const entry = raw.trim().toLowerCase().replace(/\/+$/, "");
        entries.add(entry);
        const [host, ...path] = entry.split("/");
        if (host === "docker.io") {
            for (const alias of DOCKER_HUB_ALIASES) {
                entries.add([alias, ...path].join("/"));
            }
        }
    }
    entries.add(ACME_SOLVER_PREFIX);
    const first = "c.image.split('/')[0]";
    const hasRegistry = `(c.image.split('/').size() > 1 && (${first}.contains('.') || ${first}.contains(':') || ${first} == 'localhost'))`;
    const full = `(${hasRegistry} ? c.image.lowerAscii() : 'docker.io/' + (c.image.contains('/') ? c.image : 'library/' + c.image))`;
    // The platform registry only under the pod's own project path (the namespace is the project id).
    const ownBuilds = `c.image.lowerAscii().startsWith('${PLATFORM_REGISTRY_HOST}/' + namespaceObject.metadata.name + '/')`;
    return `variables.containers.all(c, has(c.image) && (${list([...entries])}.exists(p, ${full}.startsWith(p + '/')) || ${ownBuilds}))`;
}

/**
 * CEL checks that keep a tenant pod on the tenant pools (policy/lib/catalogue.ts {@link TENANT_PLACEMENT}, the
 * pack's policy/lib/placement.ts): no `nodeName`, only the run pool's toleration and node conditions, no other
 * pool and no node name in nodeSelector or node affinity. `nodeName` is judged when a Pod is created and in every
 * template: a running Pod carries the scheduler's binding, and its updates (labels, ephemeral containers) keep it.
 */
export function placementValidations(): Array<{ expression: string; message: string; reason: "Forbidden" }> {
    const spec = "variables.podSpec";
    const { poolLabel, pools, toleratedTaint, nodeConditionTaintPrefix, nodeNameLabels } = TENANT_PLACEMENT;
    const toleration =
        `(has(t.key) && t.key.startsWith(${quote(nodeConditionTaintPrefix)}))` +
        ` || (has(t.key) && t.key == ${quote(toleratedTaint.key)} && (!has(t.operator) || t.operator == 'Equal') && has(t.value) && t.value == ${quote(toleratedTaint.value)})`;
    const selector = `${spec}.nodeSelector`;
    const nodeAffinity = `${spec}.affinity.nodeAffinity`;
    const required = `${nodeAffinity}.requiredDuringSchedulingIgnoredDuringExecution`;
    const preferred = `${nodeAffinity}.preferredDuringSchedulingIgnoredDuringExecution`;
    const terms =
        `(${hasPath(spec, ["affinity", "nodeAffinity"])} ? ` +
        `((has(${required}) && has(${required}.nodeSelectorTerms)) ? ${required}.nodeSelectorTerms : [])` +
        ` + (has(${preferred}) ? ${preferred}.filter(p, has(p.preference)).map(p, p.preference) : []) : [])`;
    const expressionOk =
        `!(e.key in ${list(nodeNameLabels)})` +
        ` && (e.key != ${quote(poolLabel)} || (e.operator == 'In' && has(e.values) && e.values.size() > 0 && e.values.all(v, v in ${list(pools)})))`;
    return [
        {
            expression: `(object.kind == 'Pod' && request.operation != 'CREATE') || !has(${spec}.nodeName) || ${spec}.nodeName == ''`,
            message: "tenant pods must not set nodeName: it skips the scheduler and every taint (the build pool's, the servers'); the platform places pods on the run pool",
            reason: "Forbidden",
        },
        {
            expression: `!has(${spec}.tolerations) || ${spec}.tolerations.all(t, ${toleration})`,
            message: `tenant pods may tolerate only the run pool's taint (${toleratedTaint.key}=${toleratedTaint.value}) and the ${nodeConditionTaintPrefix}* node conditions: the build pool and the servers are not theirs`,
            reason: "Forbidden",
        },
        {
            expression:
                `!has(${selector}) || ((!(${quote(poolLabel)} in ${selector}) || ${selector}[${quote(poolLabel)}] in ${list(pools)})` +
                ` && !${list(nodeNameLabels)}.exists(k, k in ${selector}))`,
            message: `tenant pods may select only ${poolLabel}: ${pools.join(" or ")} and no node by name (${nodeNameLabels.join(", ")})`,
            reason: "Forbidden",
        },
        {
            expression: `${terms}.all(term, (!has(term.matchFields) || term.matchFields.size() == 0) && (!has(term.matchExpressions) || term.matchExpressions.all(e, ${expressionOk})))`,
            message: `tenant pods' node affinity may name only ${poolLabel} In [${pools.join(", ")}], no node by name (matchFields, ${nodeNameLabels.join(", ")})`,
            reason: "Forbidden",
        },
    ];
}

const meta = (name: string, args: AdmissionPolicyArgs) => ({ name, labels: { [LABELS.managedBy]: "pulumi", ...args.labels } });

function binding(name: string, args: AdmissionPolicyArgs): IValidatingAdmissionPolicyBinding {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: meta(name, args),
        spec: {
            policyName: name,
            validationActions: ["Deny"],
            // Tenant namespaces only; the label is set by the platform on namespaces tenants cannot write.
            matchResources: { namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: "true" } } },
        },
    };
}

function policy(name: string, args: AdmissionPolicyArgs, spec: NonNullable<IValidatingAdmissionPolicy["spec"]>): AdmissionPolicyPair {
    return {
        policy: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: meta(name, args), spec: { failurePolicy: "Fail", ...spec } },
        binding: binding(name, args),
    };
}

const WRITE: Array<"CREATE" | "UPDATE"> = ["CREATE", "UPDATE"];

/**
 * Pods and pod templates: no probe/lifecycle host, images only from the allowed registries, no reference to the
 * platform's backup Secret and no database ServiceAccount except from the CloudNativePG operator, and placement
 * only on the tenant pools ({@link placementValidations}).
 */
export function renderPodPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const byGroup = new Map<string, string[]>();
    for (const entry of POD_SPEC_OF_KIND) {
        byGroup.set(entry.group, [...(byGroup.get(entry.group) ?? []), entry.resource]);
    }
    return policy(ADMISSION_POLICY_NAMES.pods, args, {
        matchConstraints: {
            // pods/ephemeralcontainers too: an ephemeral container added to a running pod is a new container.
            resourceRules: [...byGroup].map(([group, resources]) => ({ apiGroups: [group], apiVersions: ["*"], operations: WRITE, resources: group === "" ? [...resources, "pods/ephemeralcontainers"] : resources })),
        },
        variables: [
            { name: "podSpec", expression: podSpecVariable() },
            { name: "podLabels", expression: podLabelsVariable() },
            { name: "oldPodLabels", expression: oldPodLabelsVariable() },
            {
                name: "containers",
                expression:
                    "variables.podSpec.containers" +
                    " + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])" +
                    " + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])",
            },
        ],
        validations: [
            {
                expression: noProbeHostExpression(),
                message: "probes and lifecycle hooks must not set host: the kubelet would send the request from the node, outside every NetworkPolicy",
                reason: "Forbidden",
            },
            {
                expression: registryExpression(args.allowedRegistries),
                message: `images must come from an allowed registry (${args.allowedRegistries.join(", ")}) or from ${PLATFORM_REGISTRY_HOST}/<this project>/`,
                reason: "Forbidden",
            },
            {
                expression: noBackupSecretExpression(),
                message: `pods must not read the Secret ${PLATFORM_BACKUP_SECRET}: it holds the platform's backup bucket keys, for the CloudNativePG operator only`,
                reason: "Forbidden",
            },
            {
                expression: noOperatorSecretExpression(),
                message: "pods must not read a database operator's own Secrets (<cluster>-secrets, internal-<cluster>, <cluster>-users, <cluster>-superuser, <cluster>-replication, <cluster>-ca, <cluster>-server, TLS keys, keyfiles): read the project's credentials Secret",
                reason: "Forbidden",
            },
            {
                expression: noRedisInternalSecretExpression(),
                message: `pods must not read the Secret ${PLATFORM_REDIS_SECRET}: it holds Redis's default password and ACL file, for the Redis operator's StatefulSets only; services read redis-credentials (uses: [redis])`,
                reason: "Forbidden",
            },
            {
                expression: noDatabaseServiceAccountExpression(),
                message: "pods must not run as a database Cluster's ServiceAccount (database, database-g<N>): only the CloudNativePG operator starts those pods",
                reason: "Forbidden",
            },
            {
                expression: noOperatorSelectorLabelExpression(),
                message: `pods and pod templates must not carry a database operator's selector labels (cnpg.io/…, percona.com/…, ${OPERATOR_INSTANCE_LABEL.key}: database, mongodb or -g<N>, ${REDIS_OPERATOR_POD_LABEL}): the project's NetworkPolicies give those pods the database instances' egress or the Sentinels' port; only the operators label their pods so (an update may keep an operator's labels as they are, with the spec unchanged)`,
                reason: "Forbidden",
            },
            ...placementValidations(),
        ],
    });
}

/** Services: no NodePort, LoadBalancer or ExternalName, no externalIPs (CVE-2020-8554). */
export function renderServicePolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    return policy(ADMISSION_POLICY_NAMES.services, args, {
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: WRITE, resources: ["services"] }] },
        validations: [
            {
                expression: `!has(object.spec.type) || !(object.spec.type in ${list(FORBIDDEN_TENANT_SERVICE_TYPES)})`,
                message: `tenant Services must not be of type ${FORBIDDEN_TENANT_SERVICE_TYPES.join(", ")}: publish through the platform's Ingress`,
                reason: "Forbidden",
            },
            {
                expression: "!has(object.spec.externalIPs) || object.spec.externalIPs.size() == 0",
                message: "tenant Services must not set externalIPs (CVE-2020-8554)",
                reason: "Forbidden",
            },
            {
                expression: `!has(object.metadata.annotations) || !(${quote(SERVICE_NATIVE_LB_ANNOTATION)} in object.metadata.annotations)`,
                message: `tenant Services must not set ${SERVICE_NATIVE_LB_ANNOTATION} (HTTP egress is metered at Traefik; through the ClusterIP the edge meter would bill it twice)`,
                reason: "Forbidden",
            },
        ],
    });
}

const annotation = (key: string) => `(${quote(key)} in variables.annotations ? variables.annotations[${quote(key)}] : '')`;
const annotationList = (key: string) => `${annotation(key)}.split(',').map(h, h.trim().lowerAscii()).filter(h, h != '')`;
/** CEL: host expression `h` is in the namespace's host space. */
const inSpace = (h: string) => `((variables.suffix != '' && ${h}.lowerAscii().endsWith('.' + variables.suffix)) || ${h}.lowerAscii() in variables.customHosts)`;
/** CEL: `match` names each host in its own single-argument matcher, at least one, no regexp matchers. */
const wellFormed = (match: string, single: string, any: string) =>
    `!${match}.matches(${quote(TRAEFIK_MATCHERS.regexp)}) && ${match}.findAll(${quote(single)}).size() > 0 && ${match}.findAll(${quote(single)}).size() == ${match}.findAll(${quote(any)}).size()`;
const ROUTE_KINDS = ["IngressRoute", "IngressRouteTCP", "IngressRouteUDP"];

/**
 * Ingresses and Traefik routes: hosts only inside the project's host space (its namespace annotations), HTTP
 * routes only on web/websecure, TCP routes on a granted entry point or as TLS passthrough for the project's own
 * hosts on websecure (HostSNI(`*`) only on a granted entry point), UDP routes only on granted entry points.
 */
export function renderRoutePolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const hostArg = (call: string, prefixLength: number) => `${call}.substring(${prefixLength}, ${call}.size() - 2)`;
    return policy(ADMISSION_POLICY_NAMES.routes, args, {
        matchConstraints: {
            resourceRules: [
                { apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: WRITE, resources: ["ingresses"] },
                { apiGroups: ["traefik.io", "traefik.containo.us"], apiVersions: ["v1alpha1"], operations: WRITE, resources: ["ingressroutes", "ingressroutetcps", "ingressrouteudps"] },
            ],
        },
        variables: [
            { name: "annotations", expression: "has(namespaceObject.metadata.annotations) ? namespaceObject.metadata.annotations : {}" },
            { name: "suffix", expression: `${annotation(NAMESPACE_GRANT_ANNOTATIONS.hostSuffix)}.lowerAscii()` },
            { name: "customHosts", expression: annotationList(NAMESPACE_GRANT_ANNOTATIONS.customHosts) },
            { name: "tcpEntryPoints", expression: annotationList(NAMESPACE_GRANT_ANNOTATIONS.tcpEntryPoints) },
            { name: "udpEntryPoints", expression: annotationList(NAMESPACE_GRANT_ANNOTATIONS.udpEntryPoints) },
            { name: "entryPoints", expression: "has(object.spec.entryPoints) ? object.spec.entryPoints : []" },
            { name: "routes", expression: "has(object.spec.routes) ? object.spec.routes : []" },
            { name: "granted", expression: "variables.entryPoints.all(e, e in variables.tcpEntryPoints)" },
            { name: "passthrough", expression: "has(object.spec.tls) && has(object.spec.tls.passthrough) && object.spec.tls.passthrough == true" },
        ],
        validations: [
            {
                expression: `object.kind != 'Ingress' || !has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && ${inSpace("r.host")})`,
                message: "Ingress hosts must be inside the project's host space (<name>.<project>.<domain> or a custom domain granted to the project)",
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'Ingress' || !has(object.spec.tls) || object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, ${inSpace("h")}))`,
                message: "Ingress TLS hosts must be inside the project's host space",
                reason: "Forbidden",
            },
            {
                // cert-manager's ingress-shim would issue into the named Secret, and cert-manager may write the Percona clusters' TLS Secrets.
                expression: `object.kind != 'Ingress' || !has(object.spec.tls) || object.spec.tls.all(t, !has(t.secretName) || !t.secretName.matches(${quote(OPERATOR_INTERNAL_SECRET_PATTERN)}))`,
                message: "Ingress TLS secretName must not be a database operator's own Secret (<cluster>-ssl, -ssl-internal, -ca-cert, -superuser, …): cert-manager would issue into it",
                reason: "Forbidden",
            },
            {
                expression: `!(object.kind in ${list(ROUTE_KINDS)}) || variables.entryPoints.size() > 0`,
                message: "Traefik routes must name their entryPoints (without, a route listens on every entry point)",
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'IngressRoute' || variables.entryPoints.all(e, e in ${list(TENANT_HTTP_ENTRY_POINTS)})`,
                message: `HTTP routes may only use the entry points ${TENANT_HTTP_ENTRY_POINTS.join(", ")}`,
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'IngressRoute' || variables.routes.all(r, ${wellFormed("r.match", TRAEFIK_MATCHERS.host, TRAEFIK_MATCHERS.anyHost)}` +
                    ` && r.match.findAll(${quote(TRAEFIK_MATCHERS.host)}).all(m, ${inSpace(hostArg("m", "Host(`".length))}))`,
                message: "HTTP route matchers must name each host in its own Host(`…`), inside the project's host space",
                reason: "Forbidden",
            },
            {
                expression:
                    "object.kind != 'IngressRouteTCP' || variables.granted || " +
                    "(variables.passthrough && variables.entryPoints.filter(e, !(e in variables.tcpEntryPoints)).all(e, e == 'websecure'))",
                message: "TCP routes may only use entry points granted to the project, or websecure for TLS passthrough",
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'IngressRouteTCP' || variables.routes.all(r, ${wellFormed("r.match", TRAEFIK_MATCHERS.hostSni, TRAEFIK_MATCHERS.anyHostSni)}` +
                    ` && r.match.findAll(${quote(TRAEFIK_MATCHERS.hostSni)}).all(m, (variables.granted && ${hostArg("m", "HostSNI(`".length)} == '*') || ${inSpace(hostArg("m", "HostSNI(`".length))}))`,
                message: "TCP route matchers must name the project's own hosts in HostSNI(`…`); HostSNI(`*`) only on an entry point granted to the project",
                reason: "Forbidden",
            },
            {
                expression: "object.kind != 'IngressRouteUDP' || variables.entryPoints.all(e, e in variables.udpEntryPoints)",
                message: "UDP routes may only use entry points granted to the project",
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'Ingress' || !has(object.metadata.annotations) || !(${quote(INGRESS_ENTRY_POINTS_ANNOTATION)} in object.metadata.annotations) || ` +
                    `object.metadata.annotations[${quote(INGRESS_ENTRY_POINTS_ANNOTATION)}].matches(${quote(`^\\s*(${TENANT_HTTP_ENTRY_POINTS.join("|")})\\s*(,\\s*(${TENANT_HTTP_ENTRY_POINTS.join("|")})\\s*)*$`)})`,
                message: `Ingresses may only use the entry points ${TENANT_HTTP_ENTRY_POINTS.join(", ")} (annotation ${INGRESS_ENTRY_POINTS_ANNOTATION})`,
                reason: "Forbidden",
            },
            {
                expression: "object.kind != 'IngressRoute' || variables.routes.all(r, !has(r.services) || r.services.all(s, !has(s.nativeLB) || s.nativeLB == false))",
                message: "HTTP route services must not set nativeLB (Traefik meters HTTP egress; through the ClusterIP the edge meter would bill it twice)",
                reason: "Forbidden",
            },
            {
                expression: "!(object.kind in ['IngressRouteTCP', 'IngressRouteUDP']) || variables.routes.all(r, has(r.services) && r.services.all(s, has(s.nativeLB) && s.nativeLB == true))",
                message: "TCP/UDP route services must set nativeLB: true (the edge meter bills TCP/UDP and passthrough egress through the Service's ClusterIP)",
                reason: "Forbidden",
            },
        ],
    });
}

/** Roles and RoleBindings: no wildcard verbs or resources, no binding of cluster-admin or admin. */
export function renderRbacPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    return policy(ADMISSION_POLICY_NAMES.rbac, args, {
        matchConstraints: {
            resourceRules: [{ apiGroups: ["rbac.authorization.k8s.io"], apiVersions: ["v1"], operations: WRITE, resources: ["roles", "rolebindings"] }],
        },
        validations: [
            {
                expression:
                    "object.kind != 'Role' || !has(object.rules) || object.rules.all(r, !(has(r.verbs) && '*' in r.verbs) && !(has(r.resources) && '*' in r.resources))",
                message: "tenant Roles must not use wildcard verbs or resources",
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'RoleBinding' || object.roleRef.kind != 'ClusterRole' || !(object.roleRef.name in ${list(FORBIDDEN_TENANT_CLUSTER_ROLES)})`,
                message: `tenant RoleBindings must not grant ${FORBIDDEN_TENANT_CLUSTER_ROLES.join(" or ")}`,
                reason: "Forbidden",
            },
        ],
    });
}

/** CEL: one `barmanObjectStore` (`store`) is the platform's target, below the namespace's folder, with the platform's keys. */
function objectStoreExpression(store: string, target: AdmissionPolicyArgs["databaseBackupTarget"]): string {
    const endpoint = target
        ? `${store}.endpointURL == ${quote(target.endpointURL)}`
        : `${store}.endpointURL.startsWith('https://') && !${store}.endpointURL.contains('.svc') && !${store}.endpointURL.contains('.cluster.local')`;
    const prefix = target ? `${quote(target.destinationPrefix)} + variables.namespace + '/'` : undefined;
    const path = prefix ? `${store}.destinationPath.startsWith(${prefix})` : `variables.namespace in ${store}.destinationPath.split('/')`;
    const key = (field: string) => `has(${store}.s3Credentials.${field}) && ${store}.s3Credentials.${field}.name == ${quote(PLATFORM_BACKUP_SECRET)}`;
    return (
        `has(${store}.endpointURL) && has(${store}.destinationPath) && has(${store}.s3Credentials) && ${endpoint} && ${path}` +
        ` && !${store}.destinationPath.contains('/../') && ${key("accessKeyId")} && ${key("secretAccessKey")}` +
        ` && ${store}.s3Credentials.all(k, k in ['accessKeyId', 'secretAccessKey'] || (k == 'region' && has(${store}.s3Credentials.region.name) && ${store}.s3Credentials.region.name == ${quote(PLATFORM_BACKUP_SECRET)}))` +
        ` && (!has(${store}.serverName) || ${store}.serverName.matches(${quote(CNPG_CLUSTER_NAME_PATTERN)}))`
    );
}

/**
 * CEL validations of a tenant ScheduledBackup (twin of the pack's scheduledBackupProblems): only the fields the
 * platform renders, a schedule at most hourly (policy/lib/backup-schedule.ts), one of the project's Clusters, the
 * platform's method, target and owner reference, never suspended.
 */
function scheduledBackupValidations(): Array<{ expression: string; message: string; reason: "Forbidden" }> {
    const spec = "object.spec";
    const only = (expression: string) => `object.kind != 'ScheduledBackup' || (${expression})`;
    const schedule = `has(${spec}.schedule) && (${spec}.schedule in ${list(HOURLY_OR_RARER_DESCRIPTORS)} || ${spec}.schedule.matches(${quote(CNPG_HOURLY_SCHEDULE_PATTERN)}))`;
    return [
        {
            expression: only(`${spec}.all(k, k in ${list(CNPG_SCHEDULED_BACKUP_FIELDS)}) && (!has(${spec}.suspend) || ${spec}.suspend == false)`),
            message: `tenant ScheduledBackups set only ${CNPG_SCHEDULED_BACKUP_FIELDS.join(", ")} and are never suspended (no pluginConfiguration, online, onlineConfiguration)`,
            reason: "Forbidden",
        },
        {
            expression: only(schedule),
            message: `tenant ScheduledBackups run at most hourly: fixed seconds and minutes (6-field cron, seconds first) or one of ${HOURLY_OR_RARER_DESCRIPTORS.join(", ")}`,
            reason: "Forbidden",
        },
        {
            expression: only(
                `has(${spec}.cluster) && has(${spec}.cluster.name) && ${spec}.cluster.name.matches(${quote(CNPG_CLUSTER_NAME_PATTERN)})` +
                    ` && (!has(${spec}.method) || ${spec}.method == ${quote(CNPG_SCHEDULED_BACKUP_PINS.method)})` +
                    ` && has(${spec}.target) && ${spec}.target == ${quote(CNPG_SCHEDULED_BACKUP_PINS.target)}` +
                    ` && has(${spec}.backupOwnerReference) && ${spec}.backupOwnerReference == ${quote(CNPG_SCHEDULED_BACKUP_PINS.backupOwnerReference)}`,
            ),
            message: `tenant ScheduledBackups back up the project's Cluster (database or database-g<N>) with method ${CNPG_SCHEDULED_BACKUP_PINS.method}, target ${CNPG_SCHEDULED_BACKUP_PINS.target} and backupOwnerReference ${CNPG_SCHEDULED_BACKUP_PINS.backupOwnerReference}`,
            reason: "Forbidden",
        },
    ];
}

/**
 * CloudNativePG Clusters in tenant namespaces (twin of the pack's `tenancy-database-cluster`): archive to the
 * platform's off-cluster target below the namespace's own folder with the platform-written keys, restore only
 * from the project's own archive (no live source, no pg_basebackup), no superuser, instances within the limit.
 * Status writes (the operator's) are a subresource and not matched.
 */
export function renderDatabasePolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const max = args.maxDatabaseInstances ?? 3;
    const target = args.databaseBackupTarget && args.databaseBackupTarget.endpointURL !== "" ? args.databaseBackupTarget : undefined;
    return policy(ADMISSION_POLICY_NAMES.databases, args, {
        matchConstraints: { resourceRules: [{ apiGroups: ["postgresql.cnpg.io"], apiVersions: ["*"], operations: WRITE, resources: ["clusters", "scheduledbackups"] }] },
        variables: [{ name: "namespace", expression: "has(namespaceObject.metadata.name) ? namespaceObject.metadata.name : object.metadata.namespace" }],
        validations: [
            ...scheduledBackupValidations(),
            ...[
            {
                expression: `has(object.spec.backup) && has(object.spec.backup.barmanObjectStore) && ${objectStoreExpression("object.spec.backup.barmanObjectStore", target)}`,
                message: `tenant Clusters back up to the platform's off-cluster target${target ? ` (${target.endpointURL}, ${target.destinationPrefix}<namespace>/)` : ""} below their own namespace's folder, with the Secret ${PLATFORM_BACKUP_SECRET}`,
                reason: "Forbidden",
            },
            {
                expression: `!has(object.spec.externalClusters) || object.spec.externalClusters.all(c, !has(c.connectionParameters) && has(c.barmanObjectStore) && ${objectStoreExpression("c.barmanObjectStore", target)})`,
                message: "tenant Clusters restore only from their own project's archive on the platform's target, never from a live server",
                reason: "Forbidden",
            },
            {
                expression: "!has(object.spec.bootstrap) || !has(object.spec.bootstrap.pg_basebackup)",
                message: "tenant Clusters start empty or from their own archive, not by copying another server (pg_basebackup)",
                reason: "Forbidden",
            },
            {
                expression: "!has(object.metadata.annotations) || !object.metadata.annotations.exists(k, k.lowerAscii().matches('^([a-z0-9.-]+[.])?cnpg[.]io/'))",
                message: "tenant Clusters carry no cnpg.io annotations (cnpg.io/podPatch patches every instance pod; others switch WAL archiving or fencing off)",
                reason: "Forbidden",
            },
            {
                expression: `object.metadata.name.matches(${quote(CNPG_CLUSTER_NAME_PATTERN)})`,
                message: "tenant Clusters are named database or database-g<N> (the operator names its superuser, replication, CA and server Secrets after the Cluster; only those are kept from tenant pods)",
                reason: "Forbidden",
            },
            {
                expression: ["initdb", "recovery"]
                    .map(
                        (method) =>
                            `(!has(object.spec.bootstrap) || !has(object.spec.bootstrap.${method}) || !has(object.spec.bootstrap.${method}.secret)` +
                            ` || (has(object.spec.bootstrap.${method}.secret.name) && object.spec.bootstrap.${method}.secret.name == ${quote(CNPG_BOOTSTRAP_SECRET)}))`,
                    )
                    .join(" && "),
                message: `tenant Clusters bootstrap their owner from the platform-written ${CNPG_BOOTSTRAP_SECRET}`,
                reason: "Forbidden",
            },
            {
                expression:
                    "(!has(object.spec.enableSuperuserAccess) || object.spec.enableSuperuserAccess == false) && !has(object.spec.superuserSecret) && !has(object.spec.managed)" +
                    ` && (!has(object.spec.bootstrap) || !has(object.spec.bootstrap.initdb) || (${CNPG_SUPERUSER_SQL_FIELDS.map((field) => `!has(object.spec.bootstrap.initdb.${field})`).join(" && ")}))`,
                message: `tenant Clusters have no superuser access (enableSuperuserAccess, superuserSecret, managed roles, bootstrap.initdb ${CNPG_SUPERUSER_SQL_FIELDS.join("/")} run as the superuser)`,
                reason: "Forbidden",
            },
            {
                expression: `!has(object.spec.instances) || (object.spec.instances >= 1 && object.spec.instances <= ${max})`,
                message: `tenant Clusters run 1 to ${max} instances (platform:tenantLimits.maxDatabaseInstances)`,
                reason: "Forbidden",
            },
            {
                expression:
                    `${onlyFields("object.spec", CNPG_ALLOWED_FIELDS)}` +
                    ` && (!has(object.spec.externalClusters) || object.spec.externalClusters.all(c, c.all(k, k in ${list([...CNPG_EXTERNAL_CLUSTER_FIELDS, "connectionParameters"])})` +
                    ` && (!has(c.barmanObjectStore) || ${onlyFields("c.barmanObjectStore", CNPG_STORE_ALLOWED_FIELDS)})))`,
                message:
                    "tenant Clusters set only the fields the platform renders (no imageCatalogRef, env, envFrom, projectedVolumeTemplate, postgresql, plugins, certificates, tablespaces, " +
                    "serviceAccountTemplate, monitoring custom queries, nodeAffinity, priorityClassName, schedulerName, topologySpreadConstraints, inheritedMetadata.annotations, ...): the instance pods hold the platform's backup keys",
                reason: "Forbidden",
            },
            {
                expression: cnpgPinnedValues(),
                message: `tenant Clusters run a pinned PostgreSQL image (${CNPG_IMAGES.join(", ")}) pulled IfNotPresent, on the tenant pool with the platform's anti-affinity, the owner ${CNPG_OWNER}, a tenant Longhorn class and no operator PodMonitor`,
                reason: "Forbidden",
            },
                {
                    expression: `!has(object.spec.inheritedMetadata) || ${operatorPodMetadataExpression("object.spec.inheritedMetadata", DATABASE_POD_SERVICE.postgresql, true)}`,
                    message: "tenant Clusters copy only the platform's own values of platform/, app.kubernetes.io/, cnpg.io/, percona.com/ and kubernetes.io/ labels onto their instance pods (inheritedMetadata.labels): the project's NetworkPolicies and Services select pods by them",
                    reason: "Forbidden",
                },
            ].map((validation) => ({ ...validation, expression: `object.kind != 'Cluster' || (${validation.expression})` })),
        ],
    });
}

/** CEL: the object at `base` sets only the keys of `allowed` (path below `base` → keys), level by level. */
function onlyFields(base: string, allowed: Readonly<Record<string, readonly string[]>>): string {
    return Object.entries(allowed)
        .map(([path, keys]) => {
            const segments = path === "" ? [] : path.split(".");
            const keysOk = `${[base, ...segments].join(".")}.all(k, k in ${list(keys)})`;
            return segments.length === 0 ? keysOk : `(!(${hasPath(base, segments)}) || ${keysOk})`;
        })
        .join(" && ");
}

/** CEL twin of the pack's clusterPinnedValueProblems (policy/rules/tenancy/database-cluster.ts). */
function cnpgPinnedValues(): string {
    const spec = "object.spec";
    const affinity = `${spec}.affinity`;
    const selector = `${affinity}.nodeSelector`;
    const toleration = OPERATOR_PLACEMENT.toleration;
    const exactToleration = `(t.size() == ${Object.keys(toleration).length} && ${Object.entries(toleration).map(([k, v]) => `${quote(k)} in t && t[${quote(k)}] == ${quote(v)}`).join(" && ")})`;
    const selectorOk = OPERATOR_PLACEMENT.nodeSelectors
        .map((s) => `(${selector}.size() == ${Object.keys(s).length} && ${Object.entries(s).map(([k, v]) => `${quote(k)} in ${selector} && ${selector}[${quote(k)}] == ${quote(v)}`).join(" && ")})`)
        .join(" || ");
    const checks = [
        `has(${spec}.imageName) && ${spec}.imageName in ${list(CNPG_IMAGES)}`,
        `(!has(${spec}.imagePullPolicy) || ${spec}.imagePullPolicy == 'IfNotPresent')`,
        `has(${affinity}) && has(${selector}) && (${selectorOk})`,
        `(!has(${affinity}.tolerations) || ${affinity}.tolerations.size() == 0 || (${affinity}.tolerations.size() == 1 && ${affinity}.tolerations.all(t, ${exactToleration})))`,
        ...Object.entries(CNPG_ANTI_AFFINITY).map(([key, value]) => `(!has(${affinity}.${key}) || ${affinity}.${key} == ${typeof value === "string" ? quote(value) : String(value)})`),
        `(!has(${spec}.monitoring) || !has(${spec}.monitoring.enablePodMonitor) || ${spec}.monitoring.enablePodMonitor == false)`,
        ...["initdb", "recovery"].map((method) => `(!has(${spec}.bootstrap) || !has(${spec}.bootstrap.${method}) || !has(${spec}.bootstrap.${method}.owner) || ${spec}.bootstrap.${method}.owner == ${quote(CNPG_OWNER)})`),
        `(!has(${spec}.storage) || !has(${spec}.storage.storageClass) || ${spec}.storage.storageClass in ${list(CNPG_STORAGE_CLASSES)})`,
    ];
    return checks.join(" && ");
}

/** CEL: the pod group at `group` (a RedisReplication's spec or its sentinel) has the pinned placement of REDIS_PLACEMENT. */
function redisPlacement(group: string): string {
    const toleration = REDIS_PLACEMENT.tolerations[0];
    const exactToleration = `(t.size() == ${Object.keys(toleration).length} && ${Object.entries(toleration).map(([k, v]) => `${quote(k)} in t && t[${quote(k)}] == ${quote(v)}`).join(" && ")})`;
    const selector =
        `has(${group}.nodeSelector) && ` +
        `(${REDIS_PLACEMENT.nodeSelectors.map((s) => `(${group}.nodeSelector.size() == ${Object.keys(s).length} && ${Object.entries(s).map(([k, v]) => `${quote(k)} in ${group}.nodeSelector && ${group}.nodeSelector[${quote(k)}] == ${quote(v)}`).join(" && ")})`).join(" || ")})`;
    const tolerations = `(!has(${group}.tolerations) || ${group}.tolerations.size() == 0 || (${group}.tolerations.size() == 1 && ${group}.tolerations.all(t, ${exactToleration})))`;
    const affinity = `(!has(${group}.affinity) || ${group}.affinity.all(k, k in ${list(REDIS_PLACEMENT.affinityKeys)}))`;
    return `(${selector} && ${tolerations} && ${affinity})`;
}

/** CEL: the exporter at `exporter` has exactly REDIS_EXPORTER_ENV, entry by entry (twin of the pack's deep comparison). */
function redisExporterEnvExpression(exporter: string): string {
    const [user, password] = REDIS_EXPORTER_ENV;
    const env = `${exporter}.env`;
    const ref = `${env}[1].valueFrom.secretKeyRef`;
    return (
        `has(${exporter}) && has(${env}) && size(${env}) == 2` +
        ` && ${env}[0].name == ${quote(user.name)} && has(${env}[0].value) && ${env}[0].value == ${quote(user.value)} && !has(${env}[0].valueFrom)` +
        ` && ${env}[1].name == ${quote(password.name)} && !has(${env}[1].value) && has(${env}[1].valueFrom) && has(${ref})` +
        ["configMapKeyRef", "fieldRef", "resourceFieldRef"].map((other) => ` && !has(${env}[1].valueFrom.${other})`).join("") +
        ` && has(${ref}.name) && ${ref}.name == ${quote(password.valueFrom.secretKeyRef.name)} && has(${ref}.key) && ${ref}.key == ${quote(password.valueFrom.secretKeyRef.key)} && !has(${ref}.optional)`
    );
}

/**
 * The Redis operator's kinds in tenant namespaces (twin of the pack's `tenancy-redis-replication`): only a
 * RedisReplication, with a password, in namespaces not labelled `platform/trust: trusted` the platform's ACL file
 * without `@scripting` (components/project/redis.ts redisAclFile, from the group's password Secret), the platform's pinned images, persistence on a tenant Longhorn class kept
 * after deletion and scale-down, only the fields the platform renders (REDIS_ALLOWED_FIELDS: the operator's pods
 * run outside gVisor, so nothing of the tenant's may reach them), and clusterSize within the instance limit. Status writes (the operator's) are a subresource and not matched.
 */
export function renderRedisPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const max = args.maxDatabaseInstances ?? 3;
    const spec = "object.spec";
    const replication = (check: string) => `object.kind != 'RedisReplication' || (${check})`;
    const template = `${spec}.storage.volumeClaimTemplate`;
    const retention = `${spec}.kubernetesConfig.persistentVolumeClaimRetentionPolicy`;
    // The pack's allow-list (policy/rules/tenancy/redis-replication.ts REDIS_ALLOWED_FIELDS), level by level.
    const onlyRenderedFields = Object.entries(REDIS_ALLOWED_FIELDS)
        .map(([path, allowed]) => {
            const segments = path === "" ? [] : path.split(".");
            const at = [spec, ...segments].join(".");
            const keys = `${at}.all(k, k in ${list(allowed)})`;
            return segments.length === 0 ? keys : `(!(${hasPath(spec, segments)}) || ${keys})`;
        })
        .join(" && ");
    return policy(ADMISSION_POLICY_NAMES.redis, args, {
        matchConstraints: {
            resourceRules: [{ apiGroups: ["redis.redis.opstreelabs.in"], apiVersions: ["*"], operations: WRITE, resources: ["redis", "redisclusters", "redisreplications", "redissentinels"] }],
        },
        validations: [
            { expression: "object.kind == 'RedisReplication'", message: "tenants run Redis as the project file's redis (a RedisReplication), not as a standalone Redis, a Redis Cluster or a Sentinel group of their own", reason: "Forbidden" },
            {
                expression: replication(`has(${spec}.clusterSize) && ${spec}.clusterSize >= 1 && ${spec}.clusterSize <= ${max}`),
                message: `tenant Redis runs 1 to ${max} members (platform:tenantLimits.maxDatabaseInstances)`,
                reason: "Forbidden",
            },
            {
                expression: replication(
                    `has(${spec}.kubernetesConfig.redisSecret) && has(${spec}.kubernetesConfig.redisSecret.name) && has(${spec}.kubernetesConfig.redisSecret.key)` +
                        ` && ${spec}.kubernetesConfig.redisSecret.name == ${quote(REDIS_OPERATOR_SECRET.name)} && ${spec}.kubernetesConfig.redisSecret.key == ${quote(REDIS_OPERATOR_SECRET.key)}`,
                ),
                message: `tenant Redis takes its default user's password from the platform's Secret (kubernetesConfig.redisSecret ${REDIS_OPERATOR_SECRET.name}/${REDIS_OPERATOR_SECRET.key}, written by the grants stack)`,
                reason: "Forbidden",
            },
            {
                expression: replication(redisExporterEnvExpression(`${spec}.redisExporter`)),
                message: `tenant Redis exporters log in as their own user (redisExporter.env exactly ${JSON.stringify(REDIS_EXPORTER_ENV)}): with default's password, the exporter's /scrape endpoint would send it to any host`,
                reason: "Forbidden",
            },
            {
                expression: `!has(object.metadata.annotations) || !object.metadata.annotations.exists(k, k.lowerAscii().matches(${quote(REDIS_OPERATOR_ANNOTATION_PATTERN)}))`,
                message: "tenant Redis objects carry no opstreelabs.in annotations (skip-reconcile stops the operator applying the platform's object, recreate-statefulset deletes the StatefulSets)",
                reason: "Forbidden",
            },
            {
                expression: replication(
                    `${spec}.kubernetesConfig.image in ${list(Object.values<string>(REDIS_IMAGES.redis))}` +
                        ` && (!has(${spec}.sentinel) || !has(${spec}.sentinel.image) || ${spec}.sentinel.image in ${list(Object.values<string>(REDIS_IMAGES.sentinel))})` +
                        ` && (!has(${spec}.redisExporter) || !has(${spec}.redisExporter.image) || ${spec}.redisExporter.image == ${quote(REDIS_IMAGES.exporter)})`,
                ),
                message: "tenant Redis runs the platform's pinned Redis, Sentinel and exporter images",
                reason: "Forbidden",
            },
            {
                expression: replication(
                    `has(${spec}.storage) && has(${template}) && has(${template}.spec) && has(${template}.spec.storageClassName)` +
                        ` && ${template}.spec.storageClassName in ${list(Object.values(TENANT_STORAGE_CLASSES))} && has(${spec}.storage.keepAfterDelete) && ${spec}.storage.keepAfterDelete == true`,
                ),
                message: `tenant Redis persists on a tenant Longhorn class (${Object.values(TENANT_STORAGE_CLASSES).join(", ")}), which the nightly backup covers, and keeps its volumes after deletion`,
                reason: "Forbidden",
            },
            {
                expression: replication(
                    `has(${retention}) && has(${retention}.whenDeleted) && ${retention}.whenDeleted == 'Retain' && has(${retention}.whenScaled) && ${retention}.whenScaled == 'Retain'`,
                ),
                message: "tenant Redis keeps its members' claims when the group is deleted or scaled down (kubernetesConfig.persistentVolumeClaimRetentionPolicy Retain)",
                reason: "Forbidden",
            },
            {
                expression: replication(`${redisPlacement(spec)} && (!has(${spec}.sentinel) || ${redisPlacement(`${spec}.sentinel`)})`),
                message:
                    `tenant Redis pods (members and Sentinels) keep the platform's placement: nodeSelector ${REDIS_PLACEMENT.nodeSelectors.map((s) => JSON.stringify(s)).join(" or ")}, ` +
                    `no toleration but ${JSON.stringify(REDIS_PLACEMENT.tolerations[0])}, affinity only podAntiAffinity: they run outside gVisor and stay off platform nodes`,
                reason: "Forbidden",
            },
            {
                expression: replication(`has(${spec}.acl) && has(${spec}.acl.secret) && has(${spec}.acl.secret.secretName) && ${spec}.acl.secret.secretName == ${quote(REDIS_OPERATOR_SECRET.name)}`),
                message: `tenant Redis loads the platform's ACL file (acl.secret ${REDIS_OPERATOR_SECRET.name}): services log in as the app user, without ACL, CONFIG, MODULE or, in untrusted projects, Lua (Redis runs outside gVisor)`,
                reason: "Forbidden",
            },
            {
                expression: replication(onlyRenderedFields),
                message:
                    "tenant Redis objects carry only the fields the platform renders: the operator's pods run outside gVisor, so no probes, env, Redis or Sentinel configuration, " +
                    "init containers, sidecars, extra volumes, TLS or ACL mounts, ServiceAccounts, host ports, priority classes or Service settings of the tenant's",
                reason: "Forbidden",
            },
        ],
    });
}

/** CEL: one Percona S3 location (`s3`) is the platform's target, below the namespace's folder, with the platform's keys. */
function pxcS3Expression(s3: string, target: AdmissionPolicyArgs["databaseBackupTarget"]): string {
    const endpoint = target
        ? `${s3}.endpointUrl == ${quote(target.endpointURL)}`
        : `${s3}.endpointUrl.startsWith('https://') && !${s3}.endpointUrl.contains('.svc') && !${s3}.endpointUrl.contains('.cluster.local')`;
    const bucket = target ? `(${s3}.bucket + '/').startsWith(${quote(target.destinationPrefix.replace(/^s3:\/\//, ""))} + variables.namespace + '/')` : `variables.namespace in ${s3}.bucket.split('/')`;
    return (
        `has(${s3}.endpointUrl) && has(${s3}.bucket) && has(${s3}.credentialsSecret) && ${endpoint} && ${bucket}` +
        ` && !('/' + ${s3}.bucket + '/').contains('/../') && ${s3}.credentialsSecret == ${quote(PLATFORM_BACKUP_SECRET)} && !has(${s3}.caBundle)`
    );
}

/** CEL: a restore source (`source`, a backupSource) reads no volume or Azure, and its S3 location (when given) passes {@link pxcS3Expression}. */
function pxcSourceExpression(source: string, target: AdmissionPolicyArgs["databaseBackupTarget"], requireS3: boolean): string {
    const s3 = requireS3 ? `has(${source}.s3) && ${pxcS3Expression(`${source}.s3`, target)}` : `(!has(${source}.s3) || ${pxcS3Expression(`${source}.s3`, target)})`;
    return `!has(${source}.pvc) && !has(${source}.azure) && ${s3}`;
}

/** CEL: an exact string map `value` (has no other keys and the same values). */
function exactMapExpression(value: string, expected: Record<string, string>): string {
    return `(${value}.size() == ${Object.keys(expected).length} && ${Object.entries(expected).map(([k, v]) => `${quote(k)} in ${value} && ${value}[${quote(k)}] == ${quote(v)}`).join(" && ")})`;
}

/** CEL: the Percona pod group at `group` keeps the rendered placement of OPERATOR_PLACEMENT (twin of operatorPlacementProblems). */
function operatorPlacementExpression(group: string, affinity: AffinityShape): string {
    const selector = `has(${group}.nodeSelector) && (${OPERATOR_PLACEMENT.nodeSelectors.map((s) => exactMapExpression(`${group}.nodeSelector`, s)).join(" || ")})`;
    const tolerations = `(!has(${group}.tolerations) || size(${group}.tolerations) == 0 || (size(${group}.tolerations) == 1 && ${group}.tolerations.all(t, ${exactMapExpression("t", OPERATOR_PLACEMENT.toleration)})))`;
    const affinityOk = affinity === "operator" ? `(!has(${group}.affinity) || ${exactMapExpression(`${group}.affinity`, OPERATOR_PLACEMENT.podAffinity)})` : `!has(${group}.affinity)`;
    const runtime = `(!has(${group}.runtimeClassName) || ${group}.runtimeClassName in ${list(OPERATOR_PLACEMENT.runtimeClassNames)})`;
    const refused = OPERATOR_PLACEMENT.refusedFields.map((field) => ` && !has(${group}.${field})`).join("");
    return `(${selector} && ${tolerations} && ${affinityOk} && ${runtime}${refused})`;
}

/** The message of the placement validations: what OPERATOR_PLACEMENT allows. */
const OPERATOR_PLACEMENT_MESSAGE =
    `nodeSelector ${OPERATOR_PLACEMENT.nodeSelectors.map((s) => JSON.stringify(s)).join(" or ")}, no toleration but ${JSON.stringify(OPERATOR_PLACEMENT.toleration)}, ` +
    `affinity only ${JSON.stringify(OPERATOR_PLACEMENT.podAffinity)}, runtimeClassName unset or ${OPERATOR_PLACEMENT.runtimeClassNames.join(", ")}, no ${OPERATOR_PLACEMENT.refusedFields.join(", ")}`;

/** CEL: the schedule at `value` fires at most hourly in a Percona operator's 5-field cron (policy/lib/backup-schedule.ts). */
const perconaHourly = (value: string) => `has(${value}) && (${value} in ${list(HOURLY_OR_RARER_DESCRIPTORS)} || ${value}.matches(${quote(PERCONA_HOURLY_SCHEDULE_PATTERN)}))`;

/**
 * CEL: the operator pod group at `group` (a path whose parent exists) carries reserved labels only with the values
 * the platform renders (twin of the pack's operatorPodLabelProblems: the project's NetworkPolicies, Services and
 * the operators select pods by them) and, unless `labelsOnly`, no annotations.
 */
function operatorPodMetadataExpression(group: string, service: string, labelsOnly = false): string {
    const NAMESPACE = "\u0000namespace";
    const value = (v: string) => (v === NAMESPACE ? "variables.namespace" : quote(v));
    const allowed = Object.entries(renderedPodLabelValues(NAMESPACE, service))
        .map(([key, values]) => `(lk == ${quote(key)} && ${values.length === 1 ? `${group}.labels[lk] == ${value(values[0]!)}` : `${group}.labels[lk] in [${values.map(value).join(", ")}]`})`)
        .join(" || ");
    const labels = `(!has(${group}.labels) || ${group}.labels.all(lk, !lk.lowerAscii().matches(${quote(RESERVED_POD_LABEL_PATTERN)}) || ${allowed}))`;
    return labelsOnly ? labels : `(${labels} && !has(${group}.annotations))`;
}

/**
 * CEL: the object carries no annotation and no finalizer the Percona operators act on
 * ({@link PERCONA_METADATA_KEY_PATTERN}: a Vault wait, a forced restore, a resync, a restart marker; finalizers that
 * delete claims, Secrets or the bucket's backup files), unless its operator sends it (it writes resize, resync and
 * restart markers on its own objects) or an update keeps what the operator wrote.
 */
function noPerconaMetadataExpression(operatorUser: string): string {
    const pattern = quote(PERCONA_METADATA_KEY_PATTERN);
    const update = "request.operation == 'UPDATE' && oldObject != null";
    const keptAnnotation = `(${update} && has(oldObject.metadata.annotations) && k in oldObject.metadata.annotations && oldObject.metadata.annotations[k] == object.metadata.annotations[k])`;
    const keptFinalizer = `(${update} && has(oldObject.metadata.finalizers) && f in oldObject.metadata.finalizers)`;
    return (
        `request.userInfo.username == ${quote(operatorUser)}` +
        ` || ((!has(object.metadata.annotations) || object.metadata.annotations.all(k, !k.lowerAscii().matches(${pattern}) || ${keptAnnotation}))` +
        ` && (!has(object.metadata.finalizers) || object.metadata.finalizers.all(f, !f.lowerAscii().matches(${pattern}) || ${keptFinalizer})))`
    );
}

/**
 * Percona XtraDB Cluster objects in tenant namespaces (twin of the pack's `tenancy-mysql-cluster`): a cluster
 * backs up to the platform's off-cluster target below the namespace's folder with the platform-written keys,
 * runs only the platform's images where the keys are (XtraBackup, the operator's init image), puts no tenant
 * container, environment or volume into the operator's pods (the pod policy lets the operator's pods read the
 * backup Secret), keeps TLS, and stays within the node limit; a restore reads only the project's own backups.
 */
export function renderMysqlPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const max = args.maxDatabaseInstances ?? 3;
    const target = args.databaseBackupTarget && args.databaseBackupTarget.endpointURL !== "" ? args.databaseBackupTarget : undefined;
    const cluster = (expression: string) => `object.kind != 'PerconaXtraDBCluster' || (${expression})`;
    const restore = (expression: string) => `object.kind != 'PerconaXtraDBClusterRestore' || (${expression})`;
    const storage = "object.spec.backup.storages[k]";
    const noInjection = ["pxc", "haproxy", "proxysql"].map((part) => `(!has(object.spec.${part}) || (${PXC_INJECTION_FIELDS.map((f) => `!has(object.spec.${part}.${f})`).join(" && ")}))`).join(" && ");
    const destination = "object.spec.backupSource.destination";
    const destinationCheck = target ? `${destination}.startsWith(${quote(target.destinationPrefix)} + variables.namespace + '/')` : `variables.namespace in ${destination}.split('/')`;
    return policy(ADMISSION_POLICY_NAMES.mysql, args, {
        matchConstraints: {
            resourceRules: [{ apiGroups: ["pxc.percona.com"], apiVersions: ["*"], operations: WRITE, resources: ["perconaxtradbclusters", "perconaxtradbclusterrestores", "perconaxtradbclusterbackups"] }],
        },
        variables: [{ name: "namespace", expression: "has(namespaceObject.metadata.name) ? namespaceObject.metadata.name : object.metadata.namespace" }],
        validations: [
            {
                expression: noPerconaMetadataExpression(PXC_OPERATOR_USER),
                message: "tenant MySQL clusters, restores and backups carry no percona.com annotation or finalizer (issue-vault-token, unsafe-pitr, pvc-resize-in-progress; delete-pxc-pvc, delete-backup delete claims, Secrets or backup files)",
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    ["pxc", "haproxy", "proxysql"].map((part) => `(!has(object.spec.${part}) || ${operatorPodMetadataExpression(`object.spec.${part}`, DATABASE_POD_SERVICE.mysql)})`).join(" && ") +
                        ` && (!has(object.spec.backup) || (!has(object.spec.backup.annotations) && (!has(object.spec.backup.storages) || object.spec.backup.storages.all(k, ${operatorPodMetadataExpression("object.spec.backup.storages[k]", DATABASE_POD_SERVICE.mysql)}))))`,
                ),
                message: "tenant MySQL pods (nodes, HAProxy, backup Jobs) carry only the platform's own values of platform/, app.kubernetes.io/, percona.com/ and kubernetes.io/ labels, and no annotations: the project's NetworkPolicies select pods by them",
                reason: "Forbidden",
            },
            {
                expression: cluster(`!has(object.spec.backup) || !has(object.spec.backup.schedule) || object.spec.backup.schedule.all(e, ${perconaHourly("e.schedule")})`),
                message: `tenant MySQL backups run at most hourly: a fixed minute (5-field cron) or one of ${HOURLY_OR_RARER_DESCRIPTORS.join(", ")} (the operator panics on @every)`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `has(object.spec.backup) && has(object.spec.backup.storages) && size(object.spec.backup.storages) > 0 && object.spec.backup.storages.all(k, ` +
                        `${storage}.type == 's3' && (!has(${storage}.verifyTLS) || ${storage}.verifyTLS == true) && !has(${storage}.containerOptions) && has(${storage}.s3) && ${pxcS3Expression(`${storage}.s3`, target)})` +
                        ` && has(object.spec.backup.schedule) && size(object.spec.backup.schedule) > 0`,
                ),
                message: `tenant MySQL clusters back up on a schedule to the platform's off-cluster target${target ? ` (${target.endpointURL}, ${target.destinationPrefix}<namespace>/)` : ""} below their own namespace's folder, with the Secret ${PLATFORM_BACKUP_SECRET}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(`object.metadata.name.matches(${quote(PXC_CLUSTER_NAME_PATTERN)})`),
                message: "tenant MySQL clusters are named database or database-g<N>: the operator names its system-user, TLS and environment Secrets after the cluster, and only those names are kept from tenant pods",
                reason: "Forbidden",
            },
            {
                expression: cluster("!has(object.spec.pxc) || !has(object.spec.pxc.replicationChannels)"),
                message: "tenant MySQL clusters replicate to or from no server of their own (pxc.replicationChannels)",
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `(!has(object.spec.backup) || !has(object.spec.backup.image) || object.spec.backup.image in ${list(PXC_KEY_HOLDING_IMAGES.backup)})` +
                        ` && (!has(object.spec.initContainer) || !has(object.spec.initContainer.image) || object.spec.initContainer.image in ${list(PXC_KEY_HOLDING_IMAGES.init)})` +
                        ` && (!has(object.spec.initImage) || object.spec.initImage in ${list(PXC_KEY_HOLDING_IMAGES.init)})`,
                ),
                message: "tenant MySQL clusters run the platform's XtraBackup and init images (they hold or prepare the backup keys)",
                reason: "Forbidden",
            },
            {
                expression: cluster(noInjection),
                message: `tenant MySQL clusters put no containers, environment or volumes of their own into the operator's pods (${PXC_INJECTION_FIELDS.join(", ")})`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `!has(object.spec.users) || object.spec.users.all(u, u.name == ${quote(PXC_USER_NAME)} && has(u.dbs) && size(u.dbs) > 0 && u.dbs.all(d, d.matches(${quote(PXC_USER_PINS.dbPattern)}) && !(d.lowerAscii() in ${list(MYSQL_SYSTEM_SCHEMAS)}))` +
                        // grants and hosts go into the operator's SQL as they are (users_custom.go): exactly the rendered values.
                        ` && has(u.grants) && u.grants == ${list([...PXC_USER_PINS.grants])} && (!has(u.withGrantOption) || u.withGrantOption == false)` +
                        ` && (!has(u.hosts) || u.hosts == ${list([...PXC_USER_PINS.hosts])})` +
                        ` && has(u.passwordSecretRef) && has(u.passwordSecretRef.name) && u.passwordSecretRef.name == ${quote(PXC_USER_PASSWORD_SECRET)})`,
                ),
                message: `tenant MySQL users are ${PXC_USER_NAME} (never a system user), get ${PXC_USER_PINS.grants.join(", ")} (no grant option) from host ${PXC_USER_PINS.hosts.join(", ")} on plain-named databases only (dbs, never a system schema or a pattern), with their password from ${PXC_USER_PASSWORD_SECRET}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `has(object.spec.pxc) && ${operatorPlacementExpression("object.spec.pxc", "operator")}` +
                        ` && (!has(object.spec.haproxy) || (has(object.spec.haproxy.enabled) && object.spec.haproxy.enabled == false) || ${operatorPlacementExpression("object.spec.haproxy", "operator")})` +
                        ` && (!has(object.spec.backup) || !has(object.spec.backup.storages) || object.spec.backup.storages.all(k, ${operatorPlacementExpression("object.spec.backup.storages[k]", "core")}))`,
                ),
                message: `tenant MySQL pods (nodes, HAProxy, backup Jobs) keep the platform's placement: ${OPERATOR_PLACEMENT_MESSAGE}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `!has(object.spec.upgradeOptions) || ((!has(object.spec.upgradeOptions.apply) || object.spec.upgradeOptions.apply.lowerAscii() in ${list(PXC_UPGRADE_OFF)}) && !has(object.spec.upgradeOptions.versionServiceEndpoint))`,
                ),
                message: `tenant MySQL clusters never ask a version service for images (upgradeOptions.apply ${PXC_UPGRADE_OFF.join(" or ")}, no versionServiceEndpoint)`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `(!has(object.spec.pxc) || !has(object.spec.pxc.image) || object.spec.pxc.image in ${list(PXC_RUNTIME_IMAGES.pxc)})` +
                        ` && (!has(object.spec.haproxy) || !has(object.spec.haproxy.image) || object.spec.haproxy.image in ${list(PXC_RUNTIME_IMAGES.haproxy)})` +
                        PXC_DISABLED_PARTS.map((part) => ` && (!has(object.spec.${part}) || !has(object.spec.${part}.enabled) || object.spec.${part}.enabled == false)`).join(""),
                ),
                message: `tenant MySQL clusters run the platform's pinned node and HAProxy images, without ${PXC_DISABLED_PARTS.join(", ")}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    ["pxc", "haproxy", "proxysql"]
                        .map(
                            (part) =>
                                `(!has(object.spec.${part}) || ((!has(object.spec.${part}.serviceAccountName) || object.spec.${part}.serviceAccountName == ${quote(PXC_POD_SERVICE_ACCOUNT)})` +
                                ` && (!has(object.spec.${part}.configuration)${part === "pxc" ? ` || object.spec.pxc.configuration == ${quote(PXC_SANDBOX_CONFIGURATION)}` : ""})))`,
                        )
                        .join(" && ") +
                        ` && (!has(object.spec.backup) || !has(object.spec.backup.serviceAccountName) || object.spec.backup.serviceAccountName == ${quote(PXC_POD_SERVICE_ACCOUNT)})` +
                        " && (!has(object.spec.secretsName) || object.spec.secretsName == object.metadata.name + '-secrets')" +
                        PXC_SECRET_NAME_FIELDS.map((field) => ` && !has(object.spec.${field})`).join(""),
                ),
                message: `tenant MySQL pods run as ${PXC_POD_SERVICE_ACCOUNT} with the platform's configuration, and mount only the Secrets the operator names after the cluster (<cluster>-secrets, no ${PXC_SECRET_NAME_FIELDS.join(", ")})`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    "!(has(object.spec.tls) && has(object.spec.tls.enabled) && object.spec.tls.enabled == false) && !(has(object.spec.unsafeFlags) && has(object.spec.unsafeFlags.tls) && object.spec.unsafeFlags.tls == true)",
                ),
                message: "tenant MySQL clusters keep TLS on",
                reason: "Forbidden",
            },
            {
                expression: cluster(`has(object.spec.pxc) && has(object.spec.pxc.size) && object.spec.pxc.size >= 1 && object.spec.pxc.size <= ${max}`),
                message: `tenant MySQL clusters run 1 to ${max} nodes (platform:tenantLimits.maxDatabaseInstances)`,
                reason: "Forbidden",
            },
            {
                expression: restore(
                    `(!has(object.spec.backupSource) || (has(${destination}) && ${destinationCheck} && !${destination}.contains('/../') && ${pxcSourceExpression("object.spec.backupSource", target, true)}` +
                        ["image", "sslSecretName", "sslInternalSecretName", "vaultSecretName"].map((field) => ` && !has(object.spec.backupSource.${field})`).join("") +
                        "))" +
                        " && (!has(object.spec.pitr) || !has(object.spec.pitr.backupSource) || (" +
                        pxcSourceExpression("object.spec.pitr.backupSource", target, false) +
                        ")) && !has(object.spec.containerOptions)",
                ),
                message: "tenant MySQL restores read only their own project's backups on the platform's target, with the platform's keys and no container options",
                reason: "Forbidden",
            },
        ],
    });
}

/** CEL: one PBM S3 location (`s3`: bucket plus prefix) is the platform's bucket, below the namespace's folder, with the platform's keys. */
function psmdbS3Expression(s3: string, target: AdmissionPolicyArgs["databaseBackupTarget"]): string {
    const endpoint = target
        ? `${s3}.endpointUrl == ${quote(target.endpointURL)}`
        : `${s3}.endpointUrl.startsWith('https://') && !${s3}.endpointUrl.contains('.svc') && !${s3}.endpointUrl.contains('.cluster.local')`;
    let location = `variables.namespace in ${s3}.prefix.split('/')`;
    if (target) {
        const [bucket = "", ...folder] = target.destinationPrefix.replace(/^s3:\/\//, "").split("/");
        const base = folder.filter(Boolean).join("/");
        location = `${s3}.bucket == ${quote(bucket)} && (${s3}.prefix + '/').startsWith(${base ? `${quote(`${base}/`)} + ` : ""}variables.namespace + '/')`;
    }
    return (
        `has(${s3}.endpointUrl) && has(${s3}.bucket) && has(${s3}.prefix) && has(${s3}.credentialsSecret) && ${endpoint} && !${s3}.bucket.contains('/') && ${location}` +
        ` && !('/' + ${s3}.prefix + '/').contains('/../') && ${s3}.credentialsSecret == ${quote(PLATFORM_BACKUP_SECRET)} && !has(${s3}.caBundle)` +
        ` && (!has(${s3}.insecureSkipTLSVerify) || ${s3}.insecureSkipTLSVerify == false)`
    );
}

const OTHER_PBM_STORAGES = ["minio", "gcs", "azure", "filesystem"];

/**
 * Percona Server for MongoDB objects in tenant namespaces (twin of the pack's `tenancy-mongodb-cluster`): a replica
 * set backs up to the platform's off-cluster target below the namespace's folder with the platform-written keys,
 * runs only the platform's pinned images and never asks a version service, puts nothing of the tenant's into the
 * operator's pods (only the platform's exporter as a sidecar), mounts only the Secrets the operator names after the
 * cluster, gives its users roles on their own databases, and stays within the member limit; a restore reads only
 * the project's own backups.
 */
export function renderMongodbPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const max = args.maxDatabaseInstances ?? 3;
    const target = args.databaseBackupTarget && args.databaseBackupTarget.endpointURL !== "" ? args.databaseBackupTarget : undefined;
    const cluster = (expression: string) => `object.kind != 'PerconaServerMongoDB' || (${expression})`;
    const restore = (expression: string) => `object.kind != 'PerconaServerMongoDBRestore' || (${expression})`;
    const storage = "object.spec.backup.storages[k]";
    const noOtherStorage = (base: string) => OTHER_PBM_STORAGES.map((other) => `!has(${base}.${other})`).join(" && ");
    const destination = "object.spec.backupSource.destination";
    const destinationCheck = target ? `${destination}.startsWith(${quote(target.destinationPrefix)} + variables.namespace + '/')` : `variables.namespace in ${destination}.split('/')`;
    const noExecProbe = (c: string) => ["livenessProbe", "readinessProbe", "startupProbe"].map((probe) => `(!has(${c}.${probe}) || !has(${c}.${probe}.exec))`).join(" && ");
    const exporterOnly =
        `c.name == ${quote(PSMDB_EXPORTER_SIDECAR)} && has(c.image) && c.image in ${list(PSMDB_PINNED_IMAGES.exporter)}` +
        ["command", "lifecycle", "volumeMounts", "volumeDevices", "envFrom"].map((field) => ` && !has(c.${field})`).join("") +
        ` && ${noExecProbe("c")}` +
        ` && has(c.args) && c.args == ${list([...PSMDB_EXPORTER_ARGS])}` +
        // The environment field by field (the clusterMonitor system user from <cluster>-users, psmdbExporterEnv), never a plain value.
        ` && has(c.env) && size(c.env) == 2` +
        psmdbExporterEnv("CLUSTER")
            .map(
                (env, i) =>
                    ` && c.env[${i}].name == ${quote(env.name)} && !has(c.env[${i}].value) && has(c.env[${i}].valueFrom) && has(c.env[${i}].valueFrom.secretKeyRef)` +
                    ` && has(c.env[${i}].valueFrom.secretKeyRef.name) && c.env[${i}].valueFrom.secretKeyRef.name == object.metadata.name + '-users'` +
                    ` && has(c.env[${i}].valueFrom.secretKeyRef.key) && c.env[${i}].valueFrom.secretKeyRef.key == ${quote(env.valueFrom.secretKeyRef.key)}`,
            )
            .join("");
    const role =
        `!(r.db in ${list(MONGODB_SYSTEM_DATABASES)}) && r.name in ${list(PSMDB_TENANT_ROLES)}`;
    return policy(ADMISSION_POLICY_NAMES.mongodb, args, {
        matchConstraints: {
            resourceRules: [{ apiGroups: ["psmdb.percona.com"], apiVersions: ["*"], operations: WRITE, resources: ["perconaservermongodbs", "perconaservermongodbrestores", "perconaservermongodbbackups"] }],
        },
        variables: [{ name: "namespace", expression: "has(namespaceObject.metadata.name) ? namespaceObject.metadata.name : object.metadata.namespace" }],
        validations: [
            {
                expression: noPerconaMetadataExpression(PSMDB_OPERATOR_USER),
                message: "tenant MongoDB replica sets, restores and backups carry no percona.com annotation or finalizer (resync-pbm, preserved-restarted-at, update-mongos-first; delete-psmdb-pvc, delete-pitr-chunks, delete-backup delete claims or backup files)",
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `(!has(object.spec.replsets) || object.spec.replsets.all(r, ${operatorPodMetadataExpression("r", DATABASE_POD_SERVICE.mongodb)}` +
                        ["nonvoting", "hidden", "arbiter"].map((member) => ` && (!has(r.${member}) || ${operatorPodMetadataExpression(`r.${member}`, DATABASE_POD_SERVICE.mongodb)})`).join("") +
                        `)) && (!has(object.spec.backup) || ${operatorPodMetadataExpression("object.spec.backup", DATABASE_POD_SERVICE.mongodb)})`,
                ),
                message: "tenant MongoDB pods (members, backup and restore pods) carry only the platform's own values of platform/, app.kubernetes.io/, percona.com/ and kubernetes.io/ labels, and no annotations: the project's NetworkPolicies select pods by them",
                reason: "Forbidden",
            },
            {
                expression: cluster(`!has(object.spec.backup) || !has(object.spec.backup.tasks) || object.spec.backup.tasks.all(t, ${perconaHourly("t.schedule")})`),
                message: `tenant MongoDB backups run at most hourly: a fixed minute (5-field cron) or one of ${HOURLY_OR_RARER_DESCRIPTORS.join(", ")}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    "has(object.spec.backup) && has(object.spec.backup.enabled) && object.spec.backup.enabled == true && has(object.spec.backup.storages) && size(object.spec.backup.storages) > 0" +
                        ` && object.spec.backup.storages.all(k, ${storage}.type == 's3' && ${noOtherStorage(storage)} && has(${storage}.s3) && ${psmdbS3Expression(`${storage}.s3`, target)})`,
                ),
                message: `tenant MongoDB replica sets back up to the platform's off-cluster target${target ? ` (${target.endpointURL}, ${target.destinationPrefix}<namespace>/)` : ""} below their own namespace's folder, with the Secret ${PLATFORM_BACKUP_SECRET}`,
                reason: "Forbidden",
            },
            {
                expression: cluster(`object.metadata.name.matches(${quote(PSMDB_CLUSTER_NAME_PATTERN)})`),
                message: "tenant MongoDB replica sets are named mongodb or mongodb-g<N>: the operator names its system-user and key Secrets after the cluster, and only those names are kept from tenant pods",
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `has(object.spec.image) && object.spec.image in ${list(PSMDB_PINNED_IMAGES.mongod)}` +
                        ` && (!has(object.spec.initImage) || object.spec.initImage in ${list(PSMDB_PINNED_IMAGES.init)})` +
                        ` && (!has(object.spec.backup) || !has(object.spec.backup.image) || object.spec.backup.image in ${list(PSMDB_PINNED_IMAGES.backup)})` +
                        ` && (!has(object.spec.upgradeOptions) || ((!has(object.spec.upgradeOptions.apply) || object.spec.upgradeOptions.apply.lowerAscii() in ${list(PSMDB_UPGRADE_OFF)}) && !has(object.spec.upgradeOptions.versionServiceEndpoint)))`,
                ),
                message: `tenant MongoDB replica sets run the platform's pinned mongod, init and backup-agent images and never ask a version service (upgradeOptions.apply ${PSMDB_UPGRADE_OFF.join(" or ")})`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    PSMDB_DISABLED_PARTS.map((part) => `(!has(object.spec.${part}) || !has(object.spec.${part}.enabled) || object.spec.${part}.enabled == false)`).join(" && ") +
                        " && !has(object.spec.vault) && !has(object.spec.roles)" +
                        " && (!has(object.spec.secrets) || ((!has(object.spec.secrets.users) || object.spec.secrets.users == object.metadata.name + '-users')" +
                        PSMDB_SECRET_NAME_FIELDS.map((field) => ` && !has(object.spec.secrets.${field})`).join("") +
                        "))" +
                        PSMDB_BACKUP_INJECTION_FIELDS.map((field) => ` && (!has(object.spec.backup) || !has(object.spec.backup.${field}))`).join(""),
                ),
                message: `tenant MongoDB replica sets run without ${PSMDB_DISABLED_PARTS.join(", ")}, Vault or custom roles, mount only the Secrets the operator names after the cluster (<cluster>-users), and the backup agents carry nothing of the tenant's (${PSMDB_BACKUP_INJECTION_FIELDS.join(", ")})`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `!has(object.spec.users) || object.spec.users.all(u, u.name == ${quote(PSMDB_USER.name)} && has(u.db) && u.db == ${quote(PSMDB_USER.db)}` +
                        ` && has(u.passwordSecretRef) && has(u.passwordSecretRef.name) && u.passwordSecretRef.name == ${quote(PSMDB_USER_PASSWORD_SECRET)}` +
                        ` && (!has(u.roles) || u.roles.all(r, ${role})))`,
                ),
                message: `tenant MongoDB users are ${PSMDB_USER.name}@${PSMDB_USER.db} (never a system user), take their passwords from ${PSMDB_USER_PASSWORD_SECRET} and hold ${PSMDB_TENANT_ROLES.join(", ")} on their own databases only (no monitoring roles: clusterMonitor and read on local reach PBM's configuration with the bucket keys through the oplog)`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `has(object.spec.replsets) && size(object.spec.replsets) > 0 && object.spec.replsets.all(r, has(r.size) && r.size >= 1 && r.size <= ${max}` +
                        PSMDB_REPLSET_INJECTION_FIELDS.map((field) => ` && !has(r.${field})`).join("") +
                        PSMDB_EXTRA_MEMBERS.map((member) => ` && (!has(r.${member}) || !has(r.${member}.enabled) || r.${member}.enabled == false)`).join("") +
                        ` && (!has(r.sidecars) || r.sidecars.all(c, ${exporterOnly})))`,
                ),
                message: `tenant MongoDB replica sets run 1 to ${max} members (platform:tenantLimits.maxDatabaseInstances) with nothing of the tenant's in their pods: only the platform's exporter sidecar, no ${PSMDB_REPLSET_INJECTION_FIELDS.join(", ")}, no ${PSMDB_EXTRA_MEMBERS.join("/")} members`,
                reason: "Forbidden",
            },
            {
                expression: cluster(
                    `!has(object.spec.schedulerName)` +
                        ` && (!has(object.spec.backup) || !has(object.spec.backup.runtimeClassName) || object.spec.backup.runtimeClassName in ${list(OPERATOR_PLACEMENT.runtimeClassNames)})` +
                        ` && (!has(object.spec.replsets) || object.spec.replsets.all(r, ${operatorPlacementExpression("r", "operator")}))`,
                ),
                message: `tenant MongoDB pods (members, restores) keep the platform's placement: ${OPERATOR_PLACEMENT_MESSAGE}`,
                reason: "Forbidden",
            },
            {
                expression: restore(
                    `!has(object.spec.backupSource) || (${noOtherStorage("object.spec.backupSource")} && has(${destination}) && ${destinationCheck} && !${destination}.contains('/../')` +
                        ` && has(object.spec.backupSource.s3) && ${psmdbS3Expression("object.spec.backupSource.s3", target)})`,
                ),
                message: "tenant MongoDB restores read only their own project's backups on the platform's target, with the platform's keys",
                reason: "Forbidden",
            },
        ],
    });
}

/** Who writes which operator's Secrets ({@link OPERATOR_SECRET_PATTERNS}). */
const SECRET_WRITERS: ReadonlyArray<readonly [string, DatabaseOperator]> = [
    [CNPG_OPERATOR_USER, "cnpg"],
    [PXC_OPERATOR_USER, "pxc"],
    [PSMDB_OPERATOR_USER, "psmdb"],
];

/**
 * Secrets in tenant namespaces (twin of the pack's `tenancy-no-operator-secrets`): only the CloudNativePG, MySQL and MongoDB
 * operators write the Secrets they keep for themselves, each only its own ({@link OPERATOR_INTERNAL_SECRET_PATTERN}). A tenant writer
 * (the app stack's deployer, a git source, kubectl) that wrote one first or edited it would choose the system users'
 * passwords the operators sync (MongoDB's backup user reads PBM's configuration with the bucket keys) or the MySQL
 * nodes' environment (`<cluster>-env-vars-pxc`). Nor do they write the platform's own Secrets in their namespace
 * ({@link PLATFORM_WRITTEN_SECRETS}: only the admin credentials' group does).
 */
export function renderSecretPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    return policy(ADMISSION_POLICY_NAMES.secrets, args, {
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: WRITE, resources: ["secrets"] }] },
        validations: [
            {
                // Each operator only its own names: one operator's ServiceAccount writing another's would choose that engine's system passwords.
                expression:
                    `!has(object.metadata.name) || !object.metadata.name.matches(${quote(OPERATOR_INTERNAL_SECRET_PATTERN)})` +
                    SECRET_WRITERS.map(([user, operator]) => ` || (request.userInfo.username == ${quote(user)} && object.metadata.name.matches(${quote(OPERATOR_SECRET_PATTERNS[operator])}))`).join("") +
                    // The Percona operators' Certificates: cert-manager's controller writes their Secrets, and only those.
                    ` || (request.userInfo.username == ${quote(CERT_MANAGER_USER)} && object.metadata.name.matches(${quote(CERT_MANAGER_TLS_SECRET_PATTERN)}))`,
                message:
                    "only each database operator writes the Secrets it keeps for itself: CloudNativePG <cluster>-superuser, -replication, -ca, -server, -pull-secret; " +
                    "the MySQL operator <cluster>-secrets, internal-<cluster>, <cluster>-env-vars-*, -ssl*, -ca-cert, -mysql-init; the MongoDB operator <cluster>-users, internal-<cluster>-users, keyfiles, -ssl*, -ca-cert " +
                    "(the Percona clusters' -ssl, -ssl-internal and -ca-cert also cert-manager, which issues them)",
                reason: "Forbidden",
            },
            {
                expression: `(has(request.userInfo.groups) && ${quote(PLATFORM_WRITER_GROUP)} in request.userInfo.groups) || !has(object.metadata.name) || !(object.metadata.name in ${list([...PLATFORM_WRITTEN_SECRETS])})`,
                message: `only the platform writes ${PLATFORM_WRITTEN_SECRETS.join(", ")} (the backup and bucket keys, the Redis users and ACL file): a tenant copy would break the project's backups, bucket or Redis, or choose the Redis ACL`,
                reason: "Forbidden",
            },
        ],
    });
}


/** Argument values a tenant Rollout may pass to the platform templates: DNS labels and plain numbers, nothing that ends a PromQL string. */
export const ANALYSIS_ARG_VALUE_PATTERN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

const { count: COUNT_BOUNDS, intervalSeconds: INTERVAL_BOUNDS } = ANALYSIS_CADENCE_BOUNDS;

/**
 * The cadence a tenant may ask of the shared Prometheus, as the tenant schema bounds it
 * ({@link ANALYSIS_CADENCE_BOUNDS}): without it a Rollout written by hand (git sync) could measure every
 * millisecond. Argo Rollouts reads `count` as an integer and `interval` as a Go duration; the platform templates
 * take them as strings, so only plain decimal integers (and seconds) pass, then their value is compared.
 */
export const ANALYSIS_CADENCE_CHECKS = {
    count: (value: string) =>
        `${value}.matches('^[1-9][0-9]{0,3}$') && int(${value}) >= ${COUNT_BOUNDS.min} && int(${value}) <= ${COUNT_BOUNDS.max}`,
    interval: (value: string) => {
        const seconds = `int(${value}.substring(0, size(${value}) - 1))`;
        return `${value}.matches('^[1-9][0-9]{0,3}s$') && ${seconds} >= ${INTERVAL_BOUNDS.min} && ${seconds} <= ${INTERVAL_BOUNDS.max}`;
    },
} as const;

/**
 * Blue/green analysis keeps the tenant boundary: a tenant's release is judged only by the platform's
 * ClusterAnalysisTemplates (components/argo-rollouts/analysis.ts), always for its own namespace. No tenant
 * object defines analysis (AnalysisTemplate, AnalysisRun, Experiment: only the Rollouts controller creates runs,
 * from the Rollout), so no query or provider address is ever the tenant's; a Rollout is blue/green, names only
 * the platform templates (`clusterScope: true`), passes `namespace` only as `fieldRef: metadata.namespace`, and
 * plain argument values only.
 */
export function renderAnalysisPolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const blueGreen = "object.spec.strategy.blueGreen";
    // Each of the two analysis hooks of a blue/green Rollout, checked on its own (`a` is the hook's path).
    const eachHook = (check: (a: string) => string) =>
        ["prePromotionAnalysis", "postPromotionAnalysis"].map((hook) => `(!has(${blueGreen}.${hook}) || (${check(`${blueGreen}.${hook}`)}))`).join(" && ");
    const onlyPlatformTemplates = (a: string) =>
        `has(${a}.templates) && ${a}.templates.all(t, has(t.clusterScope) && t.clusterScope == true && t.templateName in ${list(Object.values(ANALYSIS_TEMPLATES))})`;
    const ownNamespaceAndPlainValues = (a: string) =>
        `!has(${a}.args) || ${a}.args.all(g, ` +
        `(g.name == ${quote(ANALYSIS_ARGS.namespace)} ? (!has(g.value) && has(g.valueFrom) && has(g.valueFrom.fieldRef) && g.valueFrom.fieldRef.fieldPath == 'metadata.namespace')` +
        ` : g.name == ${quote(ANALYSIS_ARGS.service)} ? (!has(g.value) && has(g.valueFrom) && has(g.valueFrom.fieldRef) && g.valueFrom.fieldRef.fieldPath == 'metadata.name')` +
        ` : (!has(g.valueFrom) || !has(g.valueFrom.fieldRef))) && (!has(g.value) || g.value.matches(${quote(ANALYSIS_ARG_VALUE_PATTERN)}))` +
        ` && (g.name != ${quote(ANALYSIS_ARGS.count)} || (has(g.value) && ${ANALYSIS_CADENCE_CHECKS.count("g.value")}))` +
        ` && (g.name != ${quote(ANALYSIS_ARGS.interval)} || (has(g.value) && ${ANALYSIS_CADENCE_CHECKS.interval("g.value")})))`;
    const isBlueGreen = "has(object.spec.strategy) && has(object.spec.strategy.blueGreen) && !has(object.spec.strategy.canary)";
    return policy(ADMISSION_POLICY_NAMES.analysis, args, {
        matchConstraints: {
            resourceRules: [{ apiGroups: ["argoproj.io"], apiVersions: ["*"], operations: WRITE, resources: ["rollouts", "analysistemplates", "analysisruns", "experiments"] }],
        },
        validations: [
            {
                expression: `object.kind == 'Rollout' || (object.kind in ['AnalysisRun', 'Experiment'] && request.userInfo.username == ${quote(ROLLOUTS_CONTROLLER_USER)})`,
                message: "tenants do not define analysis: a blue/green release is judged by the platform's templates (strategy: blueGreen in the project file)",
                reason: "Forbidden",
            },
            { expression: `object.kind != 'Rollout' || (${isBlueGreen})`, message: "tenant Rollouts release blue/green only", reason: "Forbidden" },
            {
                expression: `object.kind != 'Rollout' || !(${isBlueGreen}) || (${eachHook(onlyPlatformTemplates)})`,
                message: `tenant Rollouts use only the platform's analysis templates (${Object.values(ANALYSIS_TEMPLATES).join(", ")}, clusterScope: true)`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'Rollout' || !(${isBlueGreen}) || (${eachHook(ownNamespaceAndPlainValues)})`,
                message: `a tenant Rollout passes its own namespace and name (valueFrom.fieldRef: metadata.namespace, metadata.name), plain values (${ANALYSIS_ARG_VALUE_PATTERN}) and a cadence within count ${COUNT_BOUNDS.min}–${COUNT_BOUNDS.max}, interval ${INTERVAL_BOUNDS.min}s–${INTERVAL_BOUNDS.max}s to the analysis`,
                reason: "Forbidden",
            },
        ],
    });
}

/**
 * Who binds a claim to its volume (sets `spec.volumeName` on an unbound claim): the PV controller, as its own
 * ServiceAccount (k3s runs kube-controller-manager with `use-service-account-credentials=true`, see
 * components/project/sandbox.ts; the controller's account is `persistent-volume-binder`, kubernetes
 * cmd/kube-controller-manager/app/core.go startPersistentVolumeBinderController).
 */
export const PV_CONTROLLER_USER = "system:serviceaccount:kube-system:persistent-volume-binder";

/** CEL: the metadata `meta` of a claim or claim template carries no class-choosing annotation (CLAIM_CLASS_ANNOTATIONS). */
function noClassAnnotation(meta: string): string {
    return `(!has(${meta}.annotations) || ${list(CLAIM_CLASS_ANNOTATIONS)}.all(a, !(a in ${meta}.annotations)))`;
}

/** CEL: a claim spec `spec` of a template binds no existing volume and is filled from no other namespace (CLAIM_BINDING_FIELDS). */
function noVolumeChoice(spec: string): string {
    return `(${CLAIM_BINDING_FIELDS.map((field) => `!has(${spec}.${field})`).join(" && ")} && (!has(${spec}.dataSourceRef) || !has(${spec}.dataSourceRef.namespace)))`;
}

/** CEL: a claim template `t` (metadata + spec) chooses neither class nor volume past the class field. */
function plainClaimTemplate(t: string): string {
    return `((!has(${t}.metadata) || ${noClassAnnotation(`${t}.metadata`)}) && (!has(${t}.spec) || ${noVolumeChoice(`${t}.spec`)}))`;
}

/** CEL: the ephemeral volumes of pod spec `pod` have plain claim templates. */
function plainEphemeralVolumes(pod: string): string {
    return `(!has(${pod}.volumes) || ${pod}.volumes.all(v, !has(v.ephemeral) || !has(v.ephemeral.volumeClaimTemplate) || ${plainClaimTemplate("v.ephemeral.volumeClaimTemplate")}))`;
}

/**
 * Claims in tenant namespaces (twin of the pack's `tenancy-restore-storage-class`): a claim names a class starting
 * with `restore` only when it is its own namespace's restore class, `restore.<namespace>.<claim>` (lib/conventions.ts
 * RESTORE_STORAGE_CLASS). Restore classes are cluster-scoped and carry a project's Longhorn backup; without this,
 * any writer of claims in any tenant namespace (the tenant stack, an Argo CD sync of the tenant's repository,
 * a StatefulSet's claim template, an operator) could fill a volume with another project's backup.
 *
 * No claim chooses its class or volume past that check either: no class annotation (CLAIM_CLASS_ANNOTATIONS:
 * Kubernetes reads `volume.beta.kubernetes.io/storage-class` before `spec.storageClassName`), no `selector`, no
 * cross-namespace `dataSourceRef`, and `volumeName` only as the PV controller binds the claim
 * ({@link PV_CONTROLLER_USER}) (CLAIM_BINDING_FIELDS). Every claim in a tenant namespace passes here, whoever
 * creates it (the StatefulSet controller from a claim template, the ephemeral-volume controller from a pod's
 * ephemeral volume, a database operator from its CR), so this is the check that holds; the same is refused
 * earlier on StatefulSet claim templates, pods' ephemeral volumes, CloudNativePG's `inheritedMetadata` (copied
 * onto its claims) and the Percona MongoDB claim annotations, so a bad template fails at apply, not as a pending
 * claim. (The Redis claim template takes only storageClassName, accessModes and resources: REDIS_ALLOWED_FIELDS.)
 *
 * A ValidatingAdmissionPolicy cannot read the StorageClass a claim names (Kubernetes 1.31, the stacks' k3s: CEL
 * sees `object`, `oldObject`, `request`, `namespaceObject`, `params` and `authorizer`; `paramKind` params come
 * from the binding's `paramRef`, one fixed name or selector per binding, not from a field of the object), so the
 * owner is read from the class's name, which no two projects share. An update that keeps the class is admitted
 * (the class was checked at creation, and the PV controller must keep updating existing claims); one that sets
 * a class on a claim without one (allowed by the API for a claim without a class) is checked.
 */
export function renderVolumePolicy(args: AdmissionPolicyArgs): AdmissionPolicyPair {
    const claimClass = "object.spec.storageClassName";
    const isClaim = "object.kind == 'PersistentVolumeClaim'";
    const update = "request.operation == 'UPDATE' && oldObject != null";
    const keptAnnotations =
        `${CLAIM_CLASS_ANNOTATIONS.map((a) => quote(a)).map(
            (a) =>
                `(!has(object.metadata.annotations) || !(${a} in object.metadata.annotations) || (${update} && has(oldObject.metadata.annotations) && ${a} in oldObject.metadata.annotations && oldObject.metadata.annotations[${a}] == object.metadata.annotations[${a}]))`,
        ).join(" && ")}`;
    const psmdbSets = "object.spec.replsets.all(r, (!has(r.volumeSpec) || !has(r.volumeSpec.persistentVolumeClaim) || " +
        `${noClassAnnotation("r.volumeSpec.persistentVolumeClaim")})` +
        ["nonvoting", "hidden"].map((member) => ` && (!has(r.${member}) || !has(r.${member}.volumeSpec) || !has(r.${member}.volumeSpec.persistentVolumeClaim) || ${noClassAnnotation(`r.${member}.volumeSpec.persistentVolumeClaim`)})`).join("") +
        ")";
    return policy(ADMISSION_POLICY_NAMES.volumes, args, {
        matchConstraints: {
            resourceRules: [
                { apiGroups: [""], apiVersions: ["v1"], operations: WRITE, resources: ["persistentvolumeclaims", "pods"] },
                { apiGroups: ["apps"], apiVersions: ["v1"], operations: WRITE, resources: ["statefulsets"] },
                { apiGroups: ["postgresql.cnpg.io"], apiVersions: ["*"], operations: WRITE, resources: ["clusters"] },
                { apiGroups: ["psmdb.percona.com"], apiVersions: ["*"], operations: WRITE, resources: ["perconaservermongodbs"] },
            ],
        },
        variables: [{ name: "namespace", expression: "has(namespaceObject.metadata.name) ? namespaceObject.metadata.name : object.metadata.namespace" }],
        validations: [
            {
                expression:
                    `!(${isClaim}) || !has(${claimClass}) || !${claimClass}.startsWith(${quote(RESTORE_STORAGE_CLASS.prefix)})` +
                    ` || ${claimClass}.startsWith(${quote(`${RESTORE_STORAGE_CLASS.prefix}.`)} + variables.namespace + '.')` +
                    ` || (${update} && has(oldObject.spec.storageClassName) && oldObject.spec.storageClassName == ${claimClass})`,
                message: `claims may use only their own namespace's restore StorageClasses (${RESTORE_STORAGE_CLASS.name("<namespace>", "<claim>")}): another project's restore class would fill the volume with that project's backup`,
                reason: "Forbidden",
            },
            {
                expression: `!(${isClaim}) || ${keptAnnotations}`,
                message: `tenant claims name their class in spec.storageClassName only, never by annotation (${CLAIM_CLASS_ANNOTATIONS.join(", ")}): Kubernetes reads the annotation first, past the restore-class check`,
                reason: "Forbidden",
            },
            {
                expression:
                    `!(${isClaim}) || ((!has(object.spec.selector) || (${update} && has(oldObject.spec.selector)))` +
                    ` && (!has(object.spec.dataSourceRef) || !has(object.spec.dataSourceRef.namespace) || (${update} && has(oldObject.spec.dataSourceRef) && has(oldObject.spec.dataSourceRef.namespace)))` +
                    ` && (!has(object.spec.volumeName) || (${update} && ((has(oldObject.spec.volumeName) && oldObject.spec.volumeName == object.spec.volumeName) || request.userInfo.username == ${quote(PV_CONTROLLER_USER)}))))`,
                message: "tenant claims get a new volume from their class: no volumeName (only the PV controller binds a claim), selector or cross-namespace dataSourceRef, which would bind or fill it from an existing volume, possibly another project's",
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'StatefulSet' || ((!has(object.spec.volumeClaimTemplates) || object.spec.volumeClaimTemplates.all(t, ${plainClaimTemplate("t")}))` +
                    ` && (!has(object.spec.template.spec) || ${plainEphemeralVolumes("object.spec.template.spec")}))`,
                message: `tenant StatefulSets' claim templates name their class in spec.storageClassName only (no ${CLAIM_CLASS_ANNOTATIONS.join(", ")} annotation) and bind no existing volume (no volumeName, selector or cross-namespace dataSourceRef)`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'Pod' || ${plainEphemeralVolumes("object.spec")}`,
                message: `tenant pods' ephemeral volumes name their class in spec.storageClassName only (no ${CLAIM_CLASS_ANNOTATIONS.join(", ")} annotation) and bind no existing volume (no volumeName, selector or cross-namespace dataSourceRef)`,
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'Cluster' || ((!has(object.spec.inheritedMetadata) || ${noClassAnnotation("object.spec.inheritedMetadata")})` +
                    ` && (!has(object.spec.ephemeralVolumeSource) || !has(object.spec.ephemeralVolumeSource.volumeClaimTemplate) || ${plainClaimTemplate("object.spec.ephemeralVolumeSource.volumeClaimTemplate")}))`,
                message: `tenant PostgreSQL clusters copy no storage-class annotation (${CLAIM_CLASS_ANNOTATIONS.join(", ")}) onto their claims through inheritedMetadata or the ephemeral volume template`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'PerconaServerMongoDB' || !has(object.spec.replsets) || ${psmdbSets}`,
                message: `tenant MongoDB replica sets put no storage-class annotation (${CLAIM_CLASS_ANNOTATIONS.join(", ")}) on their claims (volumeSpec.persistentVolumeClaim.annotations)`,
                reason: "Forbidden",
            },
        ],
    });
}

/** Every admission policy of tenant namespaces, with its binding. */
export function renderAdmissionPolicies(args: AdmissionPolicyArgs): AdmissionPolicyPair[] {
    return [renderPodPolicy(args), renderServicePolicy(args), renderRoutePolicy(args), renderRbacPolicy(args), renderDatabasePolicy(args), renderRedisPolicy(args), renderMysqlPolicy(args), renderMongodbPolicy(args), renderSecretPolicy(args), renderAnalysisPolicy(args), renderVolumePolicy(args)];
}
