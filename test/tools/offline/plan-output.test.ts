import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { manifestFiles, writeManifestsAndArtifacts, writePlanJson } from "../../../tools/offline/plan-output";
import type { PlannedResource } from "../../../tools/offline/plan-types";
import { TENANT_PROJECT_TYPE } from "../../../lib/conventions";
import { component, planned } from "../../helpers/policy-fixtures";

const STACK_URN = "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test";

/** A tiny plan: a stack, a platform component with a nested component, two tenant Projects, one loose object. */
function smallPlan(): PlannedResource[] {
    const stack = { ...component("pulumi:pulumi:Stack", "platform-test"), urn: STACK_URN };
    const addon = { ...component("platform:addons:MetalLB", "metallb"), parent: STACK_URN };
    const nested = { ...component("platform:addons:Pool", "metallb-pool"), parent: addon.urn };
    const shop = { ...component(TENANT_PROJECT_TYPE, "shop"), parent: STACK_URN };
    const blog = { ...component(TENANT_PROJECT_TYPE, "blog"), parent: STACK_URN };
    const object = (kind: string, name: string, parent: string | undefined, namespace?: string) =>
        planned(`kubernetes:core/v1:${kind}`, `${name}-${kind.toLowerCase()}`, { apiVersion: "v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) } }, parent ? { parent } : {});
    return [
        stack,
        addon,
        nested,
        object("Namespace", "metallb-system", addon.urn),
        object("ConfigMap", "pool", nested.urn, "metallb-system"),
        shop,
        object("Namespace", "shop", shop.urn),
        blog,
        object("Service", "web", shop.urn, "shop"),
        object("Namespace", "blog", blog.urn),
        object("ConfigMap", "loose", STACK_URN, "default"),
        planned("hcloud:index/server:Server", "node", { serverType: "cx22" }, { parent: addon.urn }),
    ];
}

describe("manifest files", () => {
    it("groups objects by top-level component: tenants under projects/, everything else under platform/", () => {
        const files = manifestFiles(smallPlan());
        const names = (file: string) => files.get(file)?.map((o) => `${o.kind}/${o.metadata.name}`);
        expect([...files.keys()].sort()).toEqual(["platform/metallb.json", "platform/stack.json", "projects/blog.json", "projects/shop.json"]);
        // Registration order inside a file; the nested component's object belongs to its top-level one.
        expect(names("platform/metallb.json")).toEqual(["Namespace/metallb-system", "ConfigMap/pool"]);
        expect(names("projects/shop.json")).toEqual(["Namespace/shop", "Service/web"]);
        expect(names("projects/blog.json")).toEqual(["Namespace/blog"]);
        expect(names("platform/stack.json")).toEqual(["ConfigMap/loose"]);
    });

    it("writes each file as a Kubernetes List that reads back to the same objects", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-output-"));
        try {
            writeManifestsAndArtifacts(dir, smallPlan());
            const shop = JSON.parse(fs.readFileSync(path.join(dir, "manifests", "projects", "shop.json"), "utf8"));
            expect(shop).toEqual({ apiVersion: "v1", kind: "List", items: manifestFiles(smallPlan()).get("projects/shop.json") });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("artefact directories", () => {
    const written = (resources: PlannedResource[]) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-artifacts-"));
        try {
            writeManifestsAndArtifacts(dir, resources);
            const artifacts = path.join(dir, "artifacts");
            return fs.existsSync(artifacts) ? (fs.readdirSync(artifacts, { recursive: true }) as string[]).sort() : undefined;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("creates none for a plan without artefacts (a tenant stack's)", () => {
        expect(written(smallPlan())).toBeUndefined();
    });

    it("creates a kind's directory with its files, and only the kinds the plan has", () => {
        const server = planned("hcloud:index/server:Server", "node-0", { userData: "#cloud-config\nwrite_files:\n  - path: /usr/local/bin/up\n    content: \"#!/bin/sh\\necho up\\n\"\n" });
        expect(written([...smallPlan(), server])).toEqual(["scripts", "scripts/node-0_usr_local_bin_up.sh", "user-data", "user-data/node-0.user-data.yaml"]);
    });
});

describe("plan.json", () => {
    const read = (resources: PlannedResource[], outputs: Record<string, unknown> = {}) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-"));
        try {
            writePlanJson(dir, { stack: "test", resources, outputs });
            const text = fs.readFileSync(path.join(dir, "plan.json"), "utf8");
            return { text, json: JSON.parse(text) };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("streams every resource, one per line, across write chunks, with redacted inputs and the outputs", () => {
        const secretOne = planned("kubernetes:core/v1:Secret", "db", { stringData: { password: "hunter2" } }, {
            secretInputs: ["stringData"],
            redactedInputs: { stringData: "[secret]" },
        });
        const many = Array.from({ length: 2500 }, (_, i) => planned("random:index/randomId:RandomId", `id-${i}`, { byteLength: i }));
        const resources = [secretOne, ...many];
        const { text, json } = read(resources, { urls: { shop: ["https://web.shop.example.com/"] }, kubeconfig: "[secret]" });
        expect(json.stack).toBe("test");
        expect(json.resourceCount).toBe(2501);
        expect(json.resources.map((r: { name: string }) => r.name)).toEqual(resources.map((r) => r.name));
        expect(json.resources[0].inputs).toEqual({ stringData: "[secret]" });
        expect(text).not.toContain("hunter2");
        expect(json.resources[2500].inputs).toEqual({ byteLength: 2499 });
        expect(json.outputs).toEqual({ urls: { shop: ["https://web.shop.example.com/"] }, kubeconfig: "[secret]" });
        expect(text.split("\n").filter((line) => line.startsWith('    {"urn"'))).toHaveLength(2501);
    });

    it("writes a valid document for an empty plan", () => {
        expect(read([]).json).toEqual({ stack: "test", resourceCount: 0, resources: [], outputs: {} });
    });
});
