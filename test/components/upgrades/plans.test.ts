import { describe, expect, it } from "vitest";
import { AGENT_PLAN, renderK3sUpgradePlans, REBOOT_LABEL, SERVER_PLAN } from "../../../components/upgrades/plans";
import { loadPlanCrd, renderSystemUpgradeControllerObjects } from "../../../components/upgrades/system-upgrade-controller";
import { SYSTEM_UPGRADE_IMAGES } from "../../../charts/images";
import { DEFAULT_PACK_CONFIG } from "../../../policy/lib/config";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { validateObject } from "../../helpers/k8s-schema";
import { shippedConfig } from "../../charts/fixtures";

const dev = shippedConfig("dev");
const config = { ...dev, cluster: { ...dev.cluster, k3sVersion: "v1.32.3+k3s1" } };
const [server, agent] = renderK3sUpgradePlans(config);

describe("k3s upgrade Plans", () => {
    it("upgrade to the configured k3sVersion with the rancher/k3s-upgrade image", () => {
        for (const plan of [server, agent]) {
            expect(plan.spec.version).toBe("v1.32.3+k3s1");
            expect(plan.spec.upgrade.image).toBe("docker.io/rancher/k3s-upgrade");
            // No channel: the version is the pin, the controller never resolves anything over HTTPS.
            expect(plan.spec).not.toHaveProperty("channel");
            expect(plan.metadata.namespace).toBe("system-upgrade");
            expect(plan.spec.serviceAccountName).toBe("system-upgrade");
        }
    });

    it("take servers one at a time, cordoned, selected by the control-plane label", () => {
        expect(server.metadata.name).toBe(SERVER_PLAN);
        expect(server.spec.concurrency).toBe(1);
        expect(server.spec.cordon).toBe(true);
        expect(server.spec.drain).toBeUndefined();
        expect(server.spec.nodeSelector.matchExpressions).toContainEqual({ key: "node-role.kubernetes.io/control-plane", operator: "In", values: ["true"] });
    });

    it("take agents one at a time, drained, only after the server Plan (prepare waits for it)", () => {
        expect(agent.metadata.name).toBe(AGENT_PLAN);
        expect(agent.spec.concurrency).toBe(1);
        expect(agent.spec.drain).toMatchObject({ ignoreDaemonSets: true, deleteEmptydirData: true, timeout: "10m" });
        expect(agent.spec.nodeSelector.matchExpressions).toContainEqual({ key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" });
        expect(agent.spec.prepare).toEqual({ image: "docker.io/rancher/k3s-upgrade", args: ["prepare", SERVER_PLAN] });
    });

    it("skip a node kured is rebooting and tolerate the servers' and dedicated pools' taints", () => {
        for (const plan of [server, agent]) {
            expect(plan.spec.nodeSelector.matchExpressions).toContainEqual({ key: REBOOT_LABEL.key, operator: "NotIn", values: [REBOOT_LABEL.inProgress] });
            expect(plan.spec.tolerations).toEqual([{ operator: "Exists" }]);
        }
    });

    it("select every node exactly once: a server matches only the server Plan, an agent only the agent Plan", () => {
        const matches = (plan: typeof server, labels: Record<string, string>) =>
            plan.spec.nodeSelector.matchExpressions.every((r) => {
                const value = labels[r.key];
                switch (r.operator) {
                    case "In":
                        return value !== undefined && r.values!.includes(value);
                    case "NotIn":
                        return value === undefined || !r.values!.includes(value);
                    case "Exists":
                        return value !== undefined;
                    case "DoesNotExist":
                        return value === undefined;
                }
            });
        // Labels k3s sets on a server and on an agent.
        const serverNode = { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true", "node-role.kubernetes.io/etcd": "true" };
        const agentNode = { "platform/pool": "run" };
        expect([matches(server, serverNode), matches(agent, serverNode)]).toEqual([true, false]);
        expect([matches(server, agentNode), matches(agent, agentNode)]).toEqual([false, true]);
        expect(matches(agent, { ...agentNode, [REBOOT_LABEL.key]: REBOOT_LABEL.inProgress })).toBe(false);
        expect(matches(agent, { ...agentNode, [REBOOT_LABEL.key]: REBOOT_LABEL.done })).toBe(true);
    });

    it("are valid against the plans.upgrade.cattle.io schema of the pinned release", () => {
        expect(crdSchemaErrors(server)).toEqual([]);
        expect(crdSchemaErrors(agent)).toEqual([]);
        expect(validateObject(server).status).toBe("valid");
    });

    it("the schema check can fail: a Plan without an upgrade container or with a bad drain timeout is invalid", () => {
        const { upgrade: _upgrade, ...withoutUpgrade } = agent.spec;
        const broken: object[] = [
            { ...agent, spec: { ...agent.spec, drain: { ...agent.spec.drain!, timeout: true } } },
            { ...agent, spec: { ...agent.spec, concurrency: "one" } },
        ];
        const noUpgrade = { ...agent, spec: withoutUpgrade };
        expect(crdSchemaErrors(noUpgrade)!.join("; ")).toContain("upgrade");
        for (const plan of broken) {
            expect(crdSchemaErrors(plan as typeof agent)).not.toEqual([]);
        }
        const badWindow = { ...server, spec: { ...server.spec, window: { days: ["someday"] } } };
        expect(validateObject(badWindow).status).toBe("invalid");
    });
});

describe("system-upgrade-controller", () => {
    it("installs the CRD of the pinned release", () => {
        const crd = loadPlanCrd();
        expect(crd.spec.group).toBe("upgrade.cattle.io");
        expect(crd.spec.versions.map((v) => v.name)).toEqual(["v1"]);
        expect(validateObject(crd).status).toBe("valid");
    });

    it("runs pinned images from the allowed registries", () => {
        const images = [SYSTEM_UPGRADE_IMAGES.controller, SYSTEM_UPGRADE_IMAGES.kubectl, SYSTEM_UPGRADE_IMAGES.k3sUpgrade];
        for (const image of images) {
            expect(DEFAULT_PACK_CONFIG.allowedRegistries, image).toContain(image.split("/")[0]);
        }
        expect(SYSTEM_UPGRADE_IMAGES.controller).toMatch(/:v0\.20\.1$/);
        expect(SYSTEM_UPGRADE_IMAGES.kubectl).toMatch(/:v\d+\.\d+\.\d+$/);
        const objects = renderSystemUpgradeControllerObjects();
        expect(objects.deployment.spec!.template.spec!.containers[0]!.image).toBe(SYSTEM_UPGRADE_IMAGES.controller);
        expect(objects.configMap.data!.SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE).toBe(SYSTEM_UPGRADE_IMAGES.kubectl);
    });

    it("renders schema-valid objects without host mounts, with resources and a read-only root", () => {
        const objects = Object.values(renderSystemUpgradeControllerObjects());
        expect(objects.map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
        const pod = renderSystemUpgradeControllerObjects().deployment.spec!.template.spec!;
        expect(pod.volumes!.filter((v) => v.hostPath)).toEqual([]);
        expect(pod.containers[0]!.resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } });
        expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
    });
});
