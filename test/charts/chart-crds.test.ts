import { describe, expect, it } from "vitest";
import { CHARTS, type ChartKey } from "../../charts/versions";
import { CHART_CRDS, chartCrdUrls, crdNameOfFile } from "../../charts/crds";
import { renderedReleases } from "../../charts/rendered-facts";
import { readPlan, STACKS } from "../helpers/plans";

const keyOf = (chart: string) => (Object.keys(CHARTS) as ChartKey[]).find((k) => CHARTS[k].chart === chart)!;

/** Charts whose rendered facts list CRDs under `crds/` (which Helm never upgrades). */
const withCrdsFolder = new Map(STACKS.flatMap((s) => renderedReleases(s)).filter((r) => r.crdsDirectoryCrds.length > 0).map((r) => [keyOf(r.chart), r.crdsDirectoryCrds]));

describe("CRDs shipped under crds/ (Helm installs them once, never upgrades them)", () => {
    it("are found in the rendered facts (Traefik's and Velero's, at the pinned version)", () => {
        expect([...withCrdsFolder.keys()].sort()).toEqual(Object.keys(CHART_CRDS).sort());
    });

    it.each([...withCrdsFolder.keys()])("%s: the manifest table names exactly the chart's CRDs, at the pinned tag", (key) => {
        const entry = CHART_CRDS[key]!;
        expect(entry.files.map((f) => crdNameOfFile(f, entry.group)).sort()).toEqual([...withCrdsFolder.get(key)!].sort());
        // The tag names the pinned version (`v41.3.0`, `velero-12.1.0`), and every URL is at that tag.
        expect(entry.tag.endsWith(CHARTS[key].version.replace(/^v/, ""))).toBe(true);
        for (const url of chartCrdUrls(key)) {
            expect(url).toContain(`/${entry.tag}/`);
        }
    });

    it.each(STACKS.flatMap((s) => [...withCrdsFolder.keys()].map((k) => [s, k] as const)))("%s/%s: applied as resources ordered before the release, which skips crds/", (stack, key) => {
        const { resources } = readPlan(stack);
        const group = resources.find((r) => r.type === "kubernetes:yaml/v2:ConfigGroup" && JSON.stringify(r.inputs.files) === JSON.stringify(chartCrdUrls(key)));
        expect(group, "ConfigGroup with the chart's CRD manifests").toBeDefined();
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === CHARTS[key].chart);
        expect(release?.inputs.skipCrds).toBe(true);
        expect(release?.dependencies).toContain(group!.urn);
    });
});
