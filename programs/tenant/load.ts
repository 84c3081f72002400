import * as fs from "node:fs";
import * as path from "node:path";
import { decodeConfigValue } from "../../lib/config/load";
import { catalogDirectory, otherStackDomains, validateTenantDocuments, type TenantProject } from "../../lib/tenants/load";
import { readTenantFile } from "../../lib/tenants/read";
import { InputValidationError } from "../../lib/validation";
import type { PlatformContract } from "../../lib/stacks/contract";
import { grantsStackName, tenantStackName } from "../../lib/stacks/naming";

/**
 * What a tenant stack validates on its own: its one tenant file, against the contract (the region's config and
 * this project's grant) and its own secrets. Whatever needs the whole catalog (unique hosts, ids, buckets) was
 * checked by the catalog check before any stack ran (programs/catalog-check.ts).
 */

/** Config namespace of a tenant stack (`tenant:<key>`). */
export const TENANT_CONFIG_NAMESPACE = "tenant";

/** The tenant stack config key holding the project's `secretEnv` values (a secret object NAME → value). */
export const TENANT_SECRETS_KEY = `${TENANT_CONFIG_NAMESPACE}:secrets`;

/**
 * The config key holding the platform contract as JSON (plain: no credential in it), only this project's
 * entry, the one its grants stack exported (`projectContract`: the digests its builds pushed); set by the driver
 * on every run.
 */
export const TENANT_CONTRACT_KEY = `${TENANT_CONFIG_NAMESPACE}:contract`;

/**
 * The config key holding this project's deployer kubeconfig (secret): `deployerKubeconfig` of the project's
 * grants stack, set by the driver on every run. The tenant stack's only credential.
 */
export const TENANT_KUBECONFIG_KEY = `${TENANT_CONFIG_NAMESPACE}:kubeconfig`;

/**
 * The laptop commands that hand a tenant (app) stack its contract and credential (what the driver does through the
 * Automation API): the platform contract narrowed to the project, its entry the one the project's grants stack
 * exported, and the deployer kubeconfig that grants stack exported. Run after the grants stack's `up`.
 */
export function handOverCommands(region: string, id: string): string[] {
    const stack = `--stack ${tenantStackName(region, id)} --cwd programs/tenant`;
    const grants = `--stack ${grantsStackName(region, id)} --cwd programs/grants`;
    return [
        `pulumi stack output platformContract --json --stack ${region} | jq -c --argjson entry "$(pulumi stack output projectContract --json ${grants})" '.projects = {"${id}": $entry} | .platformConfig.projectGrants |= with_entries(select(.key == "${id}"))' | pulumi config set ${TENANT_CONTRACT_KEY} ${stack}`,
        `pulumi stack output deployerKubeconfig --show-secrets ${grants} | pulumi config set --secret ${TENANT_KUBECONFIG_KEY} ${stack}`,
    ];
}

/** The handed-over contract from the raw config (`tenant:contract`), parsed; a clear error when it is missing or not JSON. */
export function tenantContractValue(raw: Readonly<Record<string, string>>, region: string, id: string): unknown {
    const value = raw[TENANT_CONTRACT_KEY];
    const fix = `npm run deploy -- up --stack ${region} --tenant ${id} hands it over; from a laptop: ${handOverCommands(region, id)[0]}`;
    if (value === undefined) {
        throw new InputValidationError([{ source: "tenant stack config", path: TENANT_CONTRACT_KEY, problem: "the platform contract was not handed to this stack", fix }]);
    }
    const decoded = decodeConfigValue(value);
    if (typeof decoded === "string") {
        try {
            return JSON.parse(decoded);
        } catch {
            throw new InputValidationError([{ source: "tenant stack config", path: TENANT_CONTRACT_KEY, problem: "is not the platform contract's JSON", fix }]);
        }
    }
    return decoded;
}

/** The `pulumi config set` command that sets one secret of a tenant stack. */
export function tenantSecretFix(region: string, id: string, name: string): string {
    return `pulumi config set --secret --path '${TENANT_SECRETS_KEY}.${name}' <value> --stack ${tenantStackName(region, id)} --cwd programs/tenant`;
}

/** The secret values of a tenant stack from its raw config (`tenant:secrets`, JSON-encoded as Pulumi stores objects). */
export function tenantSecretValues(raw: Readonly<Record<string, string>>): Record<string, string> {
    const value = raw[TENANT_SECRETS_KEY];
    if (value === undefined) {
        return {};
    }
    const decoded = decodeConfigValue(value);
    if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded) || Object.values(decoded).some((v) => typeof v !== "string")) {
        throw new InputValidationError([
            { source: "tenant stack config", path: TENANT_SECRETS_KEY, problem: "must be an object of environment variable names to string values", fix: `pulumi config set --secret --path '${TENANT_SECRETS_KEY}.API_TOKEN' <value>` },
        ]);
    }
    return decoded as Record<string, string>;
}

/**
 * Loads and validates the project `id` of `region` from `stacks/<region>/projects/<id>.yaml` against the contract;
 * its `secretEnv` names against `secretNames` when given (the app stack holds them; the grants stack does not).
 */
export function loadTenantProject(rootDir: string, region: string, id: string, contract: PlatformContract, secretNames: ReadonlySet<string> | undefined): TenantProject {
    const absolute = path.join(catalogDirectory(rootDir, region), `${id}.yaml`);
    const file = path.relative(rootDir, absolute);
    if (!fs.existsSync(absolute)) {
        throw new InputValidationError([
            {
                source: file,
                path: "(file)",
                problem: `tenant stack ${tenantStackName(region, id)} has no tenant file`,
                fix: `add ${file}, or destroy the stack once its data is decommissioned (npm run deploy -- destroy --stack ${region} --tenant ${id})`,
            },
        ]);
    }
    const read = readTenantFile(absolute, file);
    if ("problem" in read) {
        throw new InputValidationError([read.problem]);
    }
    // Only this project's grant: a tenant stack validates against nothing another project was granted.
    const config = { ...contract.platformConfig, projectGrants: { [id]: contract.projects[id]!.grant } };
    const [tenant] = validateTenantDocuments([read], {
        config,
        stack: region,
        ...(secretNames ? { secretNames: new Map([[id, secretNames]]) } : {}),
        secretFix: (project, name) => tenantSecretFix(region, project, name),
        otherStackDomains: otherStackDomains(rootDir, region),
    });
    return tenant!;
}
