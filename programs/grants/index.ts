/**
 * Composition root of one project's grants stack (`<region>--<id>--grants`, Pulumi project `platform-grants`):
 * exactly one `ProjectGrants` (components/project/grants.ts: the namespace, quota, LimitRange, NetworkPolicies,
 * bucket, Argo CD objects, pull Secret, builds with their digests, the deployer credential) and the project's
 * off-cluster backup Secret, for the project `stacks/<region>/projects/<id>.yaml`, against the platform contract
 * narrowed to it. Platform-owned: the driver runs it with the platform's admin kubeconfig, after the platform
 * stack and before the project's app stack (programs/tenant), and hands that app stack what this one exports:
 * the project's contract entry and its deployer kubeconfig (secret). A project's grants stack holds nothing of
 * another project; no StackReference (it would copy every platform output into this state).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ProjectGrants } from "../../components/project/grants";
import { buildSourceTokenFix, buildSourceTokensOf } from "../../lib/stacks/build-sources";
import { DatabaseBackupCredentials } from "../../components/databases/backup-credentials";
import { needsBackupCredentials } from "../../components/project/render";
import { projectContext } from "../../components/project/common";
import { checkContract, DEPLOYER_KUBECONFIG_OUTPUT, GRANTS_ENTRY_OUTPUT } from "../../lib/stacks/contract";
import { grantsStackName, parseGrantsStackName } from "../../lib/stacks/naming";
import { InputValidationError } from "../../lib/validation";
import { projectEntry } from "../platform/contract";
import { loadTenantProject } from "../tenant/load";
import { GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY, GRANTS_CONFIG_NAMESPACE, grantsContractValue, missingHandOver } from "./load";

/** Repository root: `stacks/<region>/projects/` lives there. */
const ROOT = path.resolve(__dirname, "../..");

export = async (): Promise<Record<string, unknown>> => {
    const stack = pulumi.getStack();
    const parsed = parseGrantsStackName(stack);
    if (!parsed) {
        throw new InputValidationError([
            { source: `Pulumi.${stack}.yaml`, path: "(stack name)", problem: `"${stack}" is not a grants stack name (<region>--<project id>--grants)`, fix: `pulumi stack init ${grantsStackName("dev", "hello")} --cwd programs/grants` },
        ]);
    }
    const { region, id } = parsed;
    const raw = pulumi.runtime.allConfig() as Record<string, string>;
    const contract = checkContract(grantsContractValue(raw, region, id), `${region} (as handed to this stack in ${GRANTS_CONFIG_NAMESPACE}:contract)`, id);
    // The grants are the operators' (the contract's platformConfig.projectGrants); the file's secrets are the app stack's.
    const tenant = loadTenantProject(process.env.PLATFORM_CATALOG_ROOT ?? ROOT, region, id, contract, undefined);
    const config = contract.platformConfig;
    const backup = needsBackupCredentials(projectContext(tenant.spec, config));
    const missing = missingHandOver(raw, region, id, backup);
    if (missing) {
        throw missing;
    }
    const settings = new pulumi.Config(GRANTS_CONFIG_NAMESPACE);
    const adminKubeconfig = settings.requireSecret("kubeconfig");
    const provider = new k8s.Provider("cluster", {
        kubeconfig: adminKubeconfig,
        // The platform provider's identifier: objects moved here from the platform stack are not replaced.
        clusterIdentifier: contract.clusterIdentifier,
        enableServerSideApply: true,
    });
    const grants = new ProjectGrants(id, { project: tenant.spec, config, adminKubeconfig, registryPullPassword: settings.requireSecret("registryPullPassword"), buildSourceTokens: buildSourceTokensOf(raw, id), buildSourceTokenFix: (token) => buildSourceTokenFix(region, id, token) }, { provider });
    // The backup bucket's keys in this project's namespace: written here (platform-owned), never by the app stack.
    new DatabaseBackupCredentials(
        "database-backup-credentials",
        {
            config,
            projects: [tenant.spec],
            ...(backup ? { keys: { accessKey: settings.requireSecret(GRANTS_BACKUP_ACCESS_KEY.split(":")[1]!), secretKey: settings.requireSecret(GRANTS_BACKUP_SECRET_KEY.split(":")[1]!) } } : {}),
        },
        { provider, dependsOn: [grants.namespaceResource] },
    );
    return {
        /** Project id (the stack's key; stable across renames). */
        projectId: id,
        /** The project's contract entry (plain): namespace, grant, the digests its builds pushed. The driver hands it to the app stack. */
        [GRANTS_ENTRY_OUTPUT]: grants.imageDigests.apply((digests) => projectEntry(config, id, digests)),
        /** The app stack's deployer kubeconfig (secret). */
        [DEPLOYER_KUBECONFIG_OUTPUT]: grants.kubeconfig,
    };
};
