import { decodeConfigValue } from "../../lib/config/load";
import { InputValidationError } from "../../lib/validation";
import { grantsStackName } from "../../lib/stacks/naming";

/**
 * The config a grants stack is handed by the driver on every run (nothing an operator sets by hand, nothing a
 * tenant holds): the platform contract narrowed to the project, the platform's admin kubeconfig, the project's
 * registry pull password and, when the region backs databases up off-cluster, that bucket's keys.
 */

/** Config namespace of a grants stack (`grants:<key>`). */
export const GRANTS_CONFIG_NAMESPACE = "grants";

/** The platform contract as JSON, narrowed to this project (`contractFor`), set by the driver. */
export const GRANTS_CONTRACT_KEY = `${GRANTS_CONFIG_NAMESPACE}:contract`;

/** The platform's admin kubeconfig (secret): the platform stack's `kubeconfig` output. */
export const GRANTS_KUBECONFIG_KEY = `${GRANTS_CONFIG_NAMESPACE}:kubeconfig`;

/** This project's registry pull robot password (secret): `registryPullPasswords.<id>` of the platform stack. */
export const GRANTS_PULL_PASSWORD_KEY = `${GRANTS_CONFIG_NAMESPACE}:registryPullPassword`;

/** The off-cluster backup bucket's access key (secret), from the driver's `BACKUP_S3_ACCESS_KEY`. */
export const GRANTS_BACKUP_ACCESS_KEY = `${GRANTS_CONFIG_NAMESPACE}:backupS3AccessKey`;

/** The off-cluster backup bucket's secret key (secret), from the driver's `BACKUP_S3_SECRET_KEY`. */
export const GRANTS_BACKUP_SECRET_KEY = `${GRANTS_CONFIG_NAMESPACE}:backupS3SecretKey`;

/** The laptop commands that hand a grants stack what the driver hands it through the Automation API (needs jq). */
export function grantsHandOverCommands(region: string, id: string): string[] {
    const stack = `--stack ${grantsStackName(region, id)} --cwd programs/grants`;
    return [
        `pulumi stack output platformContract --json --stack ${region} | jq -c '.projects |= {"${id}": .["${id}"]} | .platformConfig.projectGrants |= with_entries(select(.key == "${id}"))' | pulumi config set ${GRANTS_CONTRACT_KEY} ${stack}`,
        `pulumi stack output kubeconfig --show-secrets --stack ${region} | pulumi config set --secret ${GRANTS_KUBECONFIG_KEY} ${stack}`,
        `pulumi stack output registryPullPasswords --json --show-secrets --stack ${region} | jq -r '.["${id}"]' | pulumi config set --secret ${GRANTS_PULL_PASSWORD_KEY} ${stack}`,
    ];
}

/** The handed-over contract from the raw config, parsed; a clear error naming the hand-over when it is missing or not JSON. */
export function grantsContractValue(raw: Readonly<Record<string, string>>, region: string, id: string): unknown {
    const value = raw[GRANTS_CONTRACT_KEY];
    const fix = `npm run deploy -- up --stack ${region} --tenant ${id} hands it over; from a laptop: ${grantsHandOverCommands(region, id)[0]}`;
    if (value === undefined) {
        throw new InputValidationError([{ source: "grants stack config", path: GRANTS_CONTRACT_KEY, problem: "the platform contract was not handed to this stack", fix }]);
    }
    const decoded = decodeConfigValue(value);
    if (typeof decoded === "string") {
        try {
            return JSON.parse(decoded);
        } catch {
            throw new InputValidationError([{ source: "grants stack config", path: GRANTS_CONTRACT_KEY, problem: "is not the platform contract's JSON", fix }]);
        }
    }
    return decoded;
}

/** The keys the grants program needs and was not handed, each with the command that hands it over. */
export function missingHandOver(raw: Readonly<Record<string, string>>, region: string, id: string, needsBackupKeys: boolean): InputValidationError | undefined {
    const commands = grantsHandOverCommands(region, id);
    const problems = [
        ...(raw[GRANTS_KUBECONFIG_KEY] === undefined ? [{ key: GRANTS_KUBECONFIG_KEY, what: "the platform's admin credential", command: commands[1]! }] : []),
        ...(raw[GRANTS_PULL_PASSWORD_KEY] === undefined ? [{ key: GRANTS_PULL_PASSWORD_KEY, what: "this project's registry pull password", command: commands[2]! }] : []),
        ...(needsBackupKeys
            ? [GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY]
                  .filter((key) => raw[key] === undefined)
                  .map((key) => ({ key, what: "the off-cluster backup bucket's key (platform:backup.s3 and a database in this project)", command: `BACKUP_S3_ACCESS_KEY / BACKUP_S3_SECRET_KEY in the driver's environment; from a laptop: pulumi config set --secret ${key} <value> --stack ${grantsStackName(region, id)} --cwd programs/grants` }))
            : []),
    ].map((p) => ({ source: "grants stack config", path: p.key, problem: `${p.what} was not handed to this stack`, fix: p.key.startsWith(`${GRANTS_CONFIG_NAMESPACE}:backup`) ? p.command : `npm run deploy -- up --stack ${region} --tenant ${id} hands it over; from a laptop: ${p.command}` }));
    return problems.length > 0 ? new InputValidationError(problems) : undefined;
}
