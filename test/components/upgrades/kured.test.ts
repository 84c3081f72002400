import { describe, expect, it } from "vitest";
import { KURED_RESOURCES, kuredWorkloads, renderKuredValues } from "../../../components/upgrades/kured";
import { REBOOT_LABEL, UPGRADE_JOB_POD_LABEL } from "../../../components/upgrades/plans";
import { KURED_IMAGE } from "../../../charts/images";
import { CHARTS } from "../../../charts/versions";
import { resourceBlocksIn } from "../../../charts/resources";
import { nodeCount } from "../../../components/nodes/placement";
import { DEFAULT_PACK_CONFIG } from "../../../policy/lib/config";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { InputValidationError } from "../../../lib/validation";
import { rawStackConfig } from "../../helpers/config";
import { shippedConfig } from "../../charts/fixtures";

type KuredValues = {
    image: { repository: string; tag: string };
    configuration: Record<string, unknown>;
    resources: unknown;
    tolerations: unknown[];
    containerSecurityContext: Record<string, unknown>;
    maxUnavailable: number;
};

describe("kured values", () => {
    const fsn1 = shippedConfig("fsn1");
    const values = renderKuredValues(fsn1) as KuredValues;

    it("pin the chart and the image (the chart's appVersion) on an allowed registry", () => {
        expect(CHARTS.kured).toMatchObject({ chart: "kured", version: "6.1.0", repo: "https://kubereboot.github.io/charts" });
        expect(values.image).toEqual({ repository: "ghcr.io/kubereboot/kured", tag: "1.23.0" });
        expect(values.image.tag).toBe(KURED_IMAGE.tag);
        expect(DEFAULT_PACK_CONFIG.allowedRegistries).toContain(values.image.repository.split("/")[0]);
    });

    it("are sized: requests and a memory limit, one pod per node in the sizing report", () => {
        expect(values.resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } });
        expect([...resourceBlocksIn(values).values()]).toContainEqual(KURED_RESOURCES);
        const [workload] = kuredWorkloads(fsn1);
        expect(workload!.pods).toBe(nodeCount(fsn1));
        expect(workload!.containers.kured).toEqual(KURED_RESOURCES);
    });

    it("reboot one node at a time, on the sentinel unattended-upgrades writes, never forcing past a failed drain", () => {
        expect(values.configuration).toMatchObject({
            concurrency: 1,
            rebootSentinel: "/var/run/reboot-required",
            useRebootSentinelHostPath: true,
            forceReboot: false,
            drainTimeout: "30m",
        });
        expect(values.maxUnavailable).toBe(1);
    });

    it("reboot through systemd's signal without a privileged container", () => {
        expect(values.configuration.rebootMethod).toBe("signal");
        expect(values.containerSecurityContext).toEqual({
            privileged: false,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { add: ["KILL"], drop: ["ALL"] },
        });
    });

    it("stay out of the way of k3s upgrades: node labels the Plans exclude, upgrade Job pods block a reboot", () => {
        expect(values.configuration.preRebootNodeLabels).toEqual([`${REBOOT_LABEL.key}=${REBOOT_LABEL.inProgress}`]);
        expect(values.configuration.postRebootNodeLabels).toEqual([`${REBOOT_LABEL.key}=${REBOOT_LABEL.done}`]);
        expect(values.configuration.blockingPodSelector).toEqual([UPGRADE_JOB_POD_LABEL]);
        expect(values.tolerations).toEqual([{ operator: "Exists" }]);
    });

    it("take the reboot window from platform:maintenance", () => {
        const config = parsePlatformConfig(
            rawStackConfig("dev", { "platform:maintenance": JSON.stringify({ rebootDays: ["sa", "su"], rebootStartTime: "01:30", rebootEndTime: "04:00", timeZone: "Europe/Berlin" }) }),
            "Pulumi.dev.yaml",
        ).config;
        expect((renderKuredValues(config) as KuredValues).configuration).toMatchObject({ rebootDays: ["sa", "su"], startTime: "01:30", endTime: "04:00", timeZone: "Europe/Berlin" });
    });

    it("refuse a window kured cannot read, naming the keys", () => {
        let problems: Array<{ path: string }> = [];
        try {
            parsePlatformConfig(
                rawStackConfig("dev", { "platform:maintenance": JSON.stringify({ rebootDays: ["monday"], rebootStartTime: "2am", timeZone: "Mars/Olympus" }) }),
                "Pulumi.dev.yaml",
            );
        } catch (error) {
            expect(error).toBeInstanceOf(InputValidationError);
            problems = (error as InputValidationError).problems;
        }
        expect(problems.map((p) => p.path).sort()).toEqual(["platform:maintenance.rebootDays[0]", "platform:maintenance.rebootStartTime", "platform:maintenance.timeZone"]);
    });
});
