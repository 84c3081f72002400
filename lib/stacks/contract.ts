import type { PlatformConfig, ProjectGrant } from "../config/schema";

/**
 * The platform contract: what a region's platform stack hands each tenant stack. The platform program builds it
 * (output {@link CONTRACT_OUTPUT}); the driver reads it with the project's own deployer credential (output
 * {@link PROJECT_CREDENTIALS_OUTPUT}) and hands both to that tenant stack as config ({@link contractFor}: only
 * that project's entry). A tenant stack never uses a StackReference: the engine stores every output of the
 * referenced stack in the referencing stack's state, which would put every project's credential in every
 * tenant state. The tenant program checks the version; the driver and the offline plan import the same type. Bump {@link CONTRACT_VERSION} on every change a tenant program of the previous
 * version would misread (a removed or renamed field, a changed meaning); adding an optional field is not one.
 */

/** Version of the contract this code writes and reads. */
export const CONTRACT_VERSION = 3;

/** Name of the platform stack output holding the contract (plain: nothing in it is a credential). */
export const CONTRACT_OUTPUT = "platformContract";

/**
 * Name of the platform stack output holding every project's deployer kubeconfig by id (a secret output). Read
 * only by the driver (or an operator's laptop), one project at a time.
 */
export const PROJECT_CREDENTIALS_OUTPUT = "projectCredentials";

/** What one project is given by the platform: its namespace and its grants. */
export interface ProjectAccess {
    /** Namespace of the project (its id). */
    namespace: string;
    /** Privileges the operators granted (`platform:projectGrants.<id>`, or none). */
    grant: ProjectGrant;
    /**
     * Digest of the image each built service's build pushed (`sha256:…`), by service name: the platform stack
     * builds (components/project/grants.ts) and the tenant stack deploys that digest. Empty without builds, and
     * in the offline plan (no build ran: the workload keeps the annotated placeholder).
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
