import { describe, expect, it } from "vitest";
import { renderRoutePolicy } from "../../../components/guardrails/admission-policies";
import { admit } from "../../../tools/offline/admission";
import { everyExample } from "../project/fixtures";

/**
 * cert-manager may write the Percona clusters' TLS Secrets (<cluster>-ssl, -ssl-internal, -ca-cert), and its
 * ingress-shim issues an Ingress's certificate into the Secret the Ingress names: a git-synced Ingress naming one
 * would have cert-manager overwrite it. The route policy refuses an operator's Secret name there.
 */

const example = everyExample().find((e) => e.objects.some((o) => o.kind === "Ingress" && (o as any).spec?.tls?.length))!;
const namespace = example.objects.find((o) => o.kind === "Namespace")!;
const ingress = example.objects.find((o) => o.kind === "Ingress" && (o as any).spec?.tls?.length)! as unknown as Record<string, any>;
const { policy, binding } = renderRoutePolicy({ allowedRegistries: example.config.allowedRegistries });
const withSecretName = (secretName: string) => {
    const copy = structuredClone(ingress);
    copy.spec.tls = copy.spec.tls.map((t: Record<string, unknown>) => ({ ...t, secretName }));
    return copy;
};
const decide = (object: Record<string, unknown>) =>
    admit(policy, binding, { object, namespaceObject: namespace as unknown as Record<string, unknown>, operation: "CREATE", userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller" } });

describe("Ingress TLS secretName", () => {
    it("admits the project's Ingress as rendered", () => {
        expect(decide(ingress).messages).toEqual([]);
    });

    it.each(["mongodb-ssl", "mongodb-g2-ssl-internal", "database-ca-cert", "database-superuser"])("refuses %s", (name) => {
        expect(decide(withSecretName(name)).messages).toEqual([expect.stringMatching(/must not be a database operator's own Secret/)]);
    });

    it.each(["web-tls", "database-credentials", "mongodb-ssl-web"])("admits %s", (name) => {
        expect(decide(withSecretName(name)).messages).toEqual([]);
    });
});
