import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Real external checkers used by the spine: Debian's `cloud-init schema`, `shellcheck` and `nft --check`. A missing tool
 * fails the test with the install hint (.ci/run installs them); it never skips silently.
 */

function requireTool(binary: string, debianPackage: string): void {
    const which = spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" });
    if (which.status !== 0) {
        throw new Error(`${binary} is not installed: apt-get install -y ${debianPackage} (bash .ci/run does this)`);
    }
}

/** Result of an external check. */
export interface CheckResult {
    /** Exit status 0. */
    ok: boolean;
    /** Combined output. */
    output: string;
}

function withTempFile<T>(name: string, text: string, fn: (file: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-check-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    try {
        return fn(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** `cloud-init schema --config-file` on a user-data document. */
export function cloudInitSchema(userData: string): CheckResult {
    requireTool("cloud-init", "cloud-init");
    return withTempFile("user-data.yaml", userData, (file) => {
        const run = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    });
}

/** `shellcheck` (bash dialect, all severities) on a script. */
export function shellcheck(script: string): CheckResult {
    requireTool("shellcheck", "shellcheck");
    const run = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/**
 * `nft --check --file` on a ruleset: parsed and validated by the kernel's nftables, nothing applied. nft needs
 * CAP_NET_ADMIN even to check, so it runs in a fresh network namespace (see networkNamespacePrefix), where it
 * sees an empty ruleset, like a node at first boot.
 */
export function nftCheck(ruleset: string): CheckResult {
    requireTool("nft", "nftables");
    return withTempFile("ruleset.nft", ruleset, (file) => {
        const argv = [...networkNamespacePrefix(), "nft", "--check", "--file", file];
        const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    });
}

/**
 * Runs a shell script in a fresh user and network namespace (`unshare -rn`): `nft` there changes only that
 * namespace's empty ruleset, never the host's, so rulesets can be loaded, reloaded and listed for real.
 */
export function inNetworkNamespace(script: string, files: Record<string, string> = {}): CheckResult {
    requireTool("nft", "nftables");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-netns-"));
    try {
        for (const [name, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), text);
        }
        const argv = [...networkNamespacePrefix(), "bash", "-euo", "pipefail", "-c", script];
        const run = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: "utf8" });
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

let namespacePrefix: string[] | undefined;

/**
 * The command prefix that runs a program as root of a fresh, empty network namespace: `unshare --net` as
 * root (CI in a container), `unshare --user --map-root-user --net` otherwise, and `sudo -n unshare --net`
 * where unprivileged user namespaces are disabled (AppArmor on Ubuntu 24.04 runners). Never the host's own
 * network namespace.
 */
export function networkNamespacePrefix(): string[] {
    if (namespacePrefix) {
        return namespacePrefix;
    }
    const candidates = process.getuid?.() === 0 ? [["unshare", "--net"]] : [["unshare", "--user", "--map-root-user", "--net"], ["sudo", "-n", "unshare", "--net"]];
    for (const prefix of candidates) {
        if (spawnSync(prefix[0]!, [...prefix.slice(1), "true"], { encoding: "utf8" }).status === 0) {
            namespacePrefix = prefix;
            return prefix;
        }
    }
    throw new Error("cannot create a network namespace (unshare --net needs root, user namespaces or passwordless sudo)");
}
