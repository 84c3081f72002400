import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../lib/config/schema";
import { CLUSTER_ISSUERS, GVISOR_RUNTIME_CLASS, LABELS, MINIO_ENDPOINT, STORAGE_CLASSES } from "../../lib/conventions";
import { projectGrant } from "../../lib/tenants/load";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { CONTRACT_VERSION, type PlatformContract, type ProjectAccess } from "../../lib/stacks/contract";

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
        // The platform stack builds nothing: each project's grants stack exports its entry with the digests.
        projects: Object.fromEntries(inputs.tenants.map((t) => [t.id, projectEntry(config, t.id, {})])),
    };
}

/** One project's contract entry: its namespace, its grant from the region config, and the digests its builds pushed. */
export function projectEntry(config: PlatformConfig, id: string, imageDigests: Readonly<Record<string, string>>): ProjectAccess {
    return { namespace: id, grant: projectGrant(config, id), imageDigests: { ...imageDigests } };
}

/** The contract as a stack output (the middlewares resolve from Traefik). */
export function platformContract(inputs: Omit<ContractInputs, "ingressMiddlewares"> & { ingressMiddlewares: pulumi.Input<string[]> }): pulumi.Output<PlatformContract> {
    return pulumi.output(inputs.ingressMiddlewares).apply((ingressMiddlewares) => renderContract({ ...inputs, ingressMiddlewares }));
}

/**
 * One secret value per project as one secret stack output, by project id (the registry pull passwords). Only the
 * driver reads it, one project at a time, handing that one value to that project's grants stack as secret config:
 * no stack references the platform stack, whose outputs a StackReference would copy whole into its state.
 * Never the backup bucket's keys: the driver hands them to the grants stacks from its own environment.
 */
export function secretByProjectOutput(entries: ReadonlyArray<readonly [string, pulumi.Input<string>]>): pulumi.Output<Record<string, string>> {
    return pulumi.secret(pulumi.all(entries.map(([, value]) => value)).apply((values) => Object.fromEntries(entries.map(([id], index) => [id, values[index]!]))));
}
