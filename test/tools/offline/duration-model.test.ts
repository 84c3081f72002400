import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RULE, DURATION_RULES, HELM_CHARTS, HELM_CHART_SECONDS, WAIT_FIGURES, type FigureSource } from "../../../tools/offline/durations";

/**
 * The duration model is frozen: the bring-up estimate may only get shorter through the graph. Every figure is
 * recorded in test/fixtures/duration-model.frozen.json with a digest of its source; a figure that changes
 * without its source, or a source that changes without the table, fails here. Changing a figure on purpose
 * means changing its source (where the new number comes from) and the table in the same commit.
 */
const FROZEN_FILE = path.resolve(__dirname, "../../fixtures/duration-model.frozen.json");
const frozen = JSON.parse(fs.readFileSync(FROZEN_FILE, "utf8")) as Record<string, { seconds: number; sourceDigest: string }>;

const digest = (source: FigureSource) => createHash("sha256").update(JSON.stringify(source)).digest("hex").slice(0, 16);

const figures: Array<{ key: string; seconds: number; source: FigureSource }> = [
    ...[...DURATION_RULES, DEFAULT_RULE].map((r) => ({ key: `rule:${r.id}`, seconds: r.seconds, source: r.source })),
    ...Object.entries(HELM_CHARTS).map(([chart, f]) => ({ key: `helm:${chart}`, seconds: f.seconds, source: f.source })),
    ...Object.entries(WAIT_FIGURES).map(([id, f]) => ({ key: `wait:${id}`, seconds: f.seconds, source: f.source as FigureSource })),
];

describe("duration model: frozen figures with sources", () => {
    it("has exactly the figures of the frozen table (none added or removed silently)", () => {
        expect(figures.map((f) => f.key).sort()).toEqual(Object.keys(frozen).sort());
    });

    it.each(figures)("$key keeps its frozen figure and source", ({ key, seconds, source }) => {
        const entry = frozen[key]!;
        const sourceChanged = entry.sourceDigest !== digest(source);
        if (seconds !== entry.seconds && !sourceChanged) {
            throw new Error(`${key}: figure changed from ${entry.seconds} s to ${seconds} s but its source did not; record where the new figure comes from`);
        }
        if (sourceChanged) {
            throw new Error(`${key}: the source changed; review it and update ${path.basename(FROZEN_FILE)} (seconds and sourceDigest) in the same commit`);
        }
        expect(seconds).toBe(entry.seconds);
    });

    it.each(figures)("$key says what it rests on and whether it is a judgement", ({ key, source }) => {
        expect(source.reasoning, key).toMatch(/^(judgement|structural): \S/);
        for (const ref of source.refs) {
            // A URL, or a repository path (`owner/repo@tag:path`, a path of this repository, or the shared design).
            expect(ref, key).toMatch(/^(https:\/\/\S+|[\w.-]+\/[\w.-]+@[\w./-]+:\S+|(components|tools|charts|lib)\/\S+\.ts|\/work\/shared\/DESIGN\.md)( \(.+\))?$/);
        }
        if (source.reasoning.startsWith("judgement:") && source.refs.length === 0) {
            // A judgement without references must say that nothing upstream was consulted or found.
            expect(source.reasoning, key).toMatch(/no upstream|provider plugin|no other rule/);
        }
    });

    it("the per-chart seconds are the chart figures", () => {
        expect(HELM_CHART_SECONDS).toEqual(Object.fromEntries(Object.entries(HELM_CHARTS).map(([c, f]) => [c, f.seconds])));
    });

    it("the frozen figures are the ones the 13 min 47 s dev estimate was computed with (issue 16)", () => {
        // Written out by hand from tools/offline/durations.ts as of fe477cd, not read from the model.
        const before: Record<string, number> = {
            "rule:component": 0, "rule:baremetal-install": 900, "rule:robot-api": 5, "rule:hcloud-server": 45, "rule:hcloud-floating-ip": 5,
            "rule:hcloud-api": 2, "rule:k3s-install": 90, "rule:remote-command": 10, "rule:helm-release": 90, "rule:k8s-workload": 30,
            "rule:k8s-object": 2, "rule:tailscale-key": 1, "rule:local": 0.1, "rule:provider": 1, "rule:default": 2,
            "helm:metallb": 60, "helm:traefik": 60, "helm:cert-manager": 90, "helm:cert-manager-webhook-hetzner": 60, "helm:prometheus-operator-crds": 30,
            "helm:longhorn": 180, "helm:minio": 120, "helm:kube-prometheus-stack": 180, "helm:loki": 120, "helm:promtail": 60, "helm:alloy": 60, "helm:argo-cd": 120,
        };
        // Added since, each for a resource no earlier rule described (its create was timed as an SSH round trip):
        // the build digest read-back, one Kubernetes API call from a local process.
        const corrections: Record<string, number> = { "rule:local-api-read": 2 };
        expect(Object.fromEntries(Object.entries(frozen).filter(([k]) => !k.startsWith("wait:")).map(([k, v]) => [k, v.seconds]))).toEqual({ ...before, ...corrections });
    });

    it("adds only the waits the lower bound left out (issue 16): a volume user after Longhorn, an agent after its server, a stack after the one before (TypeScript or JavaScript program), a polling Job after its Service", () => {
        // Written out by hand when the figures were added; each is a wait no earlier figure covered. service-poll came
        // with the registry configurator created beside Harbor's release (it probes Harbor itself, every 10 s).
        // stack-boundary-javascript came with the tenant pipeline's programs run as JavaScript (programs/compiled.cjs).
        const added: Record<string, number> = { "wait:volume-user": 35, "wait:k3s-agent-join": 20, "wait:stack-boundary": 30, "wait:service-poll": 15, "wait:stack-boundary-javascript": 10 };
        expect(Object.fromEntries(Object.entries(frozen).filter(([k]) => k.startsWith("wait:")).map(([k, v]) => [k, v.seconds]))).toEqual(added);
    });
});
