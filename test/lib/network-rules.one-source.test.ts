import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as rules from "../../lib/network-rules";
import { METADATA_ADDRESS as PACK_METADATA_ADDRESS, SMTP_PORTS as PACK_SMTP_PORTS } from "../../policy/lib/network-policy";
import * as packNetwork from "../../policy/lib/network";
import { EGRESS_EXCEPT } from "../../components/project/network-policies";

/**
 * lib/network-rules.ts is the one source of the tenant network facts and of the CIDR arithmetic, for the program
 * and the policy pack alike (the pack already imports lib/conventions and charts/images; this module imports only
 * node:net). No copy remains to hold equal: these tests fail when one comes back.
 */
describe("network rules: one source for the program and the policy pack", () => {
    it("the pack refuses the program's own mail ports and guards its own metadata range", () => {
        expect(PACK_SMTP_PORTS).toBe(rules.SMTP_PORTS);
        expect([...rules.SMTP_PORTS]).toEqual([25, 465, 587, 2525]);
        expect(PACK_METADATA_ADDRESS).toBe(rules.CLOUD_METADATA_RANGES[0]);
        expect(rules.CLOUD_METADATA_RANGES).toEqual(["169.254.169.254/32"]);
        // Each range is inside one of the internet rule's except blocks (the whole link-local /16 covers metadata).
        for (const range of [...rules.CLOUD_METADATA_RANGES, ...rules.PRIVATE_RANGES]) {
            expect(EGRESS_EXCEPT.some((except) => rules.ipv4CidrContains(except, range)), range).toBe(true);
        }
    });

    it("the pack's CIDR parsing and containment are the program's functions", () => {
        expect(packNetwork.parseCidr).toBe(rules.parseCidr);
        expect(packNetwork.cidrContains).toBe(rules.cidrContains);
        expect(packNetwork.cidrTextContains).toBe(rules.cidrTextContains);
    });

    it("no other module parses dotted-quad or hex groups into numbers by hand", () => {
        // The shape every hand-written copy had: octets folded with `* 256 +` or `<< 8n`.
        const handParsing = /\*\s*256\s*\+|<<\s*8n|<<\s*16n/;
        const offenders: string[] = [];
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(file);
                } else if (file.endsWith(".ts") && file !== path.join("lib", "network-rules.ts") && handParsing.test(fs.readFileSync(file, "utf8"))) {
                    offenders.push(file);
                }
            }
        };
        for (const root of ["components", "lib", "policy", "programs", "tools", "charts"]) {
            walk(root);
        }
        expect(offenders).toEqual([]);
        // Not vacuous: the one source does contain it.
        expect(handParsing.test(fs.readFileSync(path.join("lib", "network-rules.ts"), "utf8"))).toBe(true);
    });
});
