import { describe, expect, it } from "vitest";
import { renderAdmissionPolicies } from "../../../components/guardrails/admission-policies";
import { renderSandboxPolicy, renderSandboxPolicyBinding } from "../../../components/project/sandbox-policy";
import type { TenantObject } from "../../../components/project/render";
import { admit } from "../../../tools/offline/admission";
import { everyExample } from "../project/fixtures";

/**
 * The new workload kinds through the cluster's admission policies (CEL, evaluated by tools/offline/admission.ts):
 * every object the examples render — TCP/UDP routes on granted entry points, the passthrough route, Jobs,
 * CronJobs, ConfigMaps, clustered StatefulSets with sidecars and init containers — is admitted in its own
 * namespace; the same routes are denied in a namespace without the grant (another project's), and a CronJob
 * smuggling an image from a foreign registry or a probe host is denied.
 */

const fsn1 = everyExample().filter((e) => e.stack === "fsn1");
const allowedRegistries = fsn1[0]!.config.allowedRegistries;
const PAIRS = [...renderAdmissionPolicies({ allowedRegistries }), { policy: renderSandboxPolicy(), binding: renderSandboxPolicyBinding() }];

function denials(object: TenantObject, namespace: TenantObject): string[] {
    const request = { object: object as unknown as Record<string, unknown>, namespaceObject: namespace as unknown as Record<string, unknown>, operation: "CREATE" as const };
    return PAIRS.flatMap(({ policy, binding }) => {
        const decision = admit(policy, binding, request);
        return decision.allowed ? [] : decision.messages;
    });
}
const namespaceOf = (objects: readonly TenantObject[]) => objects.find((o) => o.kind === "Namespace")!;
const byKind = (objects: readonly TenantObject[], kinds: readonly string[]) => objects.filter((o) => kinds.includes(o.kind));
const NEW_KINDS = ["IngressRouteTCP", "IngressRouteUDP", "Job", "CronJob", "ConfigMap", "StatefulSet", "Deployment"];

describe("admission of the workload model's objects", () => {
    it.each(fsn1.map((e) => [e.spec.name, e] as const))("%s: every new-kind object is admitted in its own namespace", (_name, example) => {
        const namespace = namespaceOf(example.objects);
        const objects = byKind(example.objects, NEW_KINDS);
        expect(objects.length).toBeGreaterThan(0);
        for (const object of objects) {
            expect(denials(object, namespace), `${object.kind}/${object.metadata?.name}`).toEqual([]);
        }
    });

    it("covers P2P routes, the passthrough route, Jobs, CronJobs and ConfigMaps", () => {
        const kinds = new Set(fsn1.flatMap((e) => byKind(e.objects, NEW_KINDS).map((o) => o.kind)));
        expect([...kinds].sort()).toEqual([...NEW_KINDS].sort());
    });

    it("a project's TCP/UDP routes and passthrough are denied in a namespace that was not granted them", () => {
        const chain = fsn1.find((e) => e.spec.name === "chain-nodes")!;
        const caracal = fsn1.find((e) => e.spec.name === "caracal")!;
        const cars = namespaceOf(fsn1.find((e) => e.spec.name === "cars")!.objects);
        const routes = byKind(chain.objects, ["IngressRouteTCP", "IngressRouteUDP"]);
        expect(routes.map((r) => r.metadata?.name).sort()).toEqual(["bitcoin-p2p", "geth-discovery", "geth-p2p"]);
        for (const route of routes) {
            expect(denials({ ...route, metadata: { ...route.metadata, namespace: "cars" } } as TenantObject, cars).length, route.metadata?.name).toBeGreaterThan(0);
        }
        const passthrough = byKind(caracal.objects, ["IngressRouteTCP"])[0]!;
        expect(denials(passthrough, cars)).toEqual([expect.stringMatching(/TCP route matchers must name the project's own hosts/)]);
    });

    it("a CronJob with an image from another registry or a probe host is denied", () => {
        const caracal = fsn1.find((e) => e.spec.name === "caracal")!;
        const cron = structuredClone(caracal.objects.find((o) => o.kind === "CronJob")!) as any;
        const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
        container.image = "evil.example.com/miner:1.0";
        expect(denials(cron, namespaceOf(caracal.objects))).toEqual([expect.stringMatching(/allowed registry/)]);
        const sts = structuredClone(caracal.objects.find((o) => o.kind === "StatefulSet" && o.metadata?.name === "zookeeper")!) as any;
        sts.spec.template.spec.containers[0].readinessProbe = { tcpSocket: { port: 2181, host: "169.254.169.254" } };
        expect(denials(sts, namespaceOf(caracal.objects))).toEqual([expect.stringMatching(/must not set host/)]);
    });

    it("routes must be metered: TCP/UDP backends through their ClusterIP (nativeLB), HTTP backends not, Ingresses only on the web entry points", () => {
        const chain = fsn1.find((e) => e.spec.name === "chain-nodes")!;
        const namespace = namespaceOf(chain.objects);
        for (const route of byKind(chain.objects, ["IngressRouteTCP", "IngressRouteUDP"])) {
            const unmetered = structuredClone(route) as any;
            delete unmetered.spec.routes[0].services[0].nativeLB;
            expect(denials(unmetered, namespace), route.metadata?.name).toEqual([expect.stringMatching(/TCP\/UDP route services must set nativeLB: true/)]);
        }
        const web = fsn1.flatMap((e) => byKind(e.objects, ["Ingress"]).map((object) => ({ object, namespace: namespaceOf(e.objects) })))[0]!;
        expect(denials(web.object, web.namespace)).toEqual([]);
        const annotated = (value: string) => {
            const copy = structuredClone(web.object) as any;
            copy.metadata.annotations = { ...copy.metadata.annotations, "traefik.ingress.kubernetes.io/router.entrypoints": value };
            return copy as TenantObject;
        };
        expect(denials(annotated("websecure"), web.namespace)).toEqual([]);
        expect(denials(annotated("web, websecure"), web.namespace)).toEqual([]);
        for (const value of ["tcp-30303", "websecure,tcp-30303", "traefik", "metrics"]) {
            expect(denials(annotated(value), web.namespace), value).toEqual([expect.stringMatching(/Ingresses may only use the entry points web, websecure/)]);
        }
        const httpRoute = {
            apiVersion: "traefik.io/v1alpha1",
            kind: "IngressRoute",
            metadata: { name: "web", namespace: web.namespace.metadata!.name },
            spec: { entryPoints: ["websecure"], routes: [{ kind: "Rule", match: `Host(\`${(web.object as any).spec.rules[0].host}\`)`, services: [{ name: "web", port: 8080 }] }] },
        } as unknown as TenantObject;
        expect(denials(httpRoute, web.namespace)).toEqual([]);
        const doubled = structuredClone(httpRoute) as any;
        doubled.spec.routes[0].services[0].nativeLB = true;
        expect(denials(doubled, web.namespace)).toEqual([expect.stringMatching(/HTTP route services must not set nativeLB/)]);
    });
});
