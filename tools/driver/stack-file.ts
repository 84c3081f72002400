/**
 * `Pulumi.<stack>.yaml` as the driver needs it: the environment (production guard), the secrets provider, and a
 * byte snapshot so secret config injected for one run does not stay behind in a committed file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** Facts read from a stack file. */
export interface StackFile {
    /** Absolute path of `Pulumi.<stack>.yaml`. */
    path: string;
    /** `platform:environment`, if set to a string. */
    environment?: string;
    /** `secretsprovider:`, if set. */
    secretsProvider?: string;
    /** `platform:cluster.k3sVersion`, if set to a string. */
    k3sVersion?: string;
    /** `platform:cluster.previousK3sVersion`, if set to a string. */
    previousK3sVersion?: string;
}

/**
 * The path of the stack file of `stack` (its short name) in `repoRoot`.
 *
 * @param repoRoot absolute path of the repository
 * @param shortStack the unqualified stack name
 */
export function stackFilePath(repoRoot: string, shortStack: string): string {
    return path.join(repoRoot, `Pulumi.${shortStack}.yaml`);
}

/**
 * The stacks that have a stack file in `repoRoot`, for error messages.
 *
 * @param repoRoot absolute path of the repository
 */
export function availableStacks(repoRoot: string): string[] {
    return fs
        .readdirSync(repoRoot)
        .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
        .filter((name): name is string => name !== undefined)
        .sort();
}

/**
 * Reads a stack file with js-yaml. Throws with the file name when it cannot be parsed.
 *
 * @param file absolute path of `Pulumi.<stack>.yaml`
 */
export function readStackFile(file: string): StackFile {
    let document: unknown;
    try {
        document = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`${path.basename(file)} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
    }
    const root = document !== null && typeof document === "object" ? (document as Record<string, unknown>) : {};
    const config = root.config !== null && typeof root.config === "object" ? (root.config as Record<string, unknown>) : {};
    const environment = config["platform:environment"];
    const secretsProvider = root.secretsprovider;
    const cluster = config["platform:cluster"] !== null && typeof config["platform:cluster"] === "object" ? (config["platform:cluster"] as Record<string, unknown>) : {};
    const text = (value: unknown) => (typeof value === "string" ? value : undefined);
    return {
        path: file,
        environment: text(environment),
        secretsProvider: text(secretsProvider),
        k3sVersion: text(cluster.k3sVersion),
        previousK3sVersion: text(cluster.previousK3sVersion),
    };
}

/**
 * Takes a byte snapshot of a file and returns a function that puts those bytes back if the file changed (or
 * removes it when it did not exist and appeared). `setAllConfig` writes `secure:` ciphertext into the stack file;
 * restoring keeps the working tree clean and keeps env-provided secrets the only source of those values.
 *
 * @param file the file to snapshot
 */
export function snapshotFile(file: string): () => boolean {
    const before = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    return () => {
        const now = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
        if (before === undefined) {
            if (now === undefined) {
                return false;
            }
            fs.rmSync(file);
            return true;
        }
        if (now !== undefined && now.equals(before)) {
            return false;
        }
        fs.writeFileSync(file, before);
        return true;
    };
}
