import { describe, expect, it, vi } from "vitest";

/**
 * `policy/index.ts` is the only module that constructs the PolicyPack (construction starts a gRPC server), so
 * here the constructor is replaced by a spy and the entry point is imported to see what it passes.
 */
const constructed = vi.hoisted(() => [] as unknown[][]);
vi.mock("@pulumi/policy", () => ({
    PolicyPack: class {
        constructor(...args: unknown[]) {
            constructed.push(args);
        }
    },
}));

describe("policy/index.ts", () => {
    it("constructs exactly one PolicyPack from the rule list, mandatory by default, with initial config", async () => {
        await import("../../policy/index");
        const { POLICIES } = await import("../../policy/rules");
        expect(constructed).toHaveLength(1);
        const [name, args, initialConfig] = constructed[0] as [string, { policies: unknown[]; enforcementLevel: string }, Record<string, unknown>];
        expect(name).toBe("hetzner-platform");
        expect(args.policies).toEqual([...POLICIES]);
        expect(args.enforcementLevel).toBe("mandatory");
        // Written out here, not computed with initialPackConfig: each rule that reads pack config starts
        // with the defaults the design names (platform namespaces from the conventions, public registries,
        // HTTP(S) and the Tailscale UDP port, the Kubernetes minor of the pinned k3s for sysctl safety).
        const { PLATFORM_NAMESPACES } = await import("../../lib/conventions");
        const tenancy = { platformNamespaces: [...PLATFORM_NAMESPACES] };
        expect(initialConfig).toEqual({
            "workload-safe-sysctls": { kubernetesVersion: "v1.31" },
            "workload-image-registry": { allowedRegistries: ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"] },
            "network-firewall-public-ports": { allowedPublicPorts: ["80", "443", "41641/udp"] },
            "tenancy-namespace-labels": tenancy,
            "tenancy-namespace-pod-security": tenancy,
            "tenancy-resource-quota": tenancy,
            "tenancy-limit-range": tenancy,
            "tenancy-default-deny-network-policy": tenancy,
            "tenancy-dns-egress": tenancy,
            "tenancy-no-open-namespace-selector": tenancy,
            "tenancy-egress-no-cloud-metadata": tenancy,
            "tenancy-egress-no-smtp": tenancy,
            "tenancy-untrusted-gvisor": tenancy,
            "tenancy-pod-placement": tenancy,
            "tenancy-rbac-no-cluster-bindings": tenancy,
            "tenancy-no-operator-secrets": tenancy,
            "tenancy-rbac-no-wildcards": tenancy,
            "tenancy-restore-storage-class": tenancy,
            "network-tenant-service-exposure": tenancy,
            "network-tenant-host-space": tenancy,
            "workload-no-platform-backup-secret": tenancy,
            "workload-no-operator-selector-labels": tenancy,
            "tenancy-database-cluster": { ...tenancy, databaseBackupTarget: { endpointURL: "", destinationPrefix: "" }, maxDatabaseInstances: 3 },
            "tenancy-redis-replication": { ...tenancy, maxDatabaseInstances: 3 },
            "tenancy-mysql-cluster": { ...tenancy, databaseBackupTarget: { endpointURL: "", destinationPrefix: "" }, maxDatabaseInstances: 3 },
            "tenancy-mongodb-cluster": { ...tenancy, databaseBackupTarget: { endpointURL: "", destinationPrefix: "" }, maxDatabaseInstances: 3 },
        });
    });
});
