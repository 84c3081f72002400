import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEVICE_REMOVAL_ENV, renderDeviceRemovalScript, renderLeaveScript } from "../../../components/cluster/node-retirement";
import { shellcheck } from "../../helpers/tools";

/**
 * The retirement scripts run against stand-ins for `k3s kubectl` and `curl` on PATH that log their argv
 * (and curl's stdin), so the tests see exactly what a server and the Tailscale API would be asked.
 */
function withFakes(fakes: Record<string, string>, script: string, shell: "bash" | "sh", env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "retire-"));
    const log = path.join(dir, "calls.log");
    for (const [name, body] of Object.entries(fakes)) {
        fs.writeFileSync(path.join(dir, name), `#!/bin/sh\nLOG="${log}"\n${body}\n`, { mode: 0o755 });
    }
    const run = spawnSync(shell, ["-c", script], { encoding: "utf8", env: { PATH: `${dir}:${process.env.PATH}`, ...env } });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    fs.rmSync(dir, { recursive: true, force: true });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr, calls };
}

const k3s = (ready: string, drainExit = 0, options: { api?: boolean; unschedulable?: string } = {}) => ({
    k3s: `echo "k3s $*" >> "$LOG"
case "$*" in
  *"get --raw /readyz"*) exit ${options.api === false ? 1 : 0} ;;
  *"get nodes -o jsonpath"*) printf '${options.unschedulable ?? "true\\n\\ntrue\\n"}' ;;
  *"-o jsonpath"*) printf '%s' "${ready}" ;;
  *" drain "*"--disable-eviction"*) exit 0 ;;
  *" drain "*) exit ${drainExit} ;;
esac
exit 0`,
});

describe("node retirement on a server", () => {
    it("drains a Ready node, deletes it and its node-password secret", () => {
        const run = withFakes(k3s("True"), renderLeaveScript("fsn1-run-1"), "bash");
        expect(run.code, run.stderr).toBe(0);
        const calls = run.calls.trim().split("\n");
        expect(calls).toContain("k3s kubectl cordon fsn1-run-1");
        expect(calls).toContain("k3s kubectl drain fsn1-run-1 --ignore-daemonsets --delete-emptydir-data --timeout=60s");
        expect(calls).toContain("k3s kubectl delete node fsn1-run-1 --wait=true --timeout=5m");
        expect(calls.at(-1)).toBe("k3s kubectl -n kube-system delete secret fsn1-run-1.node-password.k3s --ignore-not-found");
    });

    it("fails, keeping the node, when a Ready node does not drain while other nodes could take its pods", () => {
        const run = withFakes(k3s("True", 1), renderLeaveScript("fsn1-run-1"), "bash");
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("drain of fsn1-run-1 did not finish in 15 minutes");
        expect(run.calls.match(/drain fsn1-run-1 --ignore-daemonsets --delete-emptydir-data --timeout=60s/g)).toHaveLength(15);
        expect(run.calls).not.toContain("--disable-eviction");
        expect(run.calls).not.toContain("delete node");
    });

    it("stops waiting when every node is cordoned (the whole stack is being destroyed)", () => {
        const run = withFakes(k3s("True", 1, { unschedulable: "true\\ntrue\\ntrue\\n" }), renderLeaveScript("fsn1-run-1"), "bash");
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toContain("every node is cordoned");
        expect(run.calls.match(/--timeout=60s$/gm)!.length).toBe(2);
        expect(run.calls).toContain("k3s kubectl delete node fsn1-run-1");
    });

    it("warns and does nothing when the API does not answer (the cluster is gone)", () => {
        const run = withFakes(k3s("True", 0, { api: false }), renderLeaveScript("fsn1-run-1"), "bash");
        expect(run.code).toBe(0);
        expect(run.stderr).toContain("does not answer");
        expect(run.calls.trim().split("\n")).toEqual(["k3s kubectl get --raw /readyz"]);
    });

    it("removes a dead (NotReady) node without waiting for its evictions", () => {
        const run = withFakes(k3s("Unknown", 1), renderLeaveScript("fsn1-run-1"), "bash");
        expect(run.code, run.stderr).toBe(0);
        expect(run.calls).toContain("--disable-eviction --force --timeout=60s");
        expect(run.calls).toContain("k3s kubectl delete node fsn1-run-1");
    });

    it("passes shellcheck", () => {
        const check = shellcheck(renderLeaveScript("fsn1-server-0-g1"));
        expect(check.ok, check.output).toBe(true);
    });
});

describe("tailnet device removal", () => {
    const curl = (status: string) => ({
        curl: `echo "curl $*" >> "$LOG"
echo "stdin: $(cat)" >> "$LOG"
case "$*" in
  *oauth/token*) printf '{"access_token":"tskey-access-xyz","token_type":"Bearer"}' ;;
  *) printf '%s' "${status}" ;;
esac`,
    });
    const base = { [DEVICE_REMOVAL_ENV.deviceId]: "123456789", [DEVICE_REMOVAL_ENV.hostname]: "fsn1-run-1" };

    it("deletes the device through the Tailscale API with the API key on stdin, never in argv", () => {
        const run = withFakes(curl("204"), renderDeviceRemovalScript(), "sh", { ...base, [DEVICE_REMOVAL_ENV.apiKey]: "tskey-api-secret" });
        expect(run.code, run.stderr).toBe(0);
        expect(run.calls).toContain("curl -sS -K - -o /dev/null -w %{http_code} -X DELETE https://api.tailscale.com/api/v2/device/123456789");
        expect(run.calls).toContain('stdin: header = "Authorization: Bearer tskey-api-secret"');
        expect(run.calls.split("\n").filter((l) => l.startsWith("curl ")).join("\n")).not.toContain("tskey-api-secret");
    });

    it("exchanges an OAuth client for a token when there is no API key", () => {
        const run = withFakes(curl("200"), renderDeviceRemovalScript(), "sh", {
            ...base,
            [DEVICE_REMOVAL_ENV.oauthClientId]: "cid",
            [DEVICE_REMOVAL_ENV.oauthClientSecret]: "tskey-client-secret",
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.calls).toContain("stdin: client_id=cid&client_secret=tskey-client-secret&grant_type=client_credentials");
        expect(run.calls).toContain('stdin: header = "Authorization: Bearer tskey-access-xyz"');
        expect(run.calls.split("\n").filter((l) => l.startsWith("curl ")).join("\n")).not.toContain("secret");
    });

    it("treats an already deleted device as done and fails on any other refusal, naming the device", () => {
        expect(withFakes(curl("404"), renderDeviceRemovalScript(), "sh", { ...base, [DEVICE_REMOVAL_ENV.apiKey]: "k" }).code).toBe(0);
        const refused = withFakes(curl("403"), renderDeviceRemovalScript(), "sh", { ...base, [DEVICE_REMOVAL_ENV.apiKey]: "k" });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("refused to delete device fsn1-run-1 (123456789): HTTP 403");
    });

    it("says what is missing when the stack has no Tailscale credentials", () => {
        const run = withFakes(curl("204"), renderDeviceRemovalScript(), "sh", base);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("no tailscale:apiKey or OAuth client");
        expect(run.calls).toBe("");
    });

    it("passes shellcheck as POSIX sh", () => {
        const check = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "-"], { input: renderDeviceRemovalScript(), encoding: "utf8" });
        expect(check.status, check.stdout).toBe(0);
    });
});
