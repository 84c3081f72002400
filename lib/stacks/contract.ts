import type { PlatformConfig, ProjectGrant } from "../config/schema";

/**
 * The platform contract: what a region's platform stack hands each project's stacks, in two steps. The platform
 * program writes the region's facts and every project's grant (output {@link CONTRACT_OUTPUT}); the driver hands
 * each project's GRANTS stack (`<region>--<id>--grants`, programs/grants) that contract narrowed to the project
 * ({@link contractFor}) with the platform's admin kubeconfig ({@link ADMIN_KUBECONFIG_OUTPUT}) and the project's
 * registry pull password ({@link REGISTRY_PULL_PASSWORDS_OUTPUT}); the grants stack creates the project's grant
 * objects and exports its contract entry ({@link GRANTS_ENTRY_OUTPUT}: namespace, grant, built digests) and its
 * deployer kubeconfig ({@link DEPLOYER_KUBECONFIG_OUTPUT}), which the driver hands to the project's app stack
 * ({@link appContractFor}). No stack uses a StackReference: the engine stores every output of the referenced
 * stack in the referencing stack's state, which would put the admin credential in every tenant state. The
 * programs check the version; the driver and the offline plan import the same types. Bump
 * {@link CONTRACT_VERSION} on every change a program of the previous version would misread (a removed or
 * renamed field or output, a changed meaning); adding an optional field is not one.
 */

/** Version of the contract this code writes and reads (4: the grants moved from the platform stack into one grants stack per project). */
export const CONTRACT_VERSION = 4;

/** Name of the platform stack output holding the contract (plain: nothing in it is a credential). */
export const CONTRACT_OUTPUT = "platformContract";

/** Name of the platform stack output holding the admin kubeconfig (secret): the driver hands it to grants stacks only. */
export const ADMIN_KUBECONFIG_OUTPUT = "kubeconfig";

/**
 * Name of the platform stack output holding each project's registry pull robot password by id (secret): the
 * driver hands each grants stack only its own, which writes it into the project's namespace as the pull Secret.
 */
export const REGISTRY_PULL_PASSWORDS_OUTPUT = "registryPullPasswords";

/** Name of a grants stack's output holding the project's contract entry ({@link ProjectAccess}; plain). */
export const GRANTS_ENTRY_OUTPUT = "projectContract";

/** Name of a grants stack's output holding the project's deployer kubeconfig (secret): the app stack's only credential. */
export const DEPLOYER_KUBECONFIG_OUTPUT = "deployerKubeconfig";

/** What one project is given by the platform: its namespace and its grants. */
export interface ProjectAccess {
    /** Namespace of the project (its id). */
    namespace: string;
    /** Privileges the operators granted (`platform:projectGrants.<id>`, or none). */
    grant: ProjectGrant;
    /**
     * Digest of the image each built service's build pushed (`sha256:…`), by service name: the project's grants
     * stack builds (components/project/grants.ts) and exports it in its entry, the app stack deploys that digest.
     * Always empty in the platform stack's contract (it builds nothing), empty without builds, and in the offline
     * plan (no build ran: the workload keeps the annotated placeholder).
     */
    imageDigests: Record<string, string>;
}

/** The typed, versioned platform contract of one region. */
export interface PlatformContract {
    /** {@link CONTRACT_VERSION} of the platform program that wrote it. */
    contractVersion: number;
    /** Region (the platform stack's name). */
    region: string;
    /** Platform domain: tenant hosts are `<service>.<name>.<domain>`. */
    domain: string;
    /** cert-manager ClusterIssuers. */
    clusterIssuers: { production: string; staging: string };
    /** Longhorn StorageClasses offered to tenants. */
    storageClasses: { fast: string; standard: string };
    /** Traefik middlewares already applied to every HTTPS router. */
    ingressMiddlewares: string[];
    /** RuntimeClass of untrusted projects (gVisor). */
    runtimeClass: string;
    /** In-cluster S3 endpoint of the platform MinIO (tenant buckets and per-project users live there). */
    objectStorage: { endpoint: string };
    /** Registries tenant images may come from. */
    registries: string[];
    /** Labels metering, logs and alerts select a project's objects by. */
    meteringLabels: { project: string; service: string };
    /**
     * The region's validated plain configuration (no secrets: those are separate config keys), which tenant
     * files are validated and rendered against: limits, registries, cluster version and CIDRs, pools.
     */
    platformConfig: PlatformConfig;
    /**
     * The platform provider's `clusterIdentifier`: a tenant stack's provider uses the same one, so a resource
     * moved between stacks (migration) is never replaced for a provider change.
     */
    clusterIdentifier: string;
    /** Every project of the region's catalog, by id (in a tenant stack's config: only its own). */
    projects: Record<string, ProjectAccess>;
}

/**
 * The contract as one tenant stack receives it: the region's facts and only its own project's entry and grant
 * (`platformConfig.projectGrants`), so no tenant stack's config or state holds what another project was granted.
 * The cross-project checks of the grants (one owner per domain and public port) are the platform stack's and the
 * catalog check's.
 */
export function contractFor(contract: PlatformContract, id: string): PlatformContract {
    const own = contract.projects[id];
    const grant = contract.platformConfig.projectGrants[id];
    return {
        ...contract,
        platformConfig: { ...contract.platformConfig, projectGrants: grant ? { [id]: grant } : {} },
        projects: own ? { [id]: own } : {},
    };
}

/**
 * The contract as one project's app stack receives it: {@link contractFor} the project, its entry replaced by the
 * one its grants stack exported (the digests its builds pushed).
 */
export function appContractFor(contract: PlatformContract, id: string, entry: ProjectAccess): PlatformContract {
    const own = contractFor(contract, id);
    return { ...own, projects: { [id]: { namespace: entry.namespace, grant: entry.grant, imageDigests: { ...entry.imageDigests } } } };
}

/** Whether a grants stack output looks like a contract entry (the app program checks the contract it is part of). */
export function isProjectAccess(value: unknown): value is ProjectAccess {
    if (value === null || typeof value !== "object") {
        return false;
    }
    const entry = value as Partial<ProjectAccess>;
    return typeof entry.namespace === "string" && entry.grant !== null && typeof entry.grant === "object" && entry.imageDigests !== null && typeof entry.imageDigests === "object";
}

/** Thrown when a tenant stack reads a contract it cannot trust to mean what it expects. */
export class ContractError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ContractError";
    }
}

/**
 * Checks the contract a tenant stack was handed before the tenant program uses it: present, of this version, with an
 * entry for `id`. Fails loudly naming the platform stack, both versions and the fix.
 */
export function checkContract(value: unknown, platformStack: string, id: string): PlatformContract {
    if (value === undefined || value === null || typeof value !== "object") {
        throw new ContractError(
            `platform stack ${platformStack} exports no ${CONTRACT_OUTPUT}: run \`pulumi up\` on the platform stack first (npm run deploy -- up --stack <region> runs it before the tenants)`,
        );
    }
    const contract = value as Partial<PlatformContract>;
    if (contract.contractVersion !== CONTRACT_VERSION) {
        throw new ContractError(
            `platform stack ${platformStack} exports platform contract version ${String(contract.contractVersion)}, this tenant program reads version ${CONTRACT_VERSION}: ` +
                (typeof contract.contractVersion === "number" && contract.contractVersion < CONTRACT_VERSION
                    ? "update the platform stack first (pulumi up on the platform stack with this checkout)"
                    : "run the tenant stack from the same checkout as the platform stack"),
        );
    }
    const missing = (["region", "domain", "clusterIdentifier", "platformConfig", "projects"] as const).filter((key) => contract[key] === undefined);
    if (missing.length > 0) {
        throw new ContractError(`platform contract of ${platformStack} (version ${CONTRACT_VERSION}) lacks ${missing.join(", ")}: it was not written by this program`);
    }
    if (!contract.projects![id]) {
        throw new ContractError(
            `platform stack ${platformStack} grants nothing to project id "${id}" (it is not in the catalog the platform stack last deployed): add stacks/${contract.region}/projects/${id}.yaml and run the platform stack first`,
        );
    }
    return contract as PlatformContract;
}
