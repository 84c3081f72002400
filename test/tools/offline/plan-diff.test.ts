import { describe, expect, it } from "vitest";
import { changedPaths, comparePlans, disruptedNodes, type ComparableResource } from "../../../tools/offline/plan-diff";

const r = (name: string, inputs: Record<string, unknown>, replaceOnChanges?: string[]): ComparableResource => ({ urn: `urn:${name}`, type: "t", name, inputs, replaceOnChanges });

describe("plan comparison", () => {
    it("tells replacements (changed inputs named by replaceOnChanges) from updates, and lists added and removed resources", () => {
        const before = [r("key", { description: "a", tags: ["x"] }, ["description"]), r("cmd", { triggers: ["1"], stdin: "[secret]" }, ["triggers[*]"]), r("srv", { serverType: "s1" }), r("gone", {})];
        const after = [r("key", { description: "b", tags: ["x"] }, ["description"]), r("cmd", { triggers: ["1"], stdin: "[secret]" }, ["triggers[*]"]), r("srv", { serverType: "s2" }), r("new", {})];
        const diff = comparePlans(before, after);
        expect(diff.added).toEqual(["urn:new"]);
        expect(diff.removed).toEqual(["urn:gone"]);
        expect(diff.changed).toEqual([
            { urn: "urn:key", type: "t", name: "key", changedInputs: ["description"], replacedBy: ["description"], changedPaths: ["description"] },
            { urn: "urn:srv", type: "t", name: "srv", changedInputs: ["serverType"], replacedBy: [], changedPaths: ["serverType"] },
        ]);
        expect(comparePlans([r("any", { a: 1 }, ["*"])], [r("any", { a: 2 }, ["*"])]).changed[0]!.replacedBy).toEqual(["a"]);
    });

    it("lists the changed leaf paths: objects key by key, equal-length arrays by index, anything else whole", () => {
        const before = { spec: { replicas: 1, template: { containers: [{ image: "a:1", env: [1] }] }, same: { x: 1 } } };
        const after = { spec: { replicas: 2, template: { containers: [{ image: "a:2", env: [1, 2] }] }, same: { x: 1 } }, extra: true };
        expect(changedPaths(before, after)).toEqual(["extra", "spec.replicas", "spec.template.containers[0].env", "spec.template.containers[0].image"]);
        expect(changedPaths({ a: 1 }, { a: 1 })).toEqual([]);
    });

    it("names the nodes whose disruption guard settings change", () => {
        const guard = (node: string, settings: string) => r(`${node}-disruption-guard`, { environment: { PLATFORM_NODE: node, PLATFORM_NODE_SETTINGS: settings } });
        expect(disruptedNodes([guard("a", "serverType=s1"), guard("b", "serverType=s1")], [guard("a", "serverType=s2"), guard("b", "serverType=s1")])).toEqual([
            { node: "a", before: "serverType=s1", after: "serverType=s2" },
        ]);
    });
});
