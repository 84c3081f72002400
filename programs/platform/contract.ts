import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../lib/config/schema";
import { CLUSTER_ISSUERS, GVISOR_RUNTIME_CLASS, LABELS, MINIO_ENDPOINT, STORAGE_CLASSES } from "../../lib/conventions";
import { projectGrant } from "../../lib/tenants/load";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { CONTRACT_VERSION, type ClusterAccess, type PlatformContract } from "../../lib/stacks/contract";

/** What the platform program knows when it writes the contract. */
export interface ContractInputs {
    /** Region (the platform stack's name). */
    region: string;
    /** The validated plain configuration of the region. */
    config: PlatformConfig;
    /** The validated catalog of the region. */
    tenants: ReadonlyArray<Pick<ProjectSpec, "id">>;
    /** The platform provider's clusterIdentifier. */
    clusterIdentifier: string;
    /** Middlewares Traefik applies to every HTTPS router. */
    ingressMiddlewares: readonly string[];
}

/**
 * The platform contract of a region: a pure function of the validated config and catalog, so the offline plan
 * of one tenant can compute it without registering the platform (nodes, mesh, charts).
 */
export function renderContract(inputs: ContractInputs): PlatformContract {
    const { config } = inputs;
    return {
        contractVersion: CONTRACT_VERSION,
        region: inputs.region,
        domain: config.domain,
        clusterIssuers: { ...CLUSTER_ISSUERS },
        storageClasses: { ...STORAGE_CLASSES },
        ingressMiddlewares: [...inputs.ingressMiddlewares],
        runtimeClass: GVISOR_RUNTIME_CLASS.name,
        objectStorage: { endpoint: `http://${MINIO_ENDPOINT.host}:${MINIO_ENDPOINT.port}` },
        registries: [...config.allowedRegistries],
        meteringLabels: { project: LABELS.project, service: LABELS.service },
        clusterIdentifier: inputs.clusterIdentifier,
        platformConfig: config,
        projects: Object.fromEntries(inputs.tenants.map((t) => [t.id, { namespace: t.id, grant: projectGrant(config, t.id) }])),
    };
}

/** The contract as a stack output (the middlewares resolve from Traefik). */
export function platformContract(inputs: Omit<ContractInputs, "ingressMiddlewares"> & { ingressMiddlewares: pulumi.Input<string[]> }): pulumi.Output<PlatformContract> {
    return pulumi.output(inputs.ingressMiddlewares).apply((ingressMiddlewares) => renderContract({ ...inputs, ingressMiddlewares }));
}

/**
 * The tenant stacks' cluster access as a secret stack output. Never the backup bucket's keys: they reach every
 * project's archive, so the platform stack writes them into the namespaces itself (DatabaseBackupCredentials).
 */
export function clusterAccess(kubeconfig: pulumi.Input<string>): pulumi.Output<ClusterAccess> {
    return pulumi.secret(pulumi.output(kubeconfig).apply((value) => ({ kubeconfig: value })));
}
