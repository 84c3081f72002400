import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
    CONFIGURATOR_DEADLINE_SECONDS,
    CONFIGURATOR_SHARDS,
    CONFIGURATOR_TIMEOUT,
    configuratorShard,
    registryState,
    renderConfiguratorJob,
    renderConfiguratorScript,
    robotSecretsDigest,
    shardRobotKeys,
    shardStates,
} from "../../../components/registry/configurator";
import { stackPlatformConfig } from "../project/fixtures";
import { RELEASE_TIMEOUT_SECONDS } from "../../../charts/versions";
import { requirementsOf } from "../../../lib/requirements";
import { runBash, serviceAt } from "../../helpers/service-dns";

/**
 * The configurator's Jobs (components/registry/configurator.ts): sharded so a catalog change re-runs only the
 * shard it touches, named after the shard's state and robot secrets so a replaced secret reaches Harbor, and
 * awaited as long as they may run.
 */

const dev = stackPlatformConfig("dev");
const ids = Array.from({ length: 1000 }, (_, i) => `p${i}`);
const jobNames = (projects: string[], digest = (keys: string[]) => robotSecretsDigest(Object.fromEntries(keys.map((k) => [k, `secret-of-${k}`])))) =>
    new Map(shardStates(registryState(dev, projects)).map((s) => [s.shard, renderConfiguratorJob(s, digest(shardRobotKeys(s.state))).metadata!.name!]));

describe("configurator shards", () => {
    it("spreads 1,000 projects over every shard, none far above its share", () => {
        const shards = shardStates(registryState(dev, ids));
        expect(shards).toHaveLength(CONFIGURATOR_SHARDS);
        expect(shards.flatMap((s) => s.state.projects.map((p) => p.name)).sort()).toEqual([...ids].sort());
        for (const shard of shards) {
            expect(shard.state.projects.length, `shard ${shard.shard}`).toBeLessThan((ids.length / CONFIGURATOR_SHARDS) * 1.5);
            expect(shard.state.projects.every((p) => configuratorShard(p.name) === shard.shard)).toBe(true);
        }
    });

    it("re-runs only the added project's shard when the catalog grows", () => {
        const before = jobNames(ids);
        const after = jobNames([...ids, "newcomer"]);
        const changed = [...after.keys()].filter((shard) => after.get(shard) !== before.get(shard));
        expect(changed).toEqual([configuratorShard("newcomer")]);
    });

    it("re-runs a shard whose robot secret was replaced, and only that shard", () => {
        const replaced = "p7-push";
        const before = jobNames(ids);
        const after = jobNames(ids, (keys) => robotSecretsDigest(Object.fromEntries(keys.map((k) => [k, k === replaced ? "a-new-secret" : `secret-of-${k}`]))));
        const changed = [...after.keys()].filter((shard) => after.get(shard) !== before.get(shard));
        expect(changed).toEqual([configuratorShard("p7")]);
    });

    it("mounts only the shard's robot secrets", () => {
        const [shard] = shardStates(registryState(dev, ["shop"]));
        const volume = renderConfiguratorJob(shard!, "d").spec!.template.spec!.volumes!.find((v) => v.name === "robots");
        expect(volume?.secret?.items).toEqual([
            { key: "shop-pull", path: "shop-pull" },
            { key: "shop-push", path: "shop-push" },
        ]);
    });

    it("keeps one Job for the GC schedule when the catalog is empty", () => {
        expect(shardStates(registryState(dev, [])).map((s) => [s.shard, s.state.projects.length])).toEqual([[0, 0]]);
    });

    it("waits for Harbor itself, beside its release: probes until it answers, within a deadline that covers Harbor's whole Helm timeout", () => {
        const script = renderConfiguratorScript();
        expect(script).toContain('curl -sf "$api/health" >/dev/null || probe=$?');
        expect(script).toContain('sleep "${CONFIGURATOR_POLL_SECONDS:-10}"\n');
        // No attempt cap shorter than Harbor's timeout: the Job's deadline bounds the wait.
        expect(script).not.toMatch(/seq 1 \d+/);
        expect(CONFIGURATOR_DEADLINE_SECONDS).toBeGreaterThan(RELEASE_TIMEOUT_SECONDS.harbor);
        const [shard] = shardStates(registryState(dev, ["shop"]));
        const job = renderConfiguratorJob(shard!, "d");
        expect(job.metadata!.annotations).toEqual({ "platform/waits-for-services": "true" });
        expect(job.spec!.template.spec!.containers[0]!.env).toEqual([{ name: "HARBOR_API", value: "http://harbor.registry.svc.cluster.local/api/v2.0" }]);
        expect(requirementsOf(job)).toContain("service:registry/harbor");
    });

    it("is awaited longer than the Job may run (Pulumi waits 10 minutes for a Job by default)", () => {
        expect(Number(CONFIGURATOR_TIMEOUT.replace(/m$/, "")) * 60).toBeGreaterThan(CONFIGURATOR_DEADLINE_SECONDS);
        const [shard] = shardStates(registryState(dev, ["shop"]));
        expect(renderConfiguratorJob(shard!, "d").spec!.activeDeadlineSeconds).toBe(CONFIGURATOR_DEADLINE_SECONDS);
    });

    it("fails for good, not retried, once Harbor's Service is gone (a failed, rolled-back release): the script exits 100 before it reads a Secret, the Job fails on that code", async () => {
        const [shard] = shardStates(registryState(dev, ["shop"]));
        const spec = renderConfiguratorJob(shard!, "d").spec!;
        expect(spec.podFailurePolicy).toEqual({ rules: [{ action: "FailJob", onExitCodes: { containerName: "configure", operator: "In", values: [100] } }] });
        expect(spec.template.spec!.restartPolicy).toBe("Never");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "harbor-configurator-"));
        try {
            const script = path.join(dir, "configure.sh");
            fs.writeFileSync(script, renderConfiguratorScript());
            const curlHome = path.join(dir, "curl");
            fs.mkdirSync(curlHome);
            // Harbor's Service exists, Harbor does not answer yet (nothing listens on port 9), then the Service goes.
            serviceAt(curlHome, "harbor.invalid", 9);
            let gone = false;
            const result = await runBash(script, { HARBOR_API: "http://harbor.invalid:9/api/v2.0", CURL_HOME: curlHome, CONFIGURATOR_POLL_SECONDS: "0.1" }, (output) => {
                if (!gone && output.includes("(attempt 2)")) {
                    gone = true;
                    serviceAt(curlHome, "harbor.invalid", undefined);
                }
            });
            expect(result.code, result.output).toBe(100);
            expect(result.output).toContain("Harbor's Service is gone");
            // Neither the admin Secret (/admin) nor the state (/config) exists here: the script ended before it read them.
            expect(result.output).not.toMatch(/No such file/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }, 30_000);
});
