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

    it("allows an explicit list of namespaced kinds, without the isolation objects, RBAC, pods or CRDs", () => {
        const spec = renderAppProject(ctx).spec;
        expect(spec.namespaceResourceBlacklist).toBeUndefined();
        const allowed = (spec.namespaceResourceWhitelist ?? []).map((k) => `${k.group}/${k.kind}`);
        expect(allowed).toEqual([
            "/ConfigMap",
            "/Secret",
            "/Service",
            "/PersistentVolumeClaim",
            "apps/Deployment",
            "apps/StatefulSet",
            "batch/Job",
            "batch/CronJob",
            "networking.k8s.io/Ingress",
            "policy/PodDisruptionBudget",
            "autoscaling/HorizontalPodAutoscaler",
        ]);
        for (const refused of ["/ResourceQuota", "/LimitRange", "networking.k8s.io/NetworkPolicy", "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/RoleBinding", "/Pod", "/ServiceAccount", "traefik.io/IngressRouteTCP", "apps/DaemonSet", "*/*"]) {
            expect(allowed).not.toContain(refused);
        }
        expect(allowed.some((k) => k.includes("*"))).toBe(false);
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
