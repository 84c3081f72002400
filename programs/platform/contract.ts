import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../lib/config/schema";
import { CLUSTER_ISSUERS, GVISOR_RUNTIME_CLASS, LABELS, MINIO_ENDPOINT, STORAGE_CLASSES } from "../../lib/conventions";
import { projectGrant } from "../../lib/tenants/load";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { CONTRACT_VERSION, type PlatformContract } from "../../lib/stacks/contract";

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
    /** Digests the builds pushed, by project id and service (ProjectGrants.imageDigests); none when omitted. */
    imageDigests?: Readonly<Record<string, Readonly<Record<string, string>>>>;
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
        projects: Object.fromEntries(inputs.tenants.map((t) => [t.id, { namespace: t.id, grant: projectGrant(config, t.id), imageDigests: { ...(inputs.imageDigests?.[t.id] ?? {}) } }])),
    };
}

/** The contract as a stack output (the middlewares resolve from Traefik). */
export function platformContract(
    inputs: Omit<ContractInputs, "ingressMiddlewares" | "imageDigests"> & { ingressMiddlewares: pulumi.Input<string[]>; imageDigests?: pulumi.Input<Record<string, pulumi.Input<Record<string, string>>>> },
): pulumi.Output<PlatformContract> {
    return pulumi
        .all([inputs.ingressMiddlewares, pulumi.output(inputs.imageDigests ?? {})])
        .apply(([ingressMiddlewares, imageDigests]) => renderContract({ ...inputs, ingressMiddlewares, imageDigests: imageDigests as Record<string, Record<string, string>> }));
}

/**
 * Every project's deployer kubeconfig as one secret stack output, by project id. Only the driver reads it (for
 * one project at a time, handing that one value to that tenant stack as secret config): a tenant stack never
 * references the platform stack, whose outputs a StackReference would copy whole into the tenant's state.
 * Never the backup bucket's keys: they reach every project's archive, so the platform stack writes them into the
 * namespaces itself (DatabaseBackupCredentials).
 */
export function projectCredentialsOutput(entries: ReadonlyArray<readonly [string, pulumi.Input<string>]>): pulumi.Output<Record<string, string>> {
    return pulumi.secret(pulumi.all(entries.map(([, kubeconfig]) => kubeconfig)).apply((values) => Object.fromEntries(entries.map(([id], index) => [id, values[index]!]))));
}
