import { describe, expect, it } from "vitest";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { validateResourceOfType } from "@pulumi/policy";
import { Firewall, Server } from "@pulumi/hcloud";
import { compliantStack, component, edit, hcloudFirewall, planned, podSpecIn, workload } from "../helpers/policy-fixtures";
import { evaluatePolicies, evaluatePolicyReport, formatViolations, NotApplicableSignal, type PolicyViolation } from "../../policy/offline";
import { DEFAULT_PACK_CONFIG, packConfig } from "../../policy/lib/config";
import { POLICIES } from "../../policy/rules";

/** A resource policy that records the args it was given. */
function recorder(seen: ResourceValidationArgs[]): ResourceValidationPolicy {
    return { name: "recorder", description: "records args", enforcementLevel: "advisory", validateResource: (args) => void seen.push(args) };
}

describe("evaluatePolicies", () => {
    it("reuses a configuration per content, never per object: a changed config object is read again", () => {
        const open30303 = edit(hcloudFirewall(), (i) => i.rules.push({ direction: "in", protocol: "tcp", port: "30303", sourceIps: ["0.0.0.0/0", "::/0"] }));
        const messages = (config: Parameters<typeof evaluatePolicies>[1]) => evaluatePolicies([open30303], config).map((v) => `${v.policy}: ${v.message}`);
        const refused = messages({});
        expect(refused.join("\n")).toMatch(/opens 30303\/tcp to the Internet, which allowedPublicPorts does not list/);
        const config: { allowedPublicPorts: Array<string | number> } = { allowedPublicPorts: [...DEFAULT_PACK_CONFIG.allowedPublicPorts] };
        expect(messages(config)).toEqual(refused);
        // The same object, changed: the rules see the change.
        config.allowedPublicPorts.push("30303/tcp");
        const allowed = messages(config);
        expect(allowed.join("\n")).not.toMatch(/30303/);
        expect(messages({})).toEqual(refused);
        expect(messages({ allowedPublicPorts: config.allowedPublicPorts })).toEqual(allowed);
    });

    it("runs the whole pack over a compliant stack without a violation", () => {
        const report = evaluatePolicyReport(compliantStack());
        expect(report.violations).toEqual([]);
        expect(report.policiesRun).toBe(POLICIES.length);
    });

    it("passes resource policies faithful args: props, urn, name, opts, provider, stack tags, secret inputs", () => {
        const seen: ResourceValidationArgs[] = [];
        const provider = planned("pulumi:providers:kubernetes", "k3s-provider", { clusterIdentifier: "platform-dev" });
        const parent = component("platform:project:Project", "shop");
        const deployment = planned("kubernetes:apps/v1:Deployment", "web", { metadata: { name: "web" } }, {
            parent: parent.urn,
            provider: `${provider.urn}::k3s-provider-id`,
            dependencies: [parent.urn],
            additionalSecretOutputs: ["status"],
            secretInputs: ["metadata"],
        });
        evaluatePolicies([provider, parent, deployment], {}, { policies: [recorder(seen)], stackTags: { team: "platform" } });
        // Components are not analyzed; the provider and the Deployment are custom resources.
        expect(seen.map((a) => a.name)).toEqual(["k3s-provider", "web"]);
        const args = seen[1]! as ResourceValidationArgs & { secretInputs: string[] };
        expect(args).toMatchObject({ type: deployment.type, urn: deployment.urn, name: "web", props: deployment.inputs, secretInputs: ["metadata"] });
        expect(args.opts).toEqual({
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: ["status"],
            parent: parent.urn,
            dependsOn: [parent.urn],
            provider: `${provider.urn}::k3s-provider-id`,
        });
        expect(args.provider).toEqual({ type: provider.type, props: provider.inputs, urn: provider.urn, name: "k3s-provider" });
        expect(args.stackTags.get("team")).toBe("platform");
    });

    it("implements isType/asType on the type token, as the engine does, so @pulumi/policy helpers work", () => {
        const seen: ResourceValidationArgs[] = [];
        const firewall = hcloudFirewall();
        evaluatePolicies([firewall], {}, { policies: [recorder(seen)] });
        expect(seen[0]!.isType(Firewall)).toBe(true);
        expect(seen[0]!.isType(Server)).toBe(false);
        expect(seen[0]!.asType(Firewall)).toBe(firewall.inputs);
        expect(seen[0]!.asType(Server)).toBeUndefined();

        const typed: ResourceValidationPolicy = {
            name: "typed",
            description: "no port 22",
            enforcementLevel: "mandatory",
            validateResource: validateResourceOfType(Firewall, (fw, _args, report) => {
                for (const rule of fw.rules ?? []) if (rule.port === "22" && rule.sourceIps?.includes("0.0.0.0/0")) report("opens 22");
            }),
        };
        const open = edit(firewall, (i) => i.rules.push({ direction: "in", protocol: "tcp", port: "22", sourceIps: ["0.0.0.0/0"] }));
        expect(evaluatePolicies([open, workload()], {}, { policies: [typed] })).toEqual([
            { policy: "typed", enforcementLevel: "mandatory", urn: open.urn, type: open.type, name: open.name, message: "opens 22" },
        ]);
    });

    it("gives getConfig the defaults merged with the given config, frozen so no rule can change it for the next", () => {
        const configs: unknown[] = [];
        const mutations: string[] = [];
        const policy: ResourceValidationPolicy = {
            name: "config-reader",
            description: "reads config",
            validateResource: (args) => {
                const config = args.getConfig<{ platformNamespaces: string[] }>();
                configs.push(structuredClone(config));
                try {
                    config.platformNamespaces.push("mutated");
                    mutations.push("allowed");
                } catch (error) {
                    mutations.push((error as Error).constructor.name);
                }
            },
        };
        evaluatePolicies([workload(), workload("Pod")], { allowedRegistries: ["registry.example.com"] }, { policies: [policy] });
        const expected = { ...DEFAULT_PACK_CONFIG, allowedRegistries: ["registry.example.com"] };
        expect(configs).toEqual([expected, expected]);
        expect(mutations).toEqual(["TypeError", "TypeError"]);
    });

    it("refuses a config with the wrong types", () => {
        expect(() => evaluatePolicies([], { platformNamespaces: "traefik" as unknown as string[] })).toThrow("policy config platformNamespaces must be a list of strings");
    });

    it("consults a rule's type filter up front with the same outcome as running the rule", () => {
        // The whole pack over a compliant stack: the report built with up-front filters (offline) must match
        // the one built by calling every rule and catching its not-applicable signal (CrossGuard's way).
        const resources = compliantStack();
        const thrownOnly = POLICIES.map((policy): ResourceValidationPolicy | StackValidationPolicy => {
            if (!("validateResource" in policy) || !policy.validateResource) return policy;
            const validations = ([] as Array<(a: ResourceValidationArgs, r: (m: string) => void) => unknown>).concat(policy.validateResource as never);
            // Plain functions: no `notApplicableReason`, so the evaluator must call them.
            return { ...policy, validateResource: validations.map((v) => (args: ResourceValidationArgs, report: (m: string) => void) => v(args, report)) } as ResourceValidationPolicy;
        });
        const filtered = evaluatePolicyReport(resources);
        const called = evaluatePolicyReport(resources, {}, { policies: thrownOnly });
        expect(filtered.notApplicable.length).toBeGreaterThan(resources.length);
        expect(filtered).toEqual(called);
        expect(evaluatePolicyReport(resources, {}, { recordNotApplicable: false }).notApplicable).toEqual([]);

        // With violations present, both ways (and both record settings) report the same, in the same order.
        const broken = [
            ...resources,
            edit(workload("Deployment", "rogue"), (inputs) => (podSpecIn(inputs).containers[0].securityContext.privileged = true)),
            edit(workload("StatefulSet", "rogue-db"), (inputs) => (podSpecIn(inputs, "StatefulSet").hostNetwork = true)),
        ];
        const expected = evaluatePolicyReport(broken, {}, { policies: thrownOnly }).violations;
        expect(expected.length).toBeGreaterThanOrEqual(2);
        expect(evaluatePolicyReport(broken).violations).toEqual(expected);
        expect(evaluatePolicyReport(broken, {}, { recordNotApplicable: false }).violations).toEqual(expected);
    });

    it("records notApplicable instead of a violation", () => {
        const policy: ResourceValidationPolicy = { name: "na", description: "d", validateResource: (args) => args.notApplicable("not mine") };
        const report = evaluatePolicyReport([workload()], {}, { policies: [policy] });
        expect(report.violations).toEqual([]);
        expect(report.notApplicable).toEqual([{ policy: "na", urn: workload().urn, reason: "not mine" }]);
        expect(new NotApplicableSignal("x").reason).toBe("x");
    });

    it("hands stack policies PolicyResources with parents and dependencies resolved, components included", () => {
        let seen: StackValidationArgs | undefined;
        const parent = component("platform:nodes:Infrastructure", "nodes");
        const firewall = { ...hcloudFirewall(), parent: parent.urn };
        const server = planned("hcloud:index/server:Server", "s", {}, { parent: parent.urn, dependencies: [firewall.urn, "urn:not-in-plan"] });
        const policy: StackValidationPolicy = {
            name: "stack",
            description: "stack-wide",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                seen = args;
                report("stack-wide problem");
                report("about the server", server.urn);
            },
        };
        const violations = evaluatePolicies([parent, firewall, server], {}, { policies: [policy] });
        const byName = new Map(seen!.resources.map((r) => [r.name, r] as [string, PolicyResource]));
        expect([...byName.keys()]).toEqual(["nodes", "nodes-edge-fw", "s"]);
        expect(byName.get("s")!.parent).toBe(byName.get("nodes"));
        expect(byName.get("s")!.dependencies).toEqual([byName.get("nodes-edge-fw")]);
        expect(byName.get("nodes-edge-fw")!.isType(Firewall)).toBe(true);
        expect(seen!.getConfig()).toEqual(DEFAULT_PACK_CONFIG);
        expect(violations).toEqual([
            { policy: "stack", enforcementLevel: "mandatory", message: "stack-wide problem" },
            { policy: "stack", enforcementLevel: "mandatory", urn: server.urn, type: server.type, name: "s", message: "about the server" },
        ]);
    });

    it("honours enforcement overrides: disabled skips, remediate reports as mandatory, advisory downgrades", () => {
        const privileged = edit(workload(), (i) => (podSpecIn(i).containers[0].securityContext.privileged = true));
        const levels = (enforcementLevels: Record<string, "advisory" | "mandatory" | "remediate" | "disabled">) =>
            evaluatePolicies([privileged], {}, { enforcementLevels }).filter((v) => v.policy === "workload-no-privileged").map((v) => v.enforcementLevel);
        expect(levels({})).toEqual(["mandatory"]);
        expect(levels({ "workload-no-privileged": "disabled" })).toEqual([]);
        expect(levels({ "workload-no-privileged": "advisory" })).toEqual(["advisory"]);
        expect(levels({ "workload-no-privileged": "remediate" })).toEqual(["mandatory"]);
        expect(evaluatePolicyReport([privileged], {}, { enforcementLevels: { "workload-no-privileged": "disabled" } }).policiesRun).toBe(POLICIES.length - 1);
    });

    it("shares the rule lists between runs, never their reports: stacks evaluated in turn each get their own violations, as when run alone", () => {
        const privileged = edit(workload("Deployment", "rogue"), (i) => (podSpecIn(i).containers[0].securityContext.privileged = true));
        const hostNetwork = edit(workload("StatefulSet", "rogue-db"), (inputs) => (podSpecIn(inputs, "StatefulSet").hostNetwork = true));
        const first = [...compliantStack(), privileged];
        const second = [...compliantStack(), hostNetwork];
        // Alone: each through a policy list no other run used (copies of the pack's list).
        const alone = [evaluatePolicyReport(first, {}, { policies: [...POLICIES] }), evaluatePolicyReport(second, {}, { policies: [...POLICIES] })];
        const names = (report: ReturnType<typeof evaluatePolicyReport>) => [...new Set(report.violations.map((v) => v.urn))];
        expect(names(alone[0]!)).toEqual([privileged.urn]);
        expect(names(alone[1]!)).toEqual([hostNetwork.urn]);
        // In turn, with the shared list, a disabled policy in between and both record settings.
        for (let round = 0; round < 2; round++) {
            expect(evaluatePolicyReport(first)).toEqual(alone[0]);
            expect(evaluatePolicyReport(first, {}, { enforcementLevels: { "workload-no-privileged": "disabled" } }).violations).toEqual([]);
            expect(evaluatePolicyReport(second)).toEqual(alone[1]);
            expect(evaluatePolicies(first)).toEqual(alone[0]!.violations);
        }
    });

    it("packConfig resolves a frozen config once, frozen (no rule changes it for the next); an unfrozen one afresh", () => {
        const frozen = Object.freeze({ allowedRegistries: Object.freeze(["registry.example.com"]) });
        const args = { getConfig: <T extends object>() => frozen as unknown as T };
        const resolved = packConfig(args);
        expect(resolved).toEqual({ ...DEFAULT_PACK_CONFIG, allowedRegistries: ["registry.example.com"] });
        expect(packConfig(args)).toBe(resolved);
        expect(() => (resolved.platformNamespaces as string[]).push("mutated")).toThrow(TypeError);
        expect(packConfig(args).platformNamespaces).toEqual(DEFAULT_PACK_CONFIG.platformNamespaces);
        const open: Record<string, unknown> = { allowedRegistries: ["a.example.com"] };
        const openArgs = { getConfig: <T extends object>() => open as T };
        expect(packConfig(openArgs).allowedRegistries).toEqual(["a.example.com"]);
        open.allowedRegistries = ["b.example.com"];
        expect(packConfig(openArgs).allowedRegistries).toEqual(["b.example.com"]);
        expect(packConfig(openArgs)).not.toBe(packConfig(openArgs));
    });

    it("fails loudly when a rule throws or is asynchronous (the engine would fail the preview too)", () => {
        const broken: ResourceValidationPolicy = { name: "broken", description: "d", validateResource: () => { throw new Error("boom"); } };
        expect(() => evaluatePolicies([workload()], {}, { policies: [broken] })).toThrow(`policy broken failed on ${workload().urn}: boom`);
        const async: ResourceValidationPolicy = { name: "async", description: "d", validateResource: async () => undefined };
        expect(() => evaluatePolicies([workload()], {}, { policies: [async] })).toThrow("policy async returned a promise");
    });
});

describe("formatViolations", () => {
    it("groups by level, mandatory first", () => {
        const violations: PolicyViolation[] = [
            { policy: "workload-probes", enforcementLevel: "advisory", urn: "u1", type: "kubernetes:apps/v1:Deployment", name: "web", message: 'container "web" has no livenessProbe' },
            { policy: "workload-no-privileged", enforcementLevel: "mandatory", urn: "u2", type: "kubernetes:core/v1:Pod", name: "rogue", message: 'container "x" sets securityContext.privileged: true' },
            { policy: "tenancy-resource-quota", enforcementLevel: "mandatory", message: "stack-wide" },
        ];
        expect(formatViolations(violations)).toBe(
            [
                "Policy pack hetzner-platform: 2 mandatory, 1 advisory violation(s).",
                "mandatory (2):",
                '  [workload-no-privileged] kubernetes:core/v1:Pod "rogue": container "x" sets securityContext.privileged: true',
                "  [tenancy-resource-quota] stack: stack-wide",
                "advisory (1):",
                '  [workload-probes] kubernetes:apps/v1:Deployment "web": container "web" has no livenessProbe',
            ].join("\n"),
        );
        expect(formatViolations([])).toBe("Policy pack hetzner-platform: no violations.");
    });
});
