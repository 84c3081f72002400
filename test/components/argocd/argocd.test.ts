import { describe, expect, it } from "vitest";
import { argocdWorkloads, renderArgocdValues, renderRepositories, DEFAULT_ADMIN_PASSWORD_MTIME } from "../../../components/argocd/values";
import { shippedConfig } from "../../charts/fixtures";

const HASH = "$2a$10$0123456789012345678901234567890123456789012345678901";

describe("Argo CD values", () => {
    it("put only the bcrypt hash of the admin password, with a fixed mtime, into argocd-secret", () => {
        const v = renderArgocdValues(shippedConfig("dev"), HASH) as any;
        expect(v.configs.secret).toEqual({ createSecret: true, argocdServerAdminPassword: HASH, argocdServerAdminPasswordMtime: DEFAULT_ADMIN_PASSWORD_MTIME });
        expect(() => renderArgocdValues(shippedConfig("dev"), "plain-password")).toThrow(/bcrypt/);
    });

    it("register the configured repositories", () => {
        expect(renderRepositories(shippedConfig("fsn1"))).toEqual({ "platform-apps": { name: "platform-apps", url: "https://github.com/example/platform-apps.git", type: "git" } });
        expect((renderArgocdValues(shippedConfig("dev"), HASH) as any).configs.repositories).toEqual({});
    });

    it("keep the server private and run without Dex and notifications, every workload sized", () => {
        const v = renderArgocdValues(shippedConfig("dev"), HASH) as any;
        expect(v.server.service.type).toBe("ClusterIP");
        expect(v.server.ingress.enabled).toBe(false);
        expect(v.dex.enabled).toBe(false);
        expect(v.notifications.enabled).toBe(false);
        expect(v.configs.cm["exec.enabled"]).toBe(false);
        const memoryLimits = argocdWorkloads(shippedConfig("dev")).map((w) => [w.workload, Object.fromEntries(Object.entries(w.containers).map(([name, block]) => [name, block.limits.memory]))]);
        expect(Object.fromEntries(memoryLimits)).toEqual({
            "argocd-application-controller": { "application-controller": "768Mi" },
            "argocd-server": { server: "256Mi" },
            "argocd-repo-server": { "repo-server": "512Mi" },
            "argocd-redis": { redis: "128Mi" },
            "argocd-applicationset-controller": { "applicationset-controller": "192Mi" },
            "argocd-redis-secret-init": { "secret-init": "64Mi" },
        });
    });
});
