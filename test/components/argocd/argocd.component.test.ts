import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { resolve, setupMocks, type Registration } from "../../helpers/mock-pulumi";
import { shippedConfig } from "../../charts/fixtures";

/** Pulumi's wire marker of a secret value (as the mock monitor receives it). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

let registrations: Registration[];
let adminSecret: boolean;
let password: string;

beforeAll(async () => {
    registrations = await setupMocks("test");
    const k8s = await import("@pulumi/kubernetes");
    const { ArgoCD } = await import("../../../components/argocd/argocd");
    const provider = new k8s.Provider("k8s", { kubeconfig: "mock", clusterIdentifier: "test" });
    const argocd = new ArgoCD("argocd", { config: shippedConfig("fsn1") }, { provider });
    adminSecret = await pulumi.isSecret(argocd.adminPassword);
    password = await resolve(argocd.adminPassword);
    for (let quiet = 0; quiet < 20; ) {
        const before = registrations.length;
        await new Promise((done) => setTimeout(done, 10));
        quiet = registrations.length === before ? quiet + 1 : 0;
    }
});

describe("Argo CD component", () => {
    it("exports the generated admin password as a secret", () => {
        expect(adminSecret).toBe(true);
        expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    });

    it("passes the generated password's bcrypt hash to the pinned chart", () => {
        const generated = registrations.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        expect(generated.inputs).toMatchObject({ length: 32, special: false });
        const release = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.inputs).toMatchObject({ chart: "argo-cd", version: "10.1.1", namespace: "argocd" });
        // The values carry the hash, so the whole values input travels as a Pulumi secret.
        expect(release.inputs.values[SECRET_SIG_KEY]).toBe(SECRET_SIG);
        const values = release.inputs.values.value;
        expect(values.configs.secret.argocdServerAdminPassword).toMatch(/^\$2a\$10\$/);
        expect(JSON.stringify(values)).not.toContain(password);
        expect(values.configs.repositories["platform-apps"].url).toBe("https://github.com/example/platform-apps.git");
    });
});
