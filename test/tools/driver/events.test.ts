import { describe, expect, it } from "vitest";
import { countsFromOpMap, EventCollector, opMapHasChanges, summarizeEvents } from "../../../tools/driver/events";
import { loadEngineEvents } from "../../helpers/fake-workspace";

describe("change summary from engine events", () => {
    it("counts a preview per type, a replacement once, and takes totals from the summary event", () => {
        const summary = summarizeEvents(loadEngineEvents("preview-changes"));
        expect(summary.totals).toEqual({ create: 2, update: 2, replace: 1, delete: 1, same: 6, other: 0 });
        expect(summary.byType["hcloud:index/server:Server"]).toEqual({ create: 0, update: 0, replace: 1, delete: 0, same: 0, other: 0 });
        expect(summary.byType["hcloud:index/firewall:Firewall"]?.update).toBe(1);
        expect(summary.byType["hcloud:index/placementGroup:PlacementGroup"]?.delete).toBe(1);
        expect(summary.byType["tailscale:index/tailnetKey:TailnetKey"]?.create).toBe(1);
        expect(summary.byType["pulumi:pulumi:Stack"]?.same).toBe(1);
        expect(Object.keys(summary.byType)).toEqual([...Object.keys(summary.byType)].sort((a, b) => a.localeCompare(b)));
        expect(summary.hasChanges).toBe(true);
        expect(summary.complete).toBe(true);
        expect(summary.durationSeconds).toBe(14);
    });

    it("agrees with the engine's own totals when counting the steps itself", () => {
        const events = loadEngineEvents("preview-changes").filter((event) => !event.summaryEvent);
        const summary = summarizeEvents(events);
        expect(summary.complete).toBe(false);
        expect(summary.totals).toEqual({ create: 2, update: 2, replace: 1, delete: 1, same: 6, other: 0 });
        expect(summary.hasChanges).toBe(true);
    });

    it("keeps warnings and policy results, strips the CLI's colour directives, reads PolicyPacks", () => {
        const summary = summarizeEvents(loadEngineEvents("preview-changes"));
        expect(summary.diagnostics).toEqual([
            {
                severity: "warning",
                message: "server type cx42 is deprecated in fsn1 and will be unavailable after 2026-01-01",
                urn: "urn:pulumi:dev::platform::pulumi:pulumi:Stack$platform:nodes:Infrastructure$platform:nodes:CloudNode$hcloud:index/server:Server::dev-run-0",
            },
        ]);
        expect(summary.policyViolations).toHaveLength(1);
        expect(summary.policyViolations[0]).toMatchObject({ pack: "platform-security", policy: "hcloud-server-labels", enforcementLevel: "advisory" });
        expect(summary.policyViolations[0]?.message).toBe("Servers should carry the label platform.example.com/pool.\nAdd labels.pool to the server spec.");
        expect(summary.mandatoryViolations).toBe(0);
        expect(summary.policyPacks).toEqual({ "platform-security": "v0.1.0" });
    });

    it("counts mandatory violations and lists them first", () => {
        const summary = summarizeEvents(loadEngineEvents("preview-policy-violation"));
        expect(summary.mandatoryViolations).toBe(1);
        expect(summary.policyViolations.map((v) => v.enforcementLevel)).toEqual(["mandatory", "advisory"]);
        expect(summary.policyViolations[0]).toMatchObject({
            policy: "no-privileged-containers",
            urn: "urn:pulumi:hel1::platform::pulumi:pulumi:Stack$platform:project:Project$kubernetes:apps/v1:Deployment::shop-web",
        });
    });

    it("sees drift in a preview with refresh, and none when everything is the same", () => {
        const found = summarizeEvents(loadEngineEvents("drift-found"));
        expect(found.hasChanges).toBe(true);
        expect(found.byType["hcloud:index/firewall:Firewall"]).toMatchObject({ update: 1, same: 0 });
        // The refresh steps of the same resources are not counted on top of the diff.
        expect(found.totals.other).toBe(0);
        const none = summarizeEvents(loadEngineEvents("drift-none"));
        expect(none.hasChanges).toBe(false);
        expect(none.totals).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 5, other: 0 });
    });

    it("summarises a refresh from its refresh steps: changed, gone, unchanged", () => {
        const summary = summarizeEvents(loadEngineEvents("refresh"));
        expect(summary.byType).toEqual({
            "hcloud:index/firewall:Firewall": { create: 0, update: 1, replace: 0, delete: 0, same: 0, other: 0 },
            "hcloud:index/floatingIp:FloatingIp": { create: 0, update: 0, replace: 0, delete: 1, same: 0, other: 0 },
            "hcloud:index/server:Server": { create: 0, update: 0, replace: 0, delete: 0, same: 1, other: 0 },
        });
        expect(summary.totals).toEqual({ create: 0, update: 1, replace: 0, delete: 1, same: 1, other: 0 });
    });

    it("records failed resources and error diagnostics of a failed update", () => {
        const summary = summarizeEvents(loadEngineEvents("up-failed"));
        expect(summary.failedResources).toEqual([
            {
                op: "create",
                type: "command:remote:Command",
                urn: "urn:pulumi:dev::platform::pulumi:pulumi:Stack$platform:cluster:K3sCluster$command:remote:Command::dev-server-0-k3s-start",
            },
        ]);
        // The failed create did not happen: it is listed above, not counted as a change.
        expect(summary.byType["command:remote:Command"]).toBeUndefined();
        expect(summary.diagnostics.map((d) => d.severity)).toEqual(["error", "error"]);
        expect(summary.diagnostics[1]?.message).toBe("update failed");
        expect(summary.hasChanges).toBe(false);
    });

    it("ignores the program's console output and ephemeral diagnostics", () => {
        const collector = new EventCollector();
        collector.onEvent({ sequence: 1, timestamp: 1, diagnosticEvent: { message: "hello from index.ts\n", color: "raw", severity: "info" } });
        collector.onEvent({ sequence: 2, timestamp: 2, diagnosticEvent: { message: "progress", color: "raw", severity: "warning", ephemeral: true } });
        expect(collector.summary().diagnostics).toEqual([]);
        expect(collector.count).toBe(2);
    });

    it("treats same/read/refresh as no change and folds replacement parts away", () => {
        expect(opMapHasChanges({ same: 40, read: 2, refresh: 3 })).toBe(false);
        expect(opMapHasChanges({ same: 40, delete: 1 })).toBe(true);
        expect(opMapHasChanges({ same: 40, import: 1 })).toBe(true);
        expect(countsFromOpMap({ replace: 1, "create-replacement": 1, "delete-replaced": 1, read: 2 })).toEqual({ create: 0, update: 0, replace: 1, delete: 0, same: 0, other: 2 });
    });
});
