import { describe, expect, it } from "vitest";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { renderLedgerObjects } from "../../components/metering/ledger";
import { grafanaOrgsState, renderGrafanaOrgsJob } from "../../components/observability/grafana-orgs";
import { projectContext } from "../../components/project/common";
import { renderBucketJob } from "../../components/project/storage";
import { registryState, renderConfiguratorJob, shardStates } from "../../components/registry/configurator";
import { evaluatePolicies } from "../../policy/offline";
import { validateObject } from "../helpers/k8s-schema";
import { planned } from "../helpers/policy-fixtures";
import { project, stackPlatformConfig } from "../components/project/fixtures";

/**
 * The platform's own one-shot Jobs (lib/platform-job.ts) share one restricted pod: each of the four is checked
 * here against the fields written out, not against the renderer's helpers, and through the schema and the pack.
 */

const dev = stackPlatformConfig("dev");
const [shard] = shardStates(registryState(dev, ["shop"]));
const ledger = renderLedgerObjects({
    region: "dev",
    currency: "EUR",
    target: { endpoint: "fsn1.your-objectstorage.com", bucket: "ledger", region: "fsn1", prefix: "billing-ledger/dev" },
    backfillHours: 24,
}).cronJob;

const jobs = {
    "grafana organisations": { object: renderGrafanaOrgsJob(grafanaOrgsState([{ id: "shop", contact: { name: "Shop", email: "shop@example.com" } }]), "d"), kind: "Job" },
    "registry configurator": { object: renderConfiguratorJob(shard!, "d"), kind: "Job" },
    "project bucket": { object: renderBucketJob(projectContext(project({ bucket: { name: "uploads" } }), dev)), kind: "Job" },
    "billing ledger": { object: ledger, kind: "CronJob" },
};

function podOf(object: (typeof jobs)[keyof typeof jobs]["object"]): IPodSpec {
    const spec = object.kind === "CronJob" ? (object as typeof ledger).spec!.jobTemplate.spec! : (object as ReturnType<typeof renderBucketJob>).spec!;
    return spec.template.spec!;
}

describe("the platform's one-shot Jobs", () => {
    for (const [label, { object, kind }] of Object.entries(jobs)) {
        it(`${label}: one non-root container without a token, service links, privileges or a writable root, never restarted in place`, () => {
            const pod = podOf(object);
            expect(pod).toMatchObject({ restartPolicy: "Never", automountServiceAccountToken: false, enableServiceLinks: false });
            const uid = pod.securityContext!.runAsUser!;
            expect(uid).toBeGreaterThan(0);
            expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
            expect(pod.containers).toHaveLength(1);
            expect(pod.containers[0]!.securityContext).toEqual({
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: uid,
                runAsGroup: uid,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(validateObject(object)).toMatchObject({ status: "valid" });
            const violations = evaluatePolicies([planned(`kubernetes:batch/v1:${kind}`, label, object as unknown as Record<string, unknown>)]).filter((v) => v.enforcementLevel === "mandatory");
            expect(violations).toEqual([]);
        });
    }
});
