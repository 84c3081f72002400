import { describe, expect, it } from "vitest";
import { HARBOR_FRONT_END, renderBuildNetworkPolicies } from "../../../components/builds/network-policies";
import { NAMESPACES, PLATFORM_REGISTRY } from "../../../lib/conventions";
import { CLOUD_METADATA_RANGES, PRIVATE_RANGES, SMTP_PORTS } from "../../../lib/network-rules";
import { validateObject } from "../../helpers/k8s-schema";

/**
 * The builds namespace runs tenant code (Dockerfile RUN steps, Railpack's install and build commands): its pods
 * receive nothing and reach only DNS, the registry's front end and the internet on HTTP(S) (review22 #3).
 */
describe("the builds namespace's network", () => {
    const [deny, allow] = renderBuildNetworkPolicies();

    it("denies every ingress and egress of every pod by default, in the builds namespace", () => {
        expect(deny!.metadata).toMatchObject({ name: "default-deny", namespace: NAMESPACES.builds });
        expect(deny!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(allow!.spec!.policyTypes).toEqual(["Egress"]);
        expect(allow!.spec!.ingress).toBeUndefined();
        for (const policy of [deny!, allow!]) {
            expect(validateObject(policy).status, JSON.stringify(validateObject(policy))).toBe("valid");
        }
    });

    it("reaches Harbor only at its nginx front end (pushes and the token service), never its backends", () => {
        const toRegistry = allow!.spec!.egress!.filter((rule) => rule.to?.some((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === NAMESPACES.registry));
        expect(toRegistry).toEqual([{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.registry } }, podSelector: { matchLabels: { app: "harbor", component: "nginx" } } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        expect(HARBOR_FRONT_END.port).not.toBe(5000); // harbor-registry (distribution) listens on 5000
        expect(PLATFORM_REGISTRY.service).toBe("harbor");
    });

    it("reaches the internet on 80 and 443 only, never private, tailnet or metadata addresses, never SMTP", () => {
        const internet = allow!.spec!.egress!.filter((rule) => rule.to?.some((peer) => peer.ipBlock));
        expect(internet).toHaveLength(1);
        const block = internet[0]!.to![0]!.ipBlock!;
        expect(block.cidr).toBe("0.0.0.0/0");
        for (const range of [...PRIVATE_RANGES, ...CLOUD_METADATA_RANGES]) {
            expect(block.except!.some((except) => except === range || (range === "169.254.169.254/32" && except === "169.254.0.0/16")), range).toBe(true);
        }
        const ports = internet[0]!.ports!.map((p) => p.port);
        expect(ports).toEqual([80, 443]);
        expect(ports.some((p) => SMTP_PORTS.includes(p as number))).toBe(false);
        // Every rule names its ports: nothing is open on every port.
        expect(allow!.spec!.egress!.every((rule) => (rule.ports ?? []).length > 0)).toBe(true);
    });
});
