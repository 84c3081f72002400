import { describe, expect, it } from "vitest";
import { renderSecretPolicy } from "../../../components/guardrails/admission-policies";
import { CERT_MANAGER_USER } from "../../../components/cert-manager/values";
import { PSMDB_OPERATOR_USER } from "../../../components/databases/mongodb-values";
import { PXC_OPERATOR_USER } from "../../../components/databases/mysql-values";
import { CNPG_OPERATOR_USER } from "../../../components/databases/values";
import { BUCKET_SECRET } from "../../../components/project/storage";
import { REDIS_INTERNAL_SECRET, REDIS_SECRET } from "../../../components/project/redis";
import { PLATFORM_WRITTEN_SECRETS } from "../../../policy/lib/catalogue";
import { admit } from "../../../tools/offline/admission";
import { validateObject } from "../../helpers/k8s-schema";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";

/**
 * `tenancy-no-operator-secrets` and its twin `platform-tenant-secrets`: a tenant writer may not take the names of
 * the Secrets the MySQL and MongoDB operators keep for themselves (it would choose the system users' passwords the
 * operators sync, or the MySQL nodes' environment); the operators may. Expected outcomes are written per case.
 */

const pair = renderSecretPolicy({ allowedRegistries: ["docker.io"] });
const secret = (name: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "shop" }, type: "Opaque", stringData: { MONGODB_BACKUP_PASSWORD: "chosen-by-the-tenant" } });
const decide = (name: string, username = "system:serviceaccount:shop:deployer") => ({
    admission: admit(pair.policy, pair.binding, { object: secret(name), namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE", userInfo: { username } }).allowed ? "admit" : "deny",
    pack: messagesOf("tenancy-no-operator-secrets", [planned("kubernetes:core/v1:Secret", `shop-${name}`, secret(name))]).length === 0 ? "admit" : "deny",
});

const CASES: Array<{ name: string; expected: "admit" | "deny" }> = [
    { name: "database-credentials", expected: "admit" },
    { name: "mongodb-credentials", expected: "admit" },
    { name: "app-secrets", expected: "admit" },
    { name: "database-secrets", expected: "deny" },
    { name: "database-g1-secrets", expected: "deny" },
    { name: "internal-database", expected: "deny" },
    { name: "database-env-vars-pxc", expected: "deny" },
    { name: "database-env-vars-haproxy", expected: "deny" },
    { name: "database-ssl", expected: "deny" },
    { name: "mongodb-users", expected: "deny" },
    { name: "internal-mongodb-g2-users", expected: "deny" },
    { name: "mongodb-mongodb-keyfile", expected: "deny" },
    // The Percona clusters' CA (cert-manager's Certificate <cluster>-ca-cert): a tenant's copy would be the CA the nodes trust.
    { name: "database-ca-cert", expected: "deny" },
    { name: "mongodb-ca-cert", expected: "deny" },
    { name: "mongodb-g2-ca-cert", expected: "deny" },
    // Review f19c 2: CloudNativePG's own (api/v1/cluster_types.go suffixes at 1.30.0); its -app is the owner's.
    { name: "database-superuser", expected: "deny" },
    { name: "database-replication", expected: "deny" },
    { name: "database-ca", expected: "deny" },
    { name: "database-server", expected: "deny" },
    { name: "database-g3-server", expected: "deny" },
    { name: "database-pull-secret", expected: "deny" },
    { name: "database-app", expected: "admit" },
    { name: "database-cache", expected: "admit" },
];

describe("platform-tenant-secrets (admission twin of tenancy-no-operator-secrets)", () => {
    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
    });

    it.each(CASES)("a tenant Secret named $name: $expected by admission and by the pack", ({ name, expected }) => {
        expect(decide(name)).toEqual({ admission: expected, pack: expected });
    });

    it("lets the operators write their own Secrets, nobody else", () => {
        expect(decide("database-secrets", PXC_OPERATOR_USER).admission).toBe("admit");
        expect(decide("database-superuser", CNPG_OPERATOR_USER).admission).toBe("admit");
        expect(decide("database-ca", CNPG_OPERATOR_USER).admission).toBe("admit");
        expect(decide("internal-mongodb-users", PSMDB_OPERATOR_USER).admission).toBe("admit");
        expect(decide("mongodb-users", "system:serviceaccount:shop-argocd:argocd-application-controller").admission).toBe("deny");
        expect(decide("mongodb-users", "system:serviceaccount:psmdb-system:default").admission).toBe("deny");
    });

    // Issue 19 item 5: each operator writes only its own names (a MySQL operator writing database-superuser would
    // choose the PostgreSQL superuser's password).
    it.each([
        { name: "database-superuser", user: PXC_OPERATOR_USER },
        { name: "database-ca", user: PSMDB_OPERATOR_USER },
        { name: "database-secrets", user: CNPG_OPERATOR_USER },
        { name: "database-env-vars-pxc", user: PSMDB_OPERATOR_USER },
        { name: "internal-database", user: CNPG_OPERATOR_USER },
        { name: "mongodb-users", user: PXC_OPERATOR_USER },
        { name: "internal-mongodb-g2-users", user: CNPG_OPERATOR_USER },
        { name: "mongodb-mongodb-keyfile", user: PXC_OPERATOR_USER },
    ])("refuses $name written by another operator ($user)", ({ name, user }) => {
        expect(decide(name, user).admission).toBe("deny");
    });

    it.each([
        { name: "database-g2-replication", user: CNPG_OPERATOR_USER },
        { name: "database-g2-env-vars-haproxy", user: PXC_OPERATOR_USER },
        { name: "internal-database-g1", user: PXC_OPERATOR_USER },
        { name: "mongodb-g1-ssl-internal", user: PSMDB_OPERATOR_USER },
    ])("admits $name written by its own operator", ({ name, user }) => {
        expect(decide(name, user).admission).toBe("admit");
    });

    // With cert-manager installed both Percona operators request their TLS from it (PXC v1.19.0 pkg/controller/pxc/tls.go,
    // PSMDB v1.22.0 pkg/psmdb/tls): cert-manager's controller writes <cluster>-ca-cert, -ssl and -ssl-internal; the
    // MongoDB operator has no fallback, so refusing cert-manager left MongoDB without TLS.
    it.each(["database-ca-cert", "database-ssl", "database-ssl-internal", "mongodb-ca-cert", "mongodb-ssl", "mongodb-g1-ssl-internal"])(
        "admits %s written by cert-manager's controller",
        (name) => {
            expect(CERT_MANAGER_USER).toBe("system:serviceaccount:cert-manager:cert-manager");
            expect(decide(name, CERT_MANAGER_USER).admission).toBe("admit");
        },
    );

    it.each(["database-secrets", "internal-database", "database-superuser", "database-ca", "mongodb-users", "mongodb-mongodb-keyfile", "database-env-vars-pxc"])(
        "refuses %s written by cert-manager's controller: it issues certificates, not passwords",
        (name) => {
            expect(decide(name, CERT_MANAGER_USER).admission).toBe("deny");
        },
    );

    it("the pack names the operator that owns the name", () => {
        const message = (name: string) => messagesOf("tenancy-no-operator-secrets", [planned("kubernetes:core/v1:Secret", `shop-${name}`, secret(name))]).join("\n");
        expect(message("database-superuser")).toMatch(/only the CloudNativePG operator/);
        expect(message("database-env-vars-pxc")).toMatch(/only the MySQL \(Percona XtraDB Cluster\) operator/);
        expect(message("internal-mongodb-users")).toMatch(/only the MongoDB \(Percona\) operator/);
    });
});

// Review 19c, minor 4: the Secrets the grants stack writes into the namespace (backup and bucket keys) are the
// platform's; a tenant writer replacing one would break the project's backups or bucket access.
describe("platform-written Secrets in a tenant namespace", () => {
    const tenantStackUrn = (name: string) => `urn:pulumi:fsn1--shop::platform-tenant::kubernetes:core/v1:Secret::${name}`;
    const grantsStackUrn = (name: string) => `urn:pulumi:fsn1--shop--grants::platform-grants::kubernetes:core/v1:Secret::${name}`;
    const admission = (name: string, userInfo: { username: string; groups?: string[] }) =>
        admit(pair.policy, pair.binding, { object: secret(name), namespaceObject: tenantNamespace("shop").inputs, operation: "UPDATE", userInfo }).allowed ? "admit" : "deny";
    const pack = (name: string, urn: string) => (messagesOf("tenancy-no-operator-secrets", [planned("kubernetes:core/v1:Secret", name, secret(name), { urn })]).length === 0 ? "admit" : "deny");

    it("names the bucket Secret the project component writes, and both Redis Secrets (review 19d, major 3)", () => {
        expect(PLATFORM_WRITTEN_SECRETS).toContain(BUCKET_SECRET);
        expect(PLATFORM_WRITTEN_SECRETS).toContain(REDIS_SECRET);
        expect(PLATFORM_WRITTEN_SECRETS).toContain(REDIS_INTERNAL_SECRET);
    });

    it.each(["database-backup-s3", "bucket-credentials", "redis-internal", "redis-credentials"])("%s: denied to the deployer, Argo CD and the operators, admitted to the admin credentials", (name) => {
        expect(admission(name, { username: "system:serviceaccount:shop:deployer", groups: ["system:serviceaccounts", "system:serviceaccounts:shop"] })).toBe("deny");
        expect(admission(name, { username: "system:serviceaccount:shop-argocd:argocd-application-controller", groups: ["system:serviceaccounts"] })).toBe("deny");
        expect(admission(name, { username: CNPG_OPERATOR_USER, groups: ["system:serviceaccounts"] })).toBe("deny");
        expect(admission(name, { username: "system:admin", groups: ["system:masters", "system:authenticated"] })).toBe("admit");
    });

    it.each(["database-backup-s3", "bucket-credentials", "redis-internal", "redis-credentials"])("%s: refused in a tenant app stack, kept in the grants stack that writes it", (name) => {
        expect(pack(name, tenantStackUrn(name))).toBe("deny");
        expect(pack(name, grantsStackUrn(name))).toBe("admit");
    });

    it("says whose the Secret is and which stack must not write it", () => {
        expect(messagesOf("tenancy-no-operator-secrets", [planned("kubernetes:core/v1:Secret", "database-backup-s3", secret("database-backup-s3"), { urn: tenantStackUrn("database-backup-s3") })])).toEqual([
            'Secret "database-backup-s3" in namespace "shop" is the platform\'s (the backup or bucket keys, or the Redis users and ACL file, its grants stack writes): a tenant app stack must not create or replace it',
        ]);
    });

    it("leaves the tenant stack's own Secrets to it", () => {
        expect(admission("database-credentials", { username: "system:serviceaccount:shop:deployer", groups: ["system:serviceaccounts"] })).toBe("admit");
        expect(pack("database-credentials", tenantStackUrn("database-credentials"))).toBe("admit");
    });
});
