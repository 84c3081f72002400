import type { CostEstimate } from "../../lib/cost/estimate";

/**
 * The printed cost report of `npm run plan` (tools/offline/reports.ts). The estimate itself is program
 * library (lib/cost/estimate.ts): the platform program reads its total for the idle cost line, and program
 * code never imports tools/.
 */

/** Human-readable estimate: one block per line, then the total with the share of unverified prices. */
export function formatCostEstimate(estimate: CostEstimate): string {
    const eur = (n: number) => `EUR ${n.toFixed(2).padStart(8)}`;
    const out: string[] = [`Monthly cost estimate (EUR, excl. VAT; Hetzner list prices read ${estimate.pricesReadOn}; lib/hetzner/server-types.ts, lib/cost/prices.ts):`];
    for (const line of estimate.lines) {
        out.push(`  ${line.pool.padEnd(16)} ${eur(line.monthlyEur)}${line.notes.length > 0 ? `   (${line.notes.join("; ")})` : ""}`);
        for (const i of line.items) {
            const flag = i.basis === "verified" ? "" : ` [${i.basis}]`;
            out.push(`      ${String(i.quantity).padStart(3)} × ${i.description} @ ${i.unitMonthlyEur.toFixed(2)}${flag}`);
        }
    }
    out.push(`  ${"total".padEnd(16)} ${eur(estimate.totalMonthlyEur)}`);
    out.push(
        `  ${Math.round(estimate.unverifiedShare * 100)}% of the total rests on prices not read from Hetzner directly: [transcribed] (a dated copy of Hetzner's page after the 2026-06-15 adjustment), [derived] (such a figure minus the IPv4 it includes), [dated] (before 2026-04-01: likely low) or [assumed] (no source found).`,
    );
    out.push(`  Traffic: ${estimate.includedTrafficTb} TB/month egress included with the cloud servers; beyond that EUR ${estimate.trafficOveragePerTbEur.toFixed(2)}/TB.`);
    return out.join("\n");
}
