import { describe, expect, it } from "vitest";
import { ADMISSION_POLICY_NAMES, renderAdmissionPolicies, ROLLOUTS_CONTROLLER_USER } from "../../../components/guardrails/admission-policies";
import { renderSandboxPolicy, renderSandboxPolicyBinding } from "../../../components/project/sandbox-policy";
import type { TenantObject } from "../../../components/project/render";
import { admit } from "../../../tools/offline/admission";
import { everyExample } from "../project/fixtures";
import { violationsOf } from "../../helpers/policy-fixtures";

/**
 * Blue/green objects through the admission policies of tenant namespaces (CEL, tools/offline/admission.ts): the
 * paas-app Rollout the platform renders is admitted; a tenant (kubectl, Argo CD) cannot point analysis at
 * another project, another address or another query, nor smuggle a pod template past the pod rules in a Rollout.
 */

const paas = everyExample().find((e) => e.stack === "dev" && e.spec.name === "paas-app")!;
const PAIRS = [...renderAdmissionPolicies({ allowedRegistries: paas.config.allowedRegistries }), { policy: renderSandboxPolicy(), binding: renderSandboxPolicyBinding() }];
const namespace = paas.objects.find((o) => o.kind === "Namespace")!;
const rollout = paas.objects.find((o) => o.kind === "Rollout" && o.metadata?.name === "app")!;

function denials(object: unknown, username = "tenant@example.com"): string[] {
    const request = { object: object as Record<string, unknown>, namespaceObject: namespace as unknown as Record<string, unknown>, operation: "CREATE" as const, userInfo: { username } };
    return PAIRS.flatMap(({ policy, binding }) => {
        const decision = admit(policy, binding, request);
        return decision.allowed ? [] : decision.messages;
    });
}
const edited = (edit: (r: any) => void): TenantObject => {
    const copy = structuredClone(rollout) as any;
    edit(copy);
    return copy;
};
const pre = (r: any) => r.spec.strategy.blueGreen.prePromotionAnalysis;

describe("admission of blue/green releases", () => {
    it("admits the Rollout the platform renders", () => {
        expect(PAIRS.map((p) => p.policy.metadata?.name)).toContain(ADMISSION_POLICY_NAMES.analysis);
        expect(denials(rollout)).toEqual([]);
    });

    it("refuses another project's namespace as a literal, or through any field other than metadata.namespace", () => {
        const literal = edited((r) => (pre(r).args[0] = { name: "namespace", value: "other-project" }));
        expect(denials(literal)).toEqual([expect.stringMatching(/passes its own namespace/)]);
        const label = edited((r) => (pre(r).args[0] = { name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.labels['target']" } } }));
        expect(denials(label)).toEqual([expect.stringMatching(/passes its own namespace/)]);
    });

    it("refuses argument values that could end a PromQL string", () => {
        const injected = edited((r) => (pre(r).args[2] = { name: "count", value: '5"} or up{x="' }));
        expect(denials(injected)).toEqual([expect.stringMatching(/plain values/)]);
    });

    it("refuses a service other than the Rollout's own name (another service's, or a sibling project's, error rate)", () => {
        expect(pre(rollout).args[1]).toEqual({ name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
        // In namespace paas-app, service "x-web" would read project "paas-app-x"'s "web" (Traefik's name paas-app-x-web-http).
        const literal = edited((r) => (pre(r).args[1] = { name: "service", value: "x-web" }));
        expect(denials(literal)).toEqual([expect.stringMatching(/own namespace and name/)]);
        const label = edited((r) => (pre(r).args[1] = { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }));
        expect(denials(label)).toEqual([expect.stringMatching(/own namespace and name/)]);
    });

    it("refuses a cadence outside the tenant schema's bounds (count 1-30, interval 10s-600s)", () => {
        const arg = (name: string) => pre(rollout).args.findIndex((a: { name: string }) => a.name === name);
        for (const [name, value] of [["count", "0"], ["count", "31"], ["count", "500"], ["interval", "1ms"], ["interval", "9s"], ["interval", "601s"], ["interval", "1m"]] as const) {
            const tooMuch = edited((r) => (pre(r).args[arg(name)] = { name, value }));
            expect(denials(tooMuch), `${name}=${value}`).toEqual([expect.stringMatching(/cadence within count 1–30, interval 10s–600s/)]);
        }
        for (const [name, value] of [["count", "1"], ["count", "30"], ["interval", "10s"], ["interval", "600s"], ["interval", "45s"]] as const) {
            expect(denials(edited((r) => (pre(r).args[arg(name)] = { name, value }))), `${name}=${value}`).toEqual([]);
        }
    });

    it("refuses templates other than the platform's, and namespaced (tenant-written) ones", () => {
        expect(denials(edited((r) => (pre(r).templates = [{ templateName: "my-own", clusterScope: true }])))).toEqual([expect.stringMatching(/only the platform's analysis templates/)]);
        expect(denials(edited((r) => (pre(r).templates = [{ templateName: "platform-readiness" }])))).toEqual([expect.stringMatching(/only the platform's analysis templates/)]);
        const post = edited((r) => (r.spec.strategy.blueGreen.postPromotionAnalysis.templates = [{ templateName: "steal", clusterScope: true }]));
        expect(denials(post)).toEqual([expect.stringMatching(/only the platform's analysis templates/)]);
    });

    it("refuses a canary Rollout, and AnalysisTemplates, AnalysisRuns and Experiments from anyone but the Rollouts controller", () => {
        const canary = edited((r) => (r.spec.strategy = { canary: { steps: [{ setWeight: 50 }] } }));
        expect(denials(canary)).toEqual([expect.stringMatching(/blue\/green only/)]);
        const template = {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AnalysisTemplate",
            metadata: { name: "peek", namespace: rollout.metadata!.namespace },
            spec: { metrics: [{ name: "peek", provider: { web: { url: "http://prometheus-operated.monitoring.svc:9090/api/v1/query?query=up" } } }] },
        };
        expect(denials(template)).toEqual([expect.stringMatching(/tenants do not define analysis/)]);
        const run = { apiVersion: "argoproj.io/v1alpha1", kind: "AnalysisRun", metadata: { name: "app-1", namespace: rollout.metadata!.namespace }, spec: { metrics: [] } };
        expect(denials(run)).toEqual([expect.stringMatching(/tenants do not define analysis/)]);
        expect(denials(run, ROLLOUTS_CONTROLLER_USER)).toEqual([]);
        expect(denials(template, ROLLOUTS_CONTROLLER_USER)).toEqual([expect.stringMatching(/tenants do not define analysis/)]);
    });

    it("holds a Rollout's pod template to the pod rules (registry, probe hosts)", () => {
        const foreign = edited((r) => (r.spec.template.spec.containers[0].image = "evil.example.com/miner:1.0"));
        expect(denials(foreign)).toEqual([expect.stringMatching(/allowed registry/)]);
    });

    it("keeps a Rollout's pods on the run pool: the rendered placement passes, the build pool's or a node name does not (pack twin too)", () => {
        expect((rollout as any).spec.template.spec.nodeSelector).toEqual({ "platform/pool": "run" });
        const onBuild = edited((r) => {
            r.spec.template.spec.nodeSelector = { "platform/pool": "build" };
            r.spec.template.spec.tolerations = [{ key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" }];
        });
        expect(denials(onBuild)).toEqual([expect.stringMatching(/may tolerate only the run pool's taint/), expect.stringMatching(/may select only platform\/pool: run or server/)]);
        const pinned = edited((r) => (r.spec.template.spec.nodeName = "dev-server-0"));
        expect(denials(pinned)).toEqual([expect.stringMatching(/must not set nodeName/)]);
        const planned = (object: TenantObject) => ({ urn: `urn:pulumi:dev::tenant::kubernetes:argoproj.io/v1alpha1:Rollout::${object.metadata!.name}`, type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "app", custom: true, inputs: object as unknown as Record<string, unknown>, secretInputs: [], additionalSecretOutputs: [], dependencies: [] });
        const namespaceResource = { ...planned(namespace), type: "kubernetes:core/v1:Namespace", urn: "urn:pulumi:dev::tenant::kubernetes:core/v1:Namespace::ns" };
        expect(violationsOf("tenancy-pod-placement", [namespaceResource, planned(rollout)])).toEqual([]);
        expect(violationsOf("tenancy-pod-placement", [namespaceResource, planned(onBuild)]).map((v) => v.message)).toEqual([expect.stringMatching(/tolerates/), expect.stringMatching(/selects nodeSelector platform\/pool: build/)]);
        expect(violationsOf("tenancy-pod-placement", [namespaceResource, planned(pinned)]).map((v) => v.message)).toEqual([expect.stringMatching(/sets nodeName dev-server-0/)]);
    });
});
