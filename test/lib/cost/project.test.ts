import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import { budgetFloorWarnings, HOURS_PER_MONTH, projectReservationCost } from "../../../lib/cost/project";
import { longhornReplicaCount } from "../../../components/longhorn/values";
import { loadTenantCatalog, otherStackDomains } from "../../../lib/tenants/load";
import { shippedStacks } from "../../../tools/offline/stack-files";
import { project, stackPlatformConfig } from "../../components/project/fixtures";
import { stackConfig } from "../../helpers/config";
import { ROOT } from "../../helpers/synth";

// Storage alone: CPU and memory are free here, so every figure below is storage GiB × replicas × price × hours.
const storageOnly = pricesSchema.parse({ currency: "EUR", cpuCoreHour: 0, memoryGiBHour: 0, storageGiBHour: 0.001 });
const volume = { services: [{ name: "db", image: "ghcr.io/example/db:1.0.0", port: 5432, volumes: [{ name: "data", size: "5Gi", mountPath: "/data" }] }] };

describe("a project's reservation cost", () => {
    it("counts the bucket's quota like a claim of that size: × Longhorn replicas at the volume price", () => {
        const cost = projectReservationCost(project({ bucket: { size: "10Gi" } }), storageOnly, 3);
        // 10 GiB × 3 replicas × 0.001 × 730 h.
        expect(cost.storage).toBeCloseTo(21.9, 10);
        expect(cost.bucket).toBeCloseTo(21.9, 10);
        expect(cost.storageBilledGiB).toBe(30);
        expect(cost.total).toBeCloseTo(21.9, 10);
        expect(HOURS_PER_MONTH).toBe(730);
    });

    it("adds the bucket to the claims", () => {
        // (5 GiB claim + 10 GiB default bucket) × 2 replicas × 0.001 × 730 h; without the bucket only the claim.
        expect(projectReservationCost(project({ ...volume, bucket: {} }), storageOnly, 2).storage).toBeCloseTo(21.9, 10);
        const claimOnly = projectReservationCost(project(volume), storageOnly, 2);
        expect(claimOnly.storage).toBeCloseTo(7.3, 10);
        expect(claimOnly.bucket).toBe(0);
    });

    it("prices CPU and memory requests at full scale", () => {
        const prices = pricesSchema.parse({ currency: "EUR", cpuCoreHour: 0.01, memoryGiBHour: 0.001, storageGiBHour: 0 });
        // One Deployment pod of 500m / 1Gi and its rolling-update surge pod: 1 core and 2 GiB for 730 h.
        const cost = projectReservationCost(project({ services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } } }] }), prices, 3);
        expect(cost.cpu).toBeCloseTo(7.3, 10);
        expect(cost.memory).toBeCloseTo(1.46, 10);
        expect(cost.total).toBeCloseTo(8.76, 10);
    });
});

describe("budgets below the reservation cost", () => {
    const config = { ...stackPlatformConfig("dev"), prices: storageOnly };
    const file = "stacks/dev/projects/shop.yaml";

    it("warn, naming the file, the key, the floor and the bucket's share", () => {
        const warnings = budgetFloorWarnings([{ file, spec: project({ budget: { monthly: 20 }, bucket: { size: "10Gi" } }) }], config, 3);
        expect(warnings).toEqual([
            "stacks/dev/projects/shop.yaml budget.monthly: 20 EUR is below what the project's reservations at full scale cost per month, 21.90 EUR (CPU 0.00 EUR, memory 0.00 EUR, storage 21.90 EUR (of which the bucket 21.90 EUR); platform:prices, storage × 3 Longhorn replicas): the over-budget alert fires whenever it runs at full scale; raise it to 22 or reserve less",
        ]);
    });

    it("stay silent for a budget above the floor or no budget", () => {
        expect(budgetFloorWarnings([{ file, spec: project({ budget: { monthly: 22 }, bucket: { size: "10Gi" } }) }, { file, spec: project({ bucket: {} }) }], config, 3)).toEqual([]);
    });

    it.each(shippedStacks(ROOT))("are not among the shipped tenants of %s (an example whose alert fires every month teaches the wrong budget)", (stack) => {
        const stackPlatform = stackConfig(stack);
        const projects = loadTenantCatalog(ROOT, stack, { config: stackPlatform, stack, otherStackDomains: otherStackDomains(ROOT, stack) });
        expect(projects.length).toBeGreaterThan(0);
        expect(budgetFloorWarnings(projects, stackPlatform, longhornReplicaCount(stackPlatform))).toEqual([]);
    });
});
