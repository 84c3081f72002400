import { decodeConfigValue } from "../../lib/config/load";
import { SECRET_KEYS } from "../../lib/config/secret-keys";
import { platformConfigSchema, type PlatformConfig } from "../../lib/config/schema";
import { clusterCapacity, estimateMonthlyCost } from "../../lib/cost/estimate";
import { formatCostEstimate } from "../cost/report";
import { criticalPath, formatCriticalPath } from "./critical-path";
import { compareWithRendered, formatOverhead, formatRenderedComparison, limitRangeDefaults, nodeCountsOf, platformOverhead, renderedOverhead } from "./overhead";
import { renderedReleases } from "../../charts/rendered-facts";
import type { PlannedResource, StackPlan } from "./plan-types";
import * as path from "node:path";
import { formatRegionBringUp, pipelineRuntimes, regionBringUp, stagesOfRegion } from "./region-bring-up";
import { DEFAULT_PARALLEL } from "../driver/args";

/**
 * The three sizing reports `npm run plan` prints after the resource tree: monthly cost by pool, platform
 * overhead, and the bring-up critical path. Each section stands alone: a section that cannot be computed
 * (e.g. a server type missing from the price table, a dependency cycle) prints its error in place and the
 * others still render, because the reports inform a review and must not hide the rest of the plan.
 */

/**
 * The validated config from the raw stack config. The program already validated it with secrets present;
 * here only the plain `platform:*` keys are decoded (as Pulumi stores them: objects JSON-encoded) and parsed,
 * so no secret is needed or read.
 */
export function platformConfigFromStack(stackConfig: Readonly<Record<string, string>>): PlatformConfig {
    const plain: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(stackConfig)) {
        if (!fullKey.startsWith("platform:")) {
            continue;
        }
        const key = fullKey.slice("platform:".length);
        if ((SECRET_KEYS as readonly string[]).includes(key)) {
            continue;
        }
        plain[key] = decodeConfigValue(value);
    }
    return platformConfigSchema.parse(plain);
}

function section(title: string, render: () => string): string {
    try {
        return render();
    } catch (error) {
        return `${title}: not available: ${error instanceof Error ? error.message : String(error)}`;
    }
}

/** Renders the cost, overhead and bring-up sections for a synthesized plan and its raw stack config. */
export function renderReports(plan: StackPlan, stackConfig: Record<string, string>): string {
    let config: PlatformConfig | undefined;
    let configError = "";
    try {
        config = platformConfigFromStack(stackConfig);
    } catch (error) {
        configError = error instanceof Error ? error.message : String(error);
    }
    const needConfig = (): PlatformConfig => {
        if (!config) {
            throw new Error(`stack config could not be parsed: ${configError}`);
        }
        return config;
    };
    return [
        section("Monthly cost estimate", () => formatCostEstimate(estimateMonthlyCost(needConfig()))),
        section("Platform overhead", () => {
            const cfg = needConfig();
            const nodes = nodeCountsOf(cfg, plan.stack);
            const estimate = platformOverhead(plan.resources, nodes);
            const releases = renderedReleases(plan.stack);
            const rendered =
                releases.length > 0
                    ? formatRenderedComparison(plan.stack, compareWithRendered(estimate, renderedOverhead(releases, nodes.nodes ?? [], limitRangeDefaults(plan.resources))))
                    : `  no rendered facts for stack ${plan.stack} (charts/rendered/${plan.stack}/): run tools/render-charts.ts`;
            return `${formatOverhead(estimate, clusterCapacity(cfg))}\n${rendered}`;
        }),
        section("Bring-up estimate", () => formatCriticalPath(criticalPath(plan.resources))),
    ].join("\n\n");
}

/**
 * The region's bring-up as the driver runs it (tools/offline/region-bring-up.ts), printed by `npm run plan` once
 * the platform and every tenant stack are planned; `parallel` is the driver's default unless given.
 */
export function renderRegionReport(region: string, platform: readonly PlannedResource[], tenants: ReadonlyArray<{ id: string; app: readonly PlannedResource[]; grants?: readonly PlannedResource[] }>, parallel = DEFAULT_PARALLEL): string {
    // The boundary before each tenant stack follows how its program runs (programs/grants and programs/tenant's Pulumi.yaml).
    const runtimes = pipelineRuntimes(path.resolve(__dirname, "../.."));
    return section("Region bring-up estimate", () => formatRegionBringUp(region, regionBringUp(stagesOfRegion(region, platform, tenants, runtimes), parallel)));
}
