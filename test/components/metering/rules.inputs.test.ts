import { describe, expect, it } from "vitest";
import { renderAlertRuleGroups, renderMeteringRuleGroups, type BillingContext, type MeteringPrices } from "../../../components/metering/rules";

/**
 * The input checks in front of the rule renderers, at their edges: what is accepted exactly at a bound and
 * refused one step past it, with the message written out here. Bad prices or a bad billing context would be
 * written into PromQL that Prometheus loads; the renderer refuses them instead. Part of the metering-rules guard
 * set of `npm run mutation` (test/mutations/modules.json).
 */

const prices: MeteringPrices = { currency: "EUR", cpuCoreHour: 0.0071, memoryGiBHour: 0.0031, storageGiBHour: 0.00011, networkEgressGiB: 0.0013 };
const billing: BillingContext = { region: "fsn1", storageReplicas: 3 };

const withPrices = (changes: Partial<MeteringPrices>) => () => renderMeteringRuleGroups({ ...prices, ...changes }, billing);
const withBilling = (changes: Partial<BillingContext>) => () => renderMeteringRuleGroups(prices, { ...billing, ...changes });

describe("metering prices", () => {
    it("take a three-letter upper-case currency code and nothing around it", () => {
        expect(withPrices({ currency: "CHF" })).not.toThrow();
        for (const currency of ["EU", "EURO", "eur", " EUR", "EUR ", "E1R"]) {
            expect(withPrices({ currency }), currency).toThrow(`metering: currency "${currency}" must be a three-letter ISO code`);
        }
    });

    it("accept a price of zero for each key and refuse a negative or non-finite one, naming the key", () => {
        for (const key of ["cpuCoreHour", "memoryGiBHour", "storageGiBHour", "networkEgressGiB"] as const) {
            expect(withPrices({ [key]: 0 }), key).not.toThrow();
            expect(withPrices({ [key]: -0.001 }), key).toThrow(`metering: price ${key} must be a finite number >= 0, got -0.001`);
            expect(withPrices({ [key]: Number.NaN }), key).toThrow(`metering: price ${key} must be a finite number >= 0, got NaN`);
        }
    });

    it("are checked by the alert renderer too", () => {
        expect(() => renderAlertRuleGroups([{ name: "shop" }], { ...prices, currency: "eur" })).toThrow('metering: currency "eur" must be a three-letter ISO code');
        expect(() => renderAlertRuleGroups([{ name: "shop" }], { ...prices, memoryGiBHour: -1 })).toThrow("metering: price memoryGiBHour must be a finite number >= 0, got -1");
    });
});

describe("metering billing context", () => {
    it("needs a whole number of at least one storage replica", () => {
        expect(withBilling({ storageReplicas: 1 })).not.toThrow();
        for (const storageReplicas of [0, -1, 1.5, Number.NaN]) {
            expect(withBilling({ storageReplicas }), String(storageReplicas)).toThrow(`metering: storageReplicas must be a positive integer (Longhorn numberOfReplicas), got ${storageReplicas}`);
        }
    });

    it("needs a lowercase region name, anchored at both ends", () => {
        expect(withBilling({ region: "us-east-1" })).not.toThrow();
        for (const region of ["Fsn1", " fsn1", "fsn1 ", "fsn_1", ""]) {
            expect(withBilling({ region }), JSON.stringify(region)).toThrow(`metering: region "${region}" must be a lowercase name such as fsn1`);
        }
    });

    it("takes no infrastructure cost, or a finite one of at least zero", () => {
        expect(withBilling({ infrastructureMonthlyEur: undefined })).not.toThrow();
        expect(withBilling({ infrastructureMonthlyEur: 0 })).not.toThrow();
        for (const infrastructureMonthlyEur of [-0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
            expect(withBilling({ infrastructureMonthlyEur }), String(infrastructureMonthlyEur)).toThrow(`metering: infrastructureMonthlyEur must be a finite number >= 0, got ${infrastructureMonthlyEur}`);
        }
    });

    it("evaluates every minute by default, or every whole number of minutes that divides an hour", () => {
        for (const evaluationMinutes of [undefined, 1, 5, 15, 60]) {
            expect(withBilling({ evaluationMinutes }), String(evaluationMinutes)).not.toThrow();
        }
        for (const evaluationMinutes of [0, -1, 7, 1.5, 120]) {
            expect(withBilling({ evaluationMinutes }), String(evaluationMinutes)).toThrow(`metering: evaluationMinutes must divide an hour, got ${evaluationMinutes}`);
        }
    });
});
