/**
 * Composition root of one tenant stack (`<region>--<id>`, Pulumi project `platform-tenant`): exactly one
 * Project, from `stacks/<region>/projects/<id>.yaml`, against the platform contract its region's platform
 * stack exports. The stack holds only this project's `secretEnv` values (`tenant:secrets`), nothing that
 * grants anything: grants come from the contract, which the operators' platform stack writes.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Project } from "../../components/project/project";
import { CLUSTER_ACCESS_OUTPUT, checkContract, CONTRACT_OUTPUT, type ClusterAccess } from "../../lib/stacks/contract";
import { parseTenantStackName, platformStackReference, tenantStackName } from "../../lib/stacks/naming";
import { InputValidationError } from "../../lib/validation";
import { loadTenantProject, PLATFORM_STACK_KEY, tenantSecretValues } from "./load";

/** Repository root: `stacks/<region>/projects/` and the stack files live there. */
const ROOT = path.resolve(__dirname, "../..");

export = async (): Promise<Record<string, unknown>> => {
    const stack = pulumi.getStack();
    const parsed = parseTenantStackName(stack);
    if (!parsed) {
        throw new InputValidationError([
            { source: `Pulumi.${stack}.yaml`, path: "(stack name)", problem: `"${stack}" is not a tenant stack name (<region>--<project id>)`, fix: `pulumi stack init ${tenantStackName("dev", "hello")} --cwd programs/tenant` },
        ]);
    }
    const { region, id } = parsed;
    const raw = pulumi.runtime.allConfig() as Record<string, string>;
    // Parsed before anything is read or registered: a malformed secret stops the program first.
    const secretValues = tenantSecretValues(raw);
    const platformStack = raw[PLATFORM_STACK_KEY] ?? platformStackReference(pulumi.getOrganization(), region);
    const platform = new pulumi.StackReference("platform", { name: platformStack });
    const contract = checkContract((await platform.getOutputDetails(CONTRACT_OUTPUT)).value, platformStack, id);
    const tenant = loadTenantProject(process.env.PLATFORM_CATALOG_ROOT ?? ROOT, region, id, contract, new Set(Object.keys(secretValues)));

    const access = platform.requireOutput(CLUSTER_ACCESS_OUTPUT) as pulumi.Output<ClusterAccess>;
    const provider = new k8s.Provider("cluster", {
        kubeconfig: pulumi.secret(access.apply((a) => a.kubeconfig)),
        // The platform provider's identifier: resources moved here from the region stack are not replaced.
        clusterIdentifier: contract.clusterIdentifier,
        enableServerSideApply: true,
    });
    const project = new Project(
        tenant.spec.id,
        {
            project: tenant.spec,
            config: contract.platformConfig,
            secretValues: pulumi.secret(secretValues),
            // Builds report their image's digest in the cluster; the deploy reads it with the same access.
            kubeconfig: pulumi.secret(access.apply((a) => a.kubeconfig)),
        },
        { provider },
    );
    // Only the outputs the project has: an output that resolves to nothing is left out of the stack (with an
    // SDK warning per stack), so a project without a bucket or database does not declare one.
    return {
        /** Project id (the stack's key; stable across renames). */
        projectId: tenant.spec.id,
        /** Public URLs of the project. */
        urls: project.urls,
        /** Namespace of the project. */
        namespace: project.namespace,
        /** MinIO bucket, when the project has one. */
        ...(tenant.spec.bucket ? { bucket: project.bucket } : {}),
        ...(tenant.spec.database
            ? {
                  /** In-cluster database endpoint (`host:port`). */
                  databaseEndpoint: project.databaseEndpoint,
                  /** Database credentials (secret). */
                  databaseCredentials: project.databaseCredentials,
              }
            : {}),
    };
};
