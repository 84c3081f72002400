import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { workloadCapabilities } from "./workload/capabilities";
import { workloadImageDigest } from "./workload/image-digest";
import { workloadImageRegistry } from "./workload/image-registry";
import { workloadImageTag } from "./workload/image-tag";
import { workloadNoHostNamespaces } from "./workload/no-host-namespaces";
import { workloadNoHostPath } from "./workload/no-host-path";
import { workloadNoHostPorts } from "./workload/no-host-ports";
import { workloadNoPrivilegeEscalation } from "./workload/no-privilege-escalation";
import { workloadNoPrivileged } from "./workload/no-privileged";
import { workloadNoServiceAccountToken } from "./workload/no-service-account-token";
import { workloadProbes } from "./workload/probes";
import { workloadProcMount } from "./workload/proc-mount";
import { workloadReadOnlyRootFilesystem } from "./workload/read-only-root-filesystem";
import { workloadResources } from "./workload/resources";
import { workloadRestrictedVolumeTypes } from "./workload/restricted-volume-types";
import { workloadRunAsNonRoot } from "./workload/run-as-non-root";
import { workloadSafeSysctls } from "./workload/safe-sysctls";
import { workloadSeccompProfile } from "./workload/seccomp-profile";
import { workloadSelinux } from "./workload/selinux";
import { workloadAppArmor } from "./workload/apparmor";
import { workloadNoProbeHost } from "./workload/no-probe-host";
import { workloadNoPlatformBackupSecret } from "./workload/no-platform-backup-secret";
import { workloadNoOperatorSelectorLabels } from "./workload/no-operator-selector-labels";
import { workloadNoHostProcess } from "./workload/no-host-process";
import { tenancyDefaultDenyNetworkPolicy } from "./tenancy/default-deny-network-policy";
import { networkUntrustedCodeDefaultDeny } from "./network/untrusted-code-default-deny";
import { networkOperatorDefaultDenyEgress } from "./network/operator-default-deny-egress";
import { tenancyDnsEgress } from "./tenancy/dns-egress";
import { tenancyEgressNoCloudMetadata } from "./tenancy/egress-no-cloud-metadata";
import { tenancyEgressNoSmtp } from "./tenancy/egress-no-smtp";
import { tenancyLimitRange } from "./tenancy/limit-range";
import { tenancyNamespaceLabels } from "./tenancy/namespace-labels";
import { tenancyNamespacePodSecurity } from "./tenancy/namespace-pod-security";
import { tenancyNoOpenNamespaceSelector } from "./tenancy/no-open-namespace-selector";
import { tenancyNoWorkloadsInSystemNamespaces } from "./tenancy/no-workloads-in-system-namespaces";
import { tenancyRbacNoClusterBindings } from "./tenancy/rbac-no-cluster-bindings";
import { tenancyRbacNoWildcards } from "./tenancy/rbac-no-wildcards";
import { tenancyResourceQuota } from "./tenancy/resource-quota";
import { tenancyUntrustedGvisor } from "./tenancy/untrusted-gvisor";
import { tenancyPodPlacement } from "./tenancy/pod-placement";
import { tenancyDatabaseCluster } from "./tenancy/database-cluster";
import { tenancyRedisReplication } from "./tenancy/redis-replication";
import { tenancyLogTenants } from "./tenancy/log-tenants";
import { tenancyMysqlCluster } from "./tenancy/mysql-cluster";
import { tenancyRestoreStorageClass } from "./tenancy/restore-storage-class";
import { tenancyMongodbCluster } from "./tenancy/mongodb-cluster";
import { tenancyNoOperatorSecrets } from "./tenancy/no-operator-secrets";
import { networkFirewallPublicPorts } from "./network/firewall-public-ports";
import { networkFirewallSensitivePorts } from "./network/firewall-sensitive-ports";
import { networkIngressTls } from "./network/ingress-tls";
import { networkServerFirewall } from "./network/server-firewall";
import { networkTailnetKey } from "./network/tailnet-key";
import { networkTailscaleAcl } from "./network/tailscale-acl";
import { networkTenantServiceExposure } from "./network/tenant-service-exposure";
import { networkTenantHostSpace } from "./network/tenant-host-space";
import { clusterK3sAdmissionConfig } from "./cluster/k3s-admission-config";
import { clusterK3sAnonymousAuth } from "./cluster/k3s-anonymous-auth";
import { clusterK3sAuditLog } from "./cluster/k3s-audit-log";
import { clusterK3sEtcdSnapshots } from "./cluster/k3s-etcd-snapshots";
import { clusterK3sKubeletHardening } from "./cluster/k3s-kubelet-hardening";
import { clusterK3sSecretsEncryption } from "./cluster/k3s-secrets-encryption";
import { secretsCredentialOutputs } from "./secrets/credential-outputs";

/**
 * Every rule of the pack, by catalogue group (DESIGN.md "Security rule catalogue"). Importing this module has
 * no side effects: `policy/index.ts` hands the list to the PolicyPack, `policy/offline.ts` runs it over a
 * mock plan, tests import single rules.
 */

/** A rule of the pack. */
export type PackPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Pod and container security on every workload kind. */
export const WORKLOAD_POLICIES: readonly PackPolicy[] = [
    workloadNoPrivileged,
    workloadNoHostNamespaces,
    workloadNoHostPath,
    workloadRestrictedVolumeTypes,
    workloadNoHostPorts,
    workloadCapabilities,
    workloadNoPrivilegeEscalation,
    workloadRunAsNonRoot,
    workloadSeccompProfile,
    workloadProcMount,
    workloadSafeSysctls,
    workloadSelinux,
    workloadAppArmor,
    workloadNoProbeHost,
    workloadNoPlatformBackupSecret,
    workloadNoOperatorSelectorLabels,
    workloadNoHostProcess,
    workloadResources,
    workloadImageTag,
    workloadImageRegistry,
    workloadReadOnlyRootFilesystem,
    workloadProbes,
    workloadImageDigest,
    workloadNoServiceAccountToken,
];

/** Tenant isolation: namespaces, quotas, network policies, sandbox, RBAC. */
export const TENANCY_POLICIES: readonly PackPolicy[] = [
    tenancyNoWorkloadsInSystemNamespaces,
    tenancyNamespaceLabels,
    tenancyNamespacePodSecurity,
    tenancyResourceQuota,
    tenancyLimitRange,
    tenancyDefaultDenyNetworkPolicy,
    tenancyDnsEgress,
    tenancyNoOpenNamespaceSelector,
    tenancyEgressNoCloudMetadata,
    tenancyEgressNoSmtp,
    tenancyUntrustedGvisor,
    tenancyPodPlacement,
    tenancyDatabaseCluster,
    tenancyRedisReplication,
    tenancyMysqlCluster,
    tenancyRestoreStorageClass,
    tenancyMongodbCluster,
    tenancyNoOperatorSecrets,
    tenancyRbacNoClusterBindings,
    tenancyRbacNoWildcards,
    tenancyLogTenants,
];

/** Exposure: Services, Ingresses, firewalls, the tailnet. */
export const NETWORK_POLICIES: readonly PackPolicy[] = [
    networkTenantServiceExposure,
    networkTenantHostSpace,
    networkIngressTls,
    networkFirewallSensitivePorts,
    networkFirewallPublicPorts,
    networkServerFirewall,
    networkTailscaleAcl,
    networkTailnetKey,
    networkUntrustedCodeDefaultDeny,
    networkOperatorDefaultDenyEgress,
];

/** k3s hardening as rendered into node user-data. */
export const CLUSTER_POLICIES: readonly PackPolicy[] = [
    clusterK3sSecretsEncryption,
    clusterK3sAdmissionConfig,
    clusterK3sAuditLog,
    clusterK3sAnonymousAuth,
    clusterK3sKubeletHardening,
    clusterK3sEtcdSnapshots,
];

/** Secrecy of credential outputs. */
export const SECRETS_POLICIES: readonly PackPolicy[] = [secretsCredentialOutputs];

/** The whole pack. */
export const POLICIES: readonly PackPolicy[] = [...WORKLOAD_POLICIES, ...TENANCY_POLICIES, ...NETWORK_POLICIES, ...CLUSTER_POLICIES, ...SECRETS_POLICIES];
