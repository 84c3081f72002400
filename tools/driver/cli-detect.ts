/**
 * Finds the Pulumi CLI before anything loads the Automation API: without a CLI the Automation API fails deep
 * inside a promise with an `ENOENT` stack trace, so the driver checks first and explains how to install it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where the CLI was found. */
export interface CliFound {
    /** Discriminant. */
    found: true;
    /** Absolute path of the `pulumi` executable. */
    command: string;
    /**
     * Installation root (the directory holding `bin/pulumi`) when the CLI is not on PATH; the workspace then uses
     * `PulumiCommand.get({ root })`, because LocalWorkspace otherwise runs plain `pulumi` from PATH.
     */
    root?: string;
    /** Which rule found it. */
    source: "PATH" | "PULUMI_HOME" | "home";
}

/** The CLI was not found; lists every place looked at, for the message. */
export interface CliMissing {
    /** Discriminant. */
    found: false;
    /** PATH directories that were searched, in order, without duplicates. */
    searchedPath: string[];
    /** Installation `bin` directories searched after PATH ($PULUMI_HOME/bin, ~/.pulumi/bin). */
    searchedRoots: string[];
}

/** Result of {@link detectPulumiCli}. */
export type CliDetection = CliFound | CliMissing;

/** Inputs of the detection, injectable so tests do not depend on the machine. */
export interface CliDetectOptions {
    /** Environment to read `PATH` and `PULUMI_HOME` from; default `process.env`. */
    env?: NodeJS.ProcessEnv;
    /** Home directory (for `~/.pulumi/bin`); default `os.homedir()`. */
    homedir?: string;
    /** Platform (executable suffix and PATH separator); default `process.platform`. */
    platform?: NodeJS.Platform;
}

function isExecutableFile(file: string): boolean {
    try {
        if (!fs.statSync(file).isFile()) {
            return false;
        }
        fs.accessSync(file, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/**
 * Looks for `pulumi` on PATH, then in `$PULUMI_HOME/bin`, then in `~/.pulumi/bin` (where
 * `curl -fsSL https://get.pulumi.com | sh` installs it without necessarily touching PATH).
 *
 * @param options environment, home directory and platform to use
 */
export function detectPulumiCli(options: CliDetectOptions = {}): CliDetection {
    const env = options.env ?? process.env;
    const platform = options.platform ?? process.platform;
    const homedir = options.homedir ?? os.homedir();
    const names = platform === "win32" ? ["pulumi.exe", "pulumi.cmd", "pulumi"] : ["pulumi"];
    const separator = platform === "win32" ? ";" : ":";
    const pathDirs = [...new Set((env.PATH ?? env.Path ?? "").split(separator).filter((dir) => dir !== ""))];
    const searchedRoots: string[] = [];
    for (const dir of pathDirs) {
        for (const name of names) {
            const candidate = path.resolve(dir, name);
            if (isExecutableFile(candidate)) {
                return { found: true, command: candidate, source: "PATH" };
            }
        }
    }
    const roots: Array<{ root: string; source: "PULUMI_HOME" | "home" }> = [];
    if (env.PULUMI_HOME) {
        roots.push({ root: path.resolve(env.PULUMI_HOME), source: "PULUMI_HOME" });
    }
    if (homedir) {
        roots.push({ root: path.join(homedir, ".pulumi"), source: "home" });
    }
    for (const { root, source } of roots) {
        const bin = path.join(root, "bin");
        searchedRoots.push(bin);
        for (const name of names) {
            const candidate = path.join(bin, name);
            if (isExecutableFile(candidate)) {
                return { found: true, command: candidate, root, source };
            }
        }
    }
    return { found: false, searchedPath: pathDirs, searchedRoots };
}

/**
 * The message printed when no CLI was found: what is missing, why it is needed, how to install it.
 *
 * @param missing the failed detection (for the list of searched places)
 */
export function cliMissingMessage(missing: CliMissing): string {
    return [
        "error: the Pulumi CLI was not found.",
        "",
        "npm run deploy drives the Pulumi Automation API, which runs the `pulumi` CLI; nothing was deployed.",
        `Looked for an executable \`pulumi\` in:`,
        `  PATH (${missing.searchedPath.length} director${missing.searchedPath.length === 1 ? "y" : "ies"})`,
        ...missing.searchedRoots.map((dir) => `  ${dir}`),
        "",
        "Install the Pulumi CLI, then run the command again:",
        "  curl -fsSL https://get.pulumi.com | sh        # installs into ~/.pulumi/bin (found without PATH changes)",
        "  brew install pulumi/tap/pulumi                # macOS / Linux with Homebrew",
        "  winget install pulumi   or   choco install pulumi   # Windows",
        "In GitHub Actions: `uses: pulumi/actions@v6` without `command` installs it (see .github/workflows/platform.yml).",
        "",
        "Without a CLI, `npm run plan -- --stack <name>` runs the program offline under the mock engine.",
    ].join("\n");
}
