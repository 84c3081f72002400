import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { renderApplication, renderAppProject } from "../../../components/project/gitops";
import { renderProject } from "../../../components/project/render";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const spec = project({ trust: "trusted", git: { repoURL: "https://github.com/example/shop-deploy.git", path: "k8s", targetRevision: "v1.2.0" } });
const ctx = projectContext(spec, dev);

describe("git source", () => {
    it("fences the AppProject to the project namespace and its one repository, without cluster resources", () => {
        const appProject = renderAppProject(ctx);
        expect(appProject.metadata).toMatchObject({ name: "shop", namespace: "argocd" });
        expect(appProject.spec.sourceRepos).toEqual(["https://github.com/example/shop-deploy.git"]);
        expect(appProject.spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "shop" }]);
        expect(appProject.spec.clusterResourceWhitelist).toEqual([]);
    });

    it("keeps the isolation objects and RBAC out of the tenant's hands", () => {
        expect(renderAppProject(ctx).spec.namespaceResourceBlacklist).toEqual(
            expect.arrayContaining([
                { group: "", kind: "ResourceQuota" },
                { group: "", kind: "LimitRange" },
                { group: "networking.k8s.io", kind: "NetworkPolicy" },
                { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
            ]),
        );
    });

    it("syncs the repository path at the revision into the namespace, never creating namespaces", () => {
        const app = renderApplication(ctx);
        expect(app.metadata).toMatchObject({ name: "shop", namespace: "argocd", labels: { "platform/project": "shop", "platform/service": "gitops" } });
        expect(app.spec).toMatchObject({
            project: "shop",
            source: { repoURL: "https://github.com/example/shop-deploy.git", path: "k8s", targetRevision: "v1.2.0" },
            destination: { server: "https://kubernetes.default.svc", namespace: "shop" },
            syncPolicy: { automated: { prune: true, selfHeal: true } },
        });
        expect(app.spec.syncPolicy?.syncOptions).toContain("CreateNamespace=false");
    });

    it("is rendered only when the project has a git source", () => {
        expect(renderProject(spec, dev).gitops.map((o) => o.kind)).toEqual(["AppProject", "Application"]);
        expect(renderProject(project({}), dev).gitops).toEqual([]);
    });
});
