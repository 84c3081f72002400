import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { deployerKubeconfig, deployerRules, DEPLOYER_NAMESPACE, renderDeployer } from "../../../components/project/deployer";
import { projectContext } from "../../../components/project/common";
import { syntheticKubeconfig } from "../../../tools/offline/mock-engine";
import { project, stackPlatformConfig } from "./fixtures";

describe("the deployer credential of a project", () => {
    it("keeps the admin kubeconfig's server and CA, drops its client certificate and key, and uses the token in the project's namespace", () => {
        const admin = syntheticKubeconfig("https://dev-server-0.tailnet.ts.net:6443");
        const doc = yaml.load(deployerKubeconfig(admin, "shop", "token-value")) as Record<string, any>;
        expect(doc.clusters).toEqual([{ name: "default-shop", cluster: { "certificate-authority-data": "bW9jay1jYQ==", server: "https://dev-server-0.tailnet.ts.net:6443" } }]);
        expect(doc.users).toEqual([{ name: "shop-deployer", user: { token: "token-value" } }]);
        expect(doc.contexts).toEqual([{ name: "default-shop", context: { cluster: "default-shop", user: "shop-deployer", namespace: "shop" } }]);
        expect(doc["current-context"]).toBe("default-shop");
        expect(JSON.stringify(doc)).not.toMatch(/client-(certificate|key)/);
        expect(() => deployerKubeconfig("apiVersion: v1\nclusters: []\ncontexts: []\n", "shop", "t")).toThrow(/no current context/);
    });

    it("binds a ServiceAccount outside the project's namespace (no tenant pod or Secret can use it) to the Role in the namespace", () => {
        const objects = renderDeployer(projectContext(project({ name: "shop" }), stackPlatformConfig("dev")));
        expect(objects.serviceAccount.metadata).toMatchObject({ name: "shop", namespace: DEPLOYER_NAMESPACE });
        expect(objects.tokenSecret).toMatchObject({ type: "kubernetes.io/service-account-token", metadata: { namespace: DEPLOYER_NAMESPACE, annotations: { "kubernetes.io/service-account.name": "shop" } } });
        expect(objects.role.metadata?.namespace).toBe("shop");
        expect(objects.roleBinding.subjects).toEqual([{ kind: "ServiceAccount", name: "shop", namespace: DEPLOYER_NAMESPACE }]);
        expect(objects.roleBinding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: objects.role.metadata?.name });
    });

    it("never lists or watches Secrets (the platform's bucket and backup keys share the namespace), and reads only its own by name", () => {
        const secretRules = deployerRules().filter((rule) => rule.resources.includes("secrets"));
        expect(secretRules).toEqual([
            { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["get", "update", "patch", "delete"], resourceNames: ["app-secrets", "database-credentials", "mongodb-credentials"] },
        ]);
        // Review 19d, major 3: both Redis Secrets are the grants stack's (redis-internal holds default's password and
        // the ACL file): the deployer can neither read, change nor delete them.
        const named = secretRules.flatMap((rule) => rule.resourceNames ?? []);
        for (const platforms of ["redis-internal", "redis-credentials", "bucket-credentials", "database-backup-s3"]) {
            expect(named, platforms).not.toContain(platforms);
        }
    });
});
