import type { InputProblem } from "../validation";

/**
 * k3s versions and the upgrade path between them. Kubernetes supports upgrading the control plane one minor
 * version at a time (kubeadm and k3s both document "no skipping minors"), and k3s itself refuses to go back:
 * the `rancher/k3s-upgrade` image exits with "Current … is higher than …" on a downgrade, and etcd data written
 * by a newer apiserver is not guaranteed readable by an older one. The stack config is checked here, before
 * anything is registered, so a wrong `k3sVersion` never reaches the upgrade Plans or the boot of a new node.
 */

/** A parsed k3s release `vMAJOR.MINOR.PATCH+k3sN`. */
export interface K3sVersion {
    /** The text as written. */
    readonly raw: string;
    /** Kubernetes major (1). */
    readonly major: number;
    /** Kubernetes minor. */
    readonly minor: number;
    /** Kubernetes patch. */
    readonly patch: number;
    /** k3s build of that Kubernetes release (`+k3sN`). */
    readonly build: number;
}

/** A pinned k3s release as written in `platform:cluster.k3sVersion`. */
export const K3S_VERSION_PATTERN = /^v(\d+)\.(\d+)\.(\d+)\+k3s(\d+)$/;

/** Parses `v1.31.6+k3s1`; undefined for anything else (release candidates and channels are not pinned releases). */
export function parseK3sVersion(raw: string): K3sVersion | undefined {
    const match = K3S_VERSION_PATTERN.exec(raw);
    if (!match) {
        return undefined;
    }
    const [major, minor, patch, build] = match.slice(1).map(Number) as [number, number, number, number];
    return { raw, major, minor, patch, build };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareK3sVersions(a: K3sVersion, b: K3sVersion): number {
    return a.major - b.major || a.minor - b.minor || a.patch - b.patch || a.build - b.build;
}

/** `v1.32` of a version (the Kubernetes minor line). */
export function minorLine(version: K3sVersion): string {
    return `v${version.major}.${version.minor}`;
}

/** What an upgrade from the running version to the configured one is. */
export type K3sUpgradeStep =
    | { kind: "unchanged" }
    | { kind: "patch" }
    | { kind: "minor" }
    | { kind: "downgrade" }
    | { kind: "skips-minors"; minors: number }
    | { kind: "major" };

/** Classifies the step from `running` to `target`. */
export function classifyK3sUpgrade(running: K3sVersion, target: K3sVersion): K3sUpgradeStep {
    const order = compareK3sVersions(target, running);
    if (order === 0) {
        return { kind: "unchanged" };
    }
    if (order < 0) {
        return { kind: "downgrade" };
    }
    if (target.major !== running.major) {
        return { kind: "major" };
    }
    const minors = target.minor - running.minor;
    if (minors === 0) {
        return { kind: "patch" };
    }
    return minors === 1 ? { kind: "minor" } : { kind: "skips-minors", minors };
}

/** Where the versions were read from, for the error message. */
export interface K3sVersionKeys {
    /** The stack file (`Pulumi.dev.yaml`). */
    source: string;
    /** Key of the configured version. */
    targetKey: string;
    /** Key of the running version. */
    runningKey: string;
}

/**
 * Problems of upgrading from `runningRaw` (the version the cluster runs, `platform:cluster.previousK3sVersion`)
 * to `targetRaw` (`platform:cluster.k3sVersion`): none for a first deployment (no running version), the same
 * version, a patch or k3s-build bump, or one minor up; a problem naming the file, the key and the fix for a
 * downgrade, a skipped minor or a major change. Unparseable versions are reported by the schema, not here.
 */
export function k3sUpgradeProblems(runningRaw: string | undefined, targetRaw: string, keys: K3sVersionKeys): InputProblem[] {
    if (runningRaw === undefined) {
        return [];
    }
    const running = parseK3sVersion(runningRaw);
    const target = parseK3sVersion(targetRaw);
    if (!running || !target) {
        return [];
    }
    const step = classifyK3sUpgrade(running, target);
    const problem = (text: string, fix: string): InputProblem[] => [{ source: keys.source, path: keys.targetKey, problem: text, fix }];
    switch (step.kind) {
        case "unchanged":
        case "patch":
        case "minor":
            return [];
        case "downgrade":
            return problem(
                `${target.raw} is older than ${running.raw}, the version the cluster runs (${keys.runningKey}); k3s cannot be downgraded in place`,
                `set ${keys.targetKey} back to ${running.raw} or newer; going back means restoring an etcd snapshot taken before the upgrade (README: How to upgrade k3s)`,
            );
        case "major":
            return problem(
                `${target.raw} changes the Kubernetes major version from ${running.major} to ${target.major}`,
                `stay on v${running.major}.x: set ${keys.targetKey} to a v${running.major}.${running.minor + 1} release`,
            );
        case "skips-minors": {
            const next = `v${running.major}.${running.minor + 1}`;
            return problem(
                `${target.raw} is ${step.minors} minor versions above ${running.raw} (${keys.runningKey}); Kubernetes upgrades one minor version at a time`,
                `upgrade in steps: set ${keys.targetKey} to the latest ${next}.x+k3sN release, run pulumi up, wait until the Plans are Complete, set ${keys.runningKey} to it, then repeat up to ${minorLine(target)}`,
            );
        }
    }
}

/**
 * Why a preview or update must not start, given the k3s version the stack last deployed (its `k3sVersion`
 * output, read from the state by the deploy driver) and the stack file's `k3sVersion`/`previousK3sVersion`;
 * undefined when they agree. The program cannot read its own last outputs before it registers resources, so
 * it checks the skew against `previousK3sVersion`; this makes sure that key tells the truth whenever the
 * version changes. No record (a new stack, or one deployed before the output existed) checks nothing.
 */
export function k3sRecordRefusal(input: { stackFile: string; stack: string; deployed?: unknown; target?: string; previous?: string }): string | undefined {
    const { stackFile, stack, deployed, target, previous } = input;
    if (typeof deployed !== "string" || target === undefined || target === deployed || previous === deployed) {
        return undefined;
    }
    return (
        `${stackFile} changes platform:cluster.k3sVersion to ${target}, but stack ${stack} last deployed k3s ${deployed} ` +
        `(stack output k3sVersion) and platform:cluster.previousK3sVersion is ${previous ?? "not set"}; ` +
        `set platform:cluster.previousK3sVersion: ${deployed} so the upgrade is checked from the version the cluster runs.`
    );
}
