import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Runs a rendered node script (k3s start, bootstrap fragments) under bash against fake `systemctl`,
 * `cloud-init`, `journalctl` and `k3s` binaries, so its control flow (exit codes, deadlines, what it logs)
 * is exercised for real. Absolute paths below /etc/rancher/k3s and /var/lib/rancher/k3s are redirected into a
 * temporary directory.
 *
 * The fake systemd models the k3s installer's units: `Type=notify` with `TimeoutStartSec=0`, so a blocking
 * `systemctl restart` of a unit that never sends READY=1 never returns; `--no-block restart` returns at once
 * and assigns a new InvocationID. The unit becomes active only when `becomesActive` is set.
 */

/** How the fake node behaves. */
export interface FakeNodeBehaviour {
    /** Exit status of `cloud-init status --wait`. */
    cloudInitExit: number;
    /** The restarted unit reaches `active` (agents: READY=1; servers: also the node shows Ready). */
    becomesActive: boolean;
    /** Servers whose supervisor answers `https://<name>:6443/cacerts` (the fake curl); default none. */
    reachable?: readonly string[];
    /** Probes (curl calls) that fail before the `reachable` servers answer: a server still starting; default 0. */
    reachableAfterProbes?: number;
    /** Files present before the run, by absolute path below /var/lib/rancher/k3s (e.g. an agent's server-ca.crt). */
    dataFiles?: Readonly<Record<string, string>>;
}

/** What a run produced. */
export interface FakeNodeRun {
    /** Exit status (null when killed at the harness timeout). */
    status: number | null;
    /** What the script printed. */
    stdout: string;
    /** What the script logged (the part `pulumi up` shows with `logging: stderr`). */
    stderr: string;
    /** Wall-clock seconds. */
    seconds: number;
    /** The temporary root standing in for /etc/rancher/k3s. */
    k3sDir: string;
    /** The temporary root standing in for /var/lib/rancher/k3s. */
    dataDir: string;
    /** systemctl invocations, one per line. */
    systemctlCalls: string[];
}

const FAKE_BINARIES: Record<string, string> = {
    systemctl: `#!/usr/bin/env bash
echo "$*" >> "$FAKE_STATE/systemctl.log"
case "$1" in
  enable|daemon-reload|mask) exit 0 ;;
  show) cat "$FAKE_STATE/invocation" 2>/dev/null || true; exit 0 ;;
  is-active) [ -f "$FAKE_STATE/active" ] ;;
  --no-block)
    echo "invocation-$RANDOM" > "$FAKE_STATE/invocation"
    if [ "$FAKE_BECOMES_ACTIVE" = 1 ]; then touch "$FAKE_STATE/active"; fi
    exit 0 ;;
  restart)
    # Type=notify, TimeoutStartSec=0: waits for READY=1, which never comes when the server is unreachable.
    echo "invocation-$RANDOM" > "$FAKE_STATE/invocation"
    if [ "$FAKE_BECOMES_ACTIVE" = 1 ]; then touch "$FAKE_STATE/active"; exit 0; fi
    # "Forever" for the harness: a little longer than its kill deadline, stdio detached so the kill returns.
    exec sleep "$FAKE_BLOCK_SECONDS" </dev/null >/dev/null 2>&1 ;;
  *) exit 0 ;;
esac
`,
    "cloud-init": `#!/usr/bin/env bash
case "$*" in
  "status --wait") exit "$FAKE_CLOUD_INIT_EXIT" ;;
  "status --long") printf 'status: done\\nrecoverable_errors:\\nWARNING:\\n\\t- Deprecated cloud-config key: fake-deprecated-key\\n' ;;
esac
`,
    journalctl: `#!/usr/bin/env bash
echo "fake-journal $*: failed to get CA certs: connection refused"
`,
    curl: `#!/usr/bin/env bash
echo "$*" >> "$FAKE_STATE/curl.log"
[ "$(wc -l < "$FAKE_STATE/curl.log")" -gt "$FAKE_REACHABLE_AFTER" ] || exit 7
for arg in "$@"; do
  case "$arg" in
    https://*) host="\${arg#https://}"; host="\${host%%[:/]*}"
      for ok in $FAKE_REACHABLE; do [ "$host" = "$ok" ] && exit 0; done
      exit 7 ;;
  esac
done
exit 2
`,
    k3s: `#!/usr/bin/env bash
if [ -f "$FAKE_STATE/active" ]; then echo "node Ready control-plane 1m v1.33.5+k3s1"; else exit 1; fi
`,
};

/** Runs `script` on the fake node; the harness kills it after `killAfterSeconds`. */
export function runOnFakeNode(script: string, behaviour: FakeNodeBehaviour, options: { stdin?: string; killAfterSeconds?: number } = {}): FakeNodeRun {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-fake-node-"));
    const bin = path.join(root, "bin");
    const state = path.join(root, "state");
    const k3sDir = path.join(root, "etc-rancher-k3s");
    const dataDir = path.join(root, "var-lib-rancher-k3s");
    fs.mkdirSync(bin);
    fs.mkdirSync(state);
    fs.mkdirSync(dataDir);
    for (const [file, text] of Object.entries(behaviour.dataFiles ?? {})) {
        const target = path.join(dataDir, path.relative("/var/lib/rancher/k3s", file));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
    }
    for (const [name, text] of Object.entries(FAKE_BINARIES)) {
        fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
    }
    const redirected = script.replaceAll("/etc/rancher/k3s", k3sDir).replaceAll("/var/lib/rancher/k3s", dataDir);
    const started = Date.now();
    try {
        const run = spawnSync("bash", ["-c", redirected], {
            input: options.stdin ?? "",
            encoding: "utf8",
            timeout: (options.killAfterSeconds ?? 30) * 1000,
            killSignal: "SIGKILL",
            env: {
                ...process.env,
                PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
                FAKE_STATE: state,
                FAKE_CLOUD_INIT_EXIT: String(behaviour.cloudInitExit),
                FAKE_BECOMES_ACTIVE: behaviour.becomesActive ? "1" : "0",
                FAKE_REACHABLE: (behaviour.reachable ?? []).join(" "),
                FAKE_REACHABLE_AFTER: String(behaviour.reachableAfterProbes ?? 0),
                FAKE_BLOCK_SECONDS: String((options.killAfterSeconds ?? 30) + 2),
            },
        });
        const log = path.join(state, "systemctl.log");
        return {
            status: run.status,
            stdout: run.stdout ?? "",
            stderr: run.stderr ?? "",
            seconds: (Date.now() - started) / 1000,
            k3sDir,
            dataDir,
            systemctlCalls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [],
        };
    } finally {
        // The stand-in for /etc/rancher/k3s stays for the caller's assertions (cleanUpFakeNode removes it).
        fs.rmSync(bin, { recursive: true, force: true });
    }
}

/** Removes what a run left behind. */
export function cleanUpFakeNode(run: FakeNodeRun): void {
    fs.rmSync(path.dirname(run.k3sDir), { recursive: true, force: true });
}
