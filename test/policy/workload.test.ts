import { describe, expect, it } from "vitest";
import { evaluatePolicyReport } from "../../policy/offline";
import { compliantContainer, edit, messagesOf, podSpecIn, workload, WORKLOAD_KINDS, type WorkloadKind } from "../helpers/policy-fixtures";
import { caseOf, describeRule } from "./rule-cases";
import { workloadNoPrivileged } from "../../policy/rules/workload/no-privileged";
import { workloadNoHostNamespaces } from "../../policy/rules/workload/no-host-namespaces";
import { workloadNoHostPath } from "../../policy/rules/workload/no-host-path";
import { workloadRestrictedVolumeTypes } from "../../policy/rules/workload/restricted-volume-types";
import { workloadNoHostPorts } from "../../policy/rules/workload/no-host-ports";
import { workloadCapabilities } from "../../policy/rules/workload/capabilities";
import { workloadNoPrivilegeEscalation } from "../../policy/rules/workload/no-privilege-escalation";
import { workloadRunAsNonRoot } from "../../policy/rules/workload/run-as-non-root";
import { workloadSeccompProfile } from "../../policy/rules/workload/seccomp-profile";
import { workloadProcMount } from "../../policy/rules/workload/proc-mount";
import { workloadSafeSysctls } from "../../policy/rules/workload/safe-sysctls";
import { workloadResources } from "../../policy/rules/workload/resources";
import { workloadImageTag } from "../../policy/rules/workload/image-tag";
import { workloadImageRegistry } from "../../policy/rules/workload/image-registry";
import { workloadReadOnlyRootFilesystem } from "../../policy/rules/workload/read-only-root-filesystem";
import { workloadProbes } from "../../policy/rules/workload/probes";
import { workloadImageDigest } from "../../policy/rules/workload/image-digest";
import { workloadNoServiceAccountToken } from "../../policy/rules/workload/no-service-account-token";
import { workloadSelinux } from "../../policy/rules/workload/selinux";
import { workloadAppArmor } from "../../policy/rules/workload/apparmor";
import { workloadNoProbeHost } from "../../policy/rules/workload/no-probe-host";
import { workloadNoHostProcess } from "../../policy/rules/workload/no-host-process";
import { workloadNoPlatformBackupSecret } from "../../policy/rules/workload/no-platform-backup-secret";
import { workloadNoOperatorSelectorLabels } from "../../policy/rules/workload/no-operator-selector-labels";
import { planned } from "../helpers/policy-fixtures";

/** The compliant Deployment with its pod spec changed. */
const withPod = (change: (podSpec: any) => void, kind: WorkloadKind = "Deployment") => edit(workload(kind), (inputs) => change(podSpecIn(inputs, kind)));
/** The compliant Deployment with its first container changed. */
const withContainer = (change: (container: any) => void) => withPod((pod) => change(pod.containers[0]));
const compliant = () => [workload()];
const DEBUG: Record<string, any> = { ...compliantContainer("debug"), resources: undefined, readinessProbe: undefined, livenessProbe: undefined };

/**
 * A platform build Job as the build exception (policy/lib/build-exception.ts) describes it, written out here: the
 * container "buildkit" in the builds namespace, pinned to and tolerating only the build pool, the project label,
 * emptyDir scratch only, non-root, dropping ALL but SETUID/SETGID, escalating, seccomp and AppArmor unconfined.
 */
function buildPodSpec(): Record<string, any> {
    const { readinessProbe: _r, livenessProbe: _l, ports: _p, ...buildkit } = compliantContainer("buildkit");
    return {
        automountServiceAccountToken: false,
        nodeSelector: { "platform/pool": "build" },
        tolerations: [{ key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" }],
        securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                ...buildkit,
                securityContext: {
                    allowPrivilegeEscalation: true,
                    runAsNonRoot: true,
                    runAsUser: 1000,
                    capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] },
                    seccompProfile: { type: "Unconfined" },
                    appArmorProfile: { type: "Unconfined" },
                },
            },
        ],
        volumes: [{ name: "tmp", emptyDir: {} }],
    };
}
/** The build Job in `namespace` with its buildkit container changed. */
const buildJob = (change: (buildkit: any) => void = () => undefined, namespace = "builds") => {
    const spec = buildPodSpec();
    change(spec.containers[0]);
    return workload("Job", "build", namespace, spec);
};
/** What a rule records as not applicable over the resources. */
const notApplicableOf = (policy: string, resources: ReturnType<typeof workload>[]) => evaluatePolicyReport(resources).notApplicable.filter((n) => n.policy === policy).map((n) => n.reason);

describe("pod spec paths", () => {
    it.each(Object.keys(WORKLOAD_KINDS) as WorkloadKind[])("reads the pod spec of a %s", (kind) => {
        const privileged = withPod((pod) => (pod.containers[0].securityContext.privileged = true), kind);
        expect(messagesOf("workload-no-privileged", [workload(kind)])).toEqual([]);
        expect(messagesOf("workload-no-privileged", [privileged])).toEqual(['container "web" sets securityContext.privileged: true']);
    });

    it("reads other served versions of a kind (batch/v1beta1 CronJob) but not Patch resources", () => {
        const cron = withPod((pod) => (pod.hostPID = true), "CronJob");
        expect(messagesOf("workload-no-host-namespaces", [{ ...cron, type: "kubernetes:batch/v1beta1:CronJob" }])).toEqual(["pod sets hostPID: true"]);
        // Patches carry partial specs; they are documented as out of scope.
        expect(messagesOf("workload-no-host-namespaces", [{ ...cron, type: "kubernetes:batch/v1:CronJobPatch" }])).toEqual([]);
    });

    it("ignores components (not custom resources)", () => {
        const privileged = withPod((pod) => (pod.containers[0].securityContext.privileged = true));
        expect(messagesOf("workload-no-privileged", [{ ...privileged, custom: false }])).toEqual([]);
    });
});

describeRule(workloadNoPrivileged, compliant, [
    caseOf("privileged container", withContainer((c) => (c.securityContext.privileged = true)), ['container "web" sets securityContext.privileged: true']),
    caseOf("privileged init container", withPod((p) => (p.initContainers[0].securityContext.privileged = true)), ['initContainer "migrate" sets securityContext.privileged: true']),
    caseOf(
        "privileged ephemeral container",
        withPod((p) => (p.ephemeralContainers = [{ ...DEBUG, securityContext: { ...DEBUG.securityContext, privileged: true } }])),
        ['ephemeralContainer "debug" sets securityContext.privileged: true'],
    ),
]);

describeRule(workloadNoHostNamespaces, compliant, [
    caseOf("hostNetwork", withPod((p) => (p.hostNetwork = true)), ["pod sets hostNetwork: true"]),
    caseOf("hostPID", withPod((p) => (p.hostPID = true)), ["pod sets hostPID: true"]),
    caseOf("hostIPC", withPod((p) => (p.hostIPC = true)), ["pod sets hostIPC: true"]),
]);

describeRule(workloadNoHostPath, compliant, [
    caseOf("hostPath volume", withPod((p) => p.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } })), ['volume "docker" is a hostPath volume']),
], [{ title: "a hostPath of null (no source)", resources: [withPod((p) => p.volumes.push({ name: "scratch", emptyDir: {}, hostPath: null }))] }]);

describeRule(workloadRestrictedVolumeTypes, compliant, [
    caseOf("nfs volume", withPod((p) => p.volumes.push({ name: "share", nfs: { server: "10.0.0.5", path: "/export" } })), ['volume "share" uses the nfs volume type']),
    caseOf("hostPath volume", withPod((p) => p.volumes.push({ name: "root", hostPath: { path: "/" } })), ['volume "root" uses the hostPath volume type']),
], [{ title: "other sources present but undefined or null", resources: [withPod((p) => p.volumes.push({ name: "scratch", emptyDir: {}, nfs: undefined, hostPath: null }))] }]);

describeRule(workloadNoHostPorts, compliant, [
    caseOf("hostPort on a container", withContainer((c) => (c.ports[0].hostPort = 8080)), ['container "web" binds hostPort 8080']),
    caseOf("hostPort on an init container", withPod((p) => (p.initContainers[0].ports = [{ containerPort: 53, hostPort: 53 }])), ['initContainer "migrate" binds hostPort 53']),
], [
    { title: "hostPort 0 (none)", resources: [withContainer((c) => (c.ports[0].hostPort = 0))] },
    { title: "hostPort null (none)", resources: [withContainer((c) => (c.ports[0].hostPort = null))] },
]);

describeRule(
    workloadCapabilities,
    compliant,
    [
        caseOf("drop without ALL", withContainer((c) => (c.securityContext.capabilities.drop = ["NET_RAW"])), ['container "web" does not drop ALL capabilities']),
        caseOf("no capabilities at all", withPod((p) => delete p.initContainers[0].securityContext.capabilities), ['initContainer "migrate" does not drop ALL capabilities']),
        caseOf("added SYS_ADMIN", withContainer((c) => (c.securityContext.capabilities.add = ["NET_BIND_SERVICE", "SYS_ADMIN"])), ['container "web" adds capabilities SYS_ADMIN']),
        caseOf("two capabilities added", withContainer((c) => (c.securityContext.capabilities.add = ["SYS_ADMIN", "NET_RAW"])), ['container "web" adds capabilities SYS_ADMIN, NET_RAW']),
        // containerd compares "ALL" case-insensitively but untrimmed: " ALL" becomes the no-op "CAP_ ALL".
        caseOf("drop \" ALL\" with a space (drops nothing in containerd)", withContainer((c) => (c.securityContext.capabilities.drop = [" ALL"])), ['container "web" does not drop ALL capabilities']),
        caseOf("the build pod's buildkit container outside the builds namespace", buildJob(() => undefined, "shop"), ['container "buildkit" adds capabilities SETUID, SETGID']),
        caseOf("the build pod's buildkit container dropping \" ALL\" (loses the exception)", buildJob((b) => (b.securityContext.capabilities.drop = [" ALL"])), [
            'container "buildkit" does not drop ALL capabilities',
            'container "buildkit" adds capabilities SETUID, SETGID',
        ]),
    ],
    [
        { title: "adding NET_BIND_SERVICE", resources: [withContainer((c) => (c.securityContext.capabilities.add = ["NET_BIND_SERVICE"]))] },
        { title: "drop all in lower case (containerd folds case)", resources: [withContainer((c) => (c.securityContext.capabilities.drop = ["all"]))] },
        { title: "rootless BuildKit of a platform build (the build exception)", resources: [buildJob()] },
    ],
);

describeRule(workloadNoPrivilegeEscalation, compliant, [
    caseOf("unset", withContainer((c) => delete c.securityContext.allowPrivilegeEscalation), ['container "web" does not set allowPrivilegeEscalation: false']),
    caseOf("true", withPod((p) => (p.initContainers[0].securityContext.allowPrivilegeEscalation = true)), ['initContainer "migrate" does not set allowPrivilegeEscalation: false']),
    caseOf("the build pod's buildkit container outside the builds namespace", buildJob(() => undefined, "shop"), ['container "buildkit" does not set allowPrivilegeEscalation: false']),
], [{ title: "rootless BuildKit of a platform build (the build exception)", resources: [buildJob()] }]);

describeRule(
    workloadRunAsNonRoot,
    compliant,
    [
        caseOf("pod runAsUser 0", withPod((p) => (p.securityContext.runAsUser = 0)), ["pod securityContext sets runAsUser: 0"]),
        caseOf("container runAsUser 0", withContainer((c) => (c.securityContext.runAsUser = 0)), ['container "web" sets runAsUser: 0']),
        caseOf(
            "runAsNonRoot at neither level",
            withPod((p) => {
                delete p.securityContext.runAsNonRoot;
                delete p.containers[0].securityContext.runAsNonRoot;
            }),
            ['container "web" does not run with runAsNonRoot: true (set it on the container or the pod)'],
        ),
        caseOf("container overrides the pod with false", withContainer((c) => (c.securityContext.runAsNonRoot = false)), ['container "web" does not run with runAsNonRoot: true (set it on the container or the pod)']),
    ],
    [{ title: "runAsNonRoot only on the pod", resources: [withPod((p) => [...p.containers, ...p.initContainers].forEach((c: any) => delete c.securityContext.runAsNonRoot))] }],
);

describeRule(
    workloadSeccompProfile,
    compliant,
    [
        caseOf("pod Unconfined", withPod((p) => (p.securityContext.seccompProfile = { type: "Unconfined" })), ["pod securityContext sets seccompProfile.type: Unconfined"]),
        caseOf("container Unconfined", withContainer((c) => (c.securityContext.seccompProfile = { type: "Unconfined" })), ['container "web" sets seccompProfile.type: Unconfined']),
        caseOf("no profile anywhere", withPod((p) => delete p.securityContext.seccompProfile), [
            'container "web" has no seccomp profile (set RuntimeDefault on the pod or the container)',
            'initContainer "migrate" has no seccomp profile (set RuntimeDefault on the pod or the container)',
        ]),
        // The exception covers the exact type Unconfined only; any other type is judged as usual.
        caseOf("the build pod's buildkit container with another disallowed type", buildJob((b) => (b.securityContext.seccompProfile = { type: "unconfined" })), ['container "buildkit" sets seccompProfile.type: unconfined']),
    ],
    [
        { title: "rootless BuildKit of a platform build (the build exception)", resources: [buildJob()] },
        {
            title: "Localhost profiles on every container",
            resources: [
                withPod((p) => {
                    delete p.securityContext.seccompProfile;
                    [...p.containers, ...p.initContainers].forEach((c: any) => (c.securityContext.seccompProfile = { type: "Localhost", localhostProfile: "profiles/app.json" }));
                }),
            ],
        },
    ],
);

describeRule(workloadProcMount, compliant, [caseOf("Unmasked", withContainer((c) => (c.securityContext.procMount = "Unmasked")), ['container "web" sets procMount: Unmasked'])], [
    { title: "procMount Default", resources: [withContainer((c) => (c.securityContext.procMount = "Default"))] },
    { title: "procMount null (the default)", resources: [withContainer((c) => (c.securityContext.procMount = null))] },
]);

describeRule(
    workloadSafeSysctls,
    compliant,
    [
        caseOf("unsafe sysctl", withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_syncookies", value: "1" }, { name: "kernel.msgmax", value: "65536" }])), [
            "pod sets sysctl kernel.msgmax, which is not safe on Kubernetes v1.31",
        ]),
        // pod-security-admission check_sysctls.go: tcp_rmem is safe from 1.32, tcp_keepalive_time from 1.29.
        caseOf("a 1.32 sysctl on a 1.31 cluster", withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_rmem", value: "4096 87380 6291456" }])), [
            "pod sets sysctl net.ipv4.tcp_rmem, which is not safe on Kubernetes v1.31",
        ]),
        caseOf("a sysctl entry that is not an object", withPod((p) => (p.securityContext.sysctls = [null])), ["pod sets sysctl <unnamed>, which is not safe on Kubernetes v1.31"]),
        caseOf("a 1.29 sysctl on a 1.28 cluster", withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }])), [
            "pod sets sysctl net.ipv4.tcp_keepalive_time, which is not safe on Kubernetes v1.28",
        ], [], { kubernetesVersion: "v1.28" }),
    ],
    [
        { title: "safe sysctls", resources: [withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.ip_unprivileged_port_start", value: "80" }]))] },
        { title: "a 1.29 sysctl on the default (1.31) cluster", resources: [withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }]))] },
        { title: "a 1.32 sysctl on a 1.32 cluster", resources: [withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_wmem", value: "4096 16384 4194304" }]))], config: { kubernetesVersion: "v1.32" } },
        { title: "a 1.37 sysctl on a 1.37 cluster", resources: [withPod((p) => (p.securityContext.sysctls = [{ name: "net.ipv4.tcp_notsent_lowat", value: "16384" }]))], config: { kubernetesVersion: "1.37" } },
    ],
);

// Cases after pod-security-admission's testdata for these checks (policy/check_*_test.go), one field each.
describeRule(
    workloadSelinux,
    compliant,
    [
        caseOf("pod SELinux type spc_t", withPod((p) => (p.securityContext.seLinuxOptions = { type: "spc_t" })), ["pod sets seLinuxOptions.type spc_t"]),
        caseOf("container SELinux type unconfined_t", withContainer((c) => (c.securityContext.seLinuxOptions = { type: "unconfined_t" })), ['container "web" sets seLinuxOptions.type unconfined_t']),
        caseOf("init container SELinux user", withPod((p) => (p.initContainers[0].securityContext.seLinuxOptions = { user: "system_u" })), ['initContainer "migrate" sets seLinuxOptions.user system_u']),
        caseOf("pod SELinux role", withPod((p) => (p.securityContext.seLinuxOptions = { role: "system_r" })), ["pod sets seLinuxOptions.role system_r"]),
    ],
    [
        { title: "container types and levels", resources: [withPod((p) => (p.securityContext.seLinuxOptions = { type: "container_init_t", level: "s0:c123,c456" }))] },
        { title: "container_kvm_t", resources: [withContainer((c) => (c.securityContext.seLinuxOptions = { type: "container_kvm_t" }))] },
    ],
);

describeRule(
    workloadAppArmor,
    compliant,
    [
        caseOf("pod profile Unconfined", withPod((p) => (p.securityContext.appArmorProfile = { type: "Unconfined" })), ["pod sets appArmorProfile.type Unconfined"]),
        caseOf("container profile Unconfined", withContainer((c) => (c.securityContext.appArmorProfile = { type: "Unconfined" })), ['container "web" sets appArmorProfile.type Unconfined']),
        caseOf(
            "annotation unconfined",
            edit(workload("Deployment"), (i) => (i.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" })),
            ['pod annotation container.apparmor.security.beta.kubernetes.io/web is "unconfined"'],
        ),
        caseOf(
            "annotation on a CronJob's pod template",
            edit(workload("CronJob"), (i) => (i.spec.jobTemplate.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" })),
            ['pod annotation container.apparmor.security.beta.kubernetes.io/web is "unconfined"'],
        ),
        caseOf("the build pod's buildkit container with another disallowed type", buildJob((b) => (b.securityContext.appArmorProfile = { type: "unconfined" })), ['container "buildkit" sets appArmorProfile.type unconfined']),
    ],
    [
        { title: "rootless BuildKit of a platform build (the build exception)", resources: [buildJob()] },
        { title: "RuntimeDefault and Localhost profiles", resources: [withPod((p) => { p.securityContext.appArmorProfile = { type: "RuntimeDefault" }; p.containers[0].securityContext.appArmorProfile = { type: "Localhost", localhostProfile: "k8s-web" }; })] },
        { title: "runtime/default and localhost/ annotations", resources: [edit(workload("Deployment"), (i) => (i.spec.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/web": "runtime/default", "container.apparmor.security.beta.kubernetes.io/migrate": "localhost/k8s-migrate" }))] },
    ],
);

describeRule(workloadNoProbeHost, compliant, [
    caseOf("readiness httpGet host", withContainer((c) => (c.readinessProbe = { httpGet: { host: "169.254.169.254", path: "/", port: 80 } })), ['container "web" readinessProbe.httpGet.host is 169.254.169.254']),
    caseOf("liveness tcpSocket host", withContainer((c) => (c.livenessProbe = { tcpSocket: { host: "10.43.0.1", port: 443 } })), ['container "web" livenessProbe.tcpSocket.host is 10.43.0.1']),
    caseOf("startup probe host on an init container", withPod((p) => (p.initContainers[0].startupProbe = { httpGet: { host: "example.com", port: 80 } })), ['initContainer "migrate" startupProbe.httpGet.host is example.com']),
    caseOf("postStart hook host", withContainer((c) => (c.lifecycle = { postStart: { httpGet: { host: "kubernetes.default", port: 443 } } })), ['container "web" lifecycle.postStart.httpGet.host is kubernetes.default']),
    caseOf("preStop tcpSocket host", withContainer((c) => (c.lifecycle = { preStop: { tcpSocket: { host: "10.0.0.1", port: 22 } } })), ['container "web" lifecycle.preStop.tcpSocket.host is 10.0.0.1']),
], [{ title: "an empty host", resources: [withContainer((c) => (c.readinessProbe = { httpGet: { host: "", path: "/", port: 8080 } }))] }]);

describeRule(workloadNoHostProcess, compliant, [
    caseOf("pod hostProcess", withPod((p) => (p.securityContext.windowsOptions = { hostProcess: true })), ["pod sets windowsOptions.hostProcess: true"]),
    caseOf("container hostProcess", withContainer((c) => (c.securityContext.windowsOptions = { hostProcess: true })), ['container "web" sets windowsOptions.hostProcess: true']),
], [{ title: "hostProcess false", resources: [withContainer((c) => (c.securityContext.windowsOptions = { hostProcess: false }))] }]);

describeRule(
    workloadResources,
    compliant,
    [
        caseOf("no CPU request", withContainer((c) => delete c.resources.requests.cpu), ['container "web" does not set resources requests.cpu']),
        caseOf("no memory request", withContainer((c) => delete c.resources.requests.memory), ['container "web" does not set resources requests.memory']),
        caseOf("no memory limit", withPod((p) => delete p.initContainers[0].resources.limits.memory), ['initContainer "migrate" does not set resources limits.memory']),
        caseOf("no resources at all", withContainer((c) => delete c.resources), ['container "web" does not set resources requests.cpu, requests.memory, limits.memory']),
        caseOf("a null CPU request and an empty memory limit", withContainer((c) => {
            c.resources.requests.cpu = null;
            c.resources.limits.memory = "";
        }), ['container "web" does not set resources requests.cpu, limits.memory']),
    ],
    [{ title: "ephemeral containers (they cannot declare resources)", resources: [withPod((p) => (p.ephemeralContainers = [DEBUG]))] }],
);

describeRule(workloadImageTag, compliant, [
    caseOf("no tag", withContainer((c) => (c.image = "nginx")), ['container "web" image "nginx" has no tag']),
    caseOf("latest", withContainer((c) => (c.image = "ghcr.io/example/web:latest")), ['container "web" image "ghcr.io/example/web:latest" uses the latest tag']),
    caseOf("no image", withContainer((c) => delete c.image), ['container "web" has no image']),
    caseOf("an empty image", withContainer((c) => (c.image = "")), ['container "web" has no image']),
    caseOf("a blank image", withContainer((c) => (c.image = "  ")), ['container "web" has no image']),
    caseOf("malformed image", withContainer((c) => (c.image = "ghcr.io/example/web:1.0 --privileged")), ['container "web" image "ghcr.io/example/web:1.0 --privileged" is not a valid image reference']),
    caseOf("untagged ephemeral container", withPod((p) => (p.ephemeralContainers = [{ ...DEBUG, image: "busybox" }])), ['ephemeralContainer "debug" image "busybox" has no tag']),
], [
    { title: "a digest without a tag", resources: [withContainer((c) => (c.image = `ghcr.io/example/web@sha256:${"b2".repeat(32)}`))] },
    { title: "a registry with a port", resources: [withContainer((c) => (c.image = "registry.k8s.io:443/pause:3.10"))] },
]);

describeRule(
    workloadImageRegistry,
    compliant,
    [
        caseOf("unknown registry", withContainer((c) => (c.image = "evil.example.com/miner:1.0")), [
            'container "web" image "evil.example.com/miner:1.0" comes from evil.example.com, not an allowed registry (docker.io, ghcr.io, quay.io, registry.k8s.io)',
        ]),
        caseOf("Docker Hub when only ghcr.io is allowed", withContainer((c) => (c.image = "nginx:1.27")), ['container "web" image "nginx:1.27" comes from docker.io, not an allowed registry (ghcr.io/example)'], [], {
            allowedRegistries: ["ghcr.io/example"],
        }),
        caseOf("a path prefix is matched on whole segments", withContainer((c) => (c.image = "ghcr.io/example-evil/web:1.0")), [
            'container "web" image "ghcr.io/example-evil/web:1.0" comes from ghcr.io, not an allowed registry (ghcr.io/example)',
        ], [], { allowedRegistries: ["ghcr.io/example"] }),
        caseOf("another project's path in the platform registry", withContainer((c) => (c.image = "registry.platform.internal/bank/web:1.0")), [
            'container "web" image "registry.platform.internal/bank/web:1.0" is in the platform registry outside this project\'s path registry.platform.internal/shop/',
        ]),
        caseOf("a look-alike project path in the platform registry", withContainer((c) => (c.image = "registry.platform.internal/shopping/web:1.0")), [
            'container "web" image "registry.platform.internal/shopping/web:1.0" is in the platform registry outside this project\'s path registry.platform.internal/shop/',
        ]),
    ],
    [
        { title: "the project's own path in the platform registry (not in allowedRegistries)", resources: [withContainer((c) => (c.image = "registry.platform.internal/shop/web:1.0"))] },
        { title: "implicit Docker Hub images", resources: [withContainer((c) => (c.image = "nginxinc/nginx-unprivileged:1.27"))] },
        { title: "a configured private registry", resources: [withContainer((c) => (c.image = "registry.example.com:5000/team/app:2.0"))], config: { allowedRegistries: ["registry.example.com:5000", "ghcr.io"] } },
    ],
);

describeRule(workloadReadOnlyRootFilesystem, compliant, [
    caseOf("writable root", withContainer((c) => (c.securityContext.readOnlyRootFilesystem = false)), ['container "web" does not set readOnlyRootFilesystem: true']),
    caseOf("unset on an init container", withPod((p) => delete p.initContainers[0].securityContext.readOnlyRootFilesystem), ['initContainer "migrate" does not set readOnlyRootFilesystem: true']),
], [{ title: "ephemeral containers (a debug shell may write)", resources: [withPod((p) => (p.ephemeralContainers = [{ ...DEBUG, securityContext: { ...DEBUG.securityContext, readOnlyRootFilesystem: false } }]))] }]);

describeRule(
    workloadProbes,
    compliant,
    [
        caseOf("no readiness probe", withContainer((c) => delete c.readinessProbe), ['container "web" has no readinessProbe']),
        caseOf("no liveness probe", withContainer((c) => delete c.livenessProbe), ['container "web" has no livenessProbe']),
        caseOf("a null readiness probe", withContainer((c) => (c.readinessProbe = null)), ['container "web" has no readinessProbe']),
        caseOf(
            "no probes on a StatefulSet",
            edit(workload("StatefulSet"), (i) => {
                delete podSpecIn(i, "StatefulSet").containers[0].readinessProbe;
                delete podSpecIn(i, "StatefulSet").containers[0].livenessProbe;
            }),
            ['container "web" has no readinessProbe or livenessProbe'],
        ),
    ],
    [{ title: "Jobs without probes", resources: [edit(workload("Job"), (i) => delete podSpecIn(i, "Job").containers[0].livenessProbe)] }],
);

describe("workload-probes on batch workloads", () => {
    it("is not applicable to Jobs and CronJobs, and says why", () => {
        expect(notApplicableOf("workload-probes", [workload("Job"), workload("CronJob"), workload("Deployment")])).toEqual(["Jobs and CronJobs run to completion", "Jobs and CronJobs run to completion"]);
    });
});


describeRule(workloadImageDigest, compliant, [
    caseOf("tag only", withContainer((c) => (c.image = "ghcr.io/example/web:1.4.2")), ['container "web" image "ghcr.io/example/web:1.4.2" is not pinned by digest']),
]);

describeRule(workloadNoServiceAccountToken, compliant, [
    caseOf("token automounted (unset)", withPod((p) => delete p.automountServiceAccountToken), ["pod does not set automountServiceAccountToken: false"]),
    caseOf("token automounted (true)", withPod((p) => (p.automountServiceAccountToken = true), "CronJob"), ["pod does not set automountServiceAccountToken: false"]),
]);

const BACKUP = "database-backup-s3";
const envFromSecret = (name: string) => ({ name: "K", valueFrom: { secretKeyRef: { name, key: "password" } } });
describeRule(
    workloadNoPlatformBackupSecret,
    compliant,
    [
        caseOf("a secret volume of the backup Secret", withPod((p) => p.volumes.push({ name: "b", secret: { secretName: BACKUP } })), [
            `pod reads the Secret ${BACKUP} (the platform's backup bucket keys, for the CloudNativePG operator only)`,
        ]),
        caseOf("the platform's Redis Secret as an env source", withPod((p) => (p.containers[0].envFrom = [{ secretRef: { name: "redis-internal" } }])), [
            "pod reads the Secret redis-internal (Redis's default password and ACL file, for the Redis operator's StatefulSets only): services read redis-credentials through uses: [redis]",
        ]),
        caseOf("the operator's own Secret twice, beside the project's credentials", withPod((p) => {
            p.containers[0].env = [envFromSecret("database-secrets"), envFromSecret("database-credentials")];
            p.initContainers[0].envFrom = [{ secretRef: { name: "database-secrets" } }];
        }), ["pod reads the Secret database-secrets, a database operator's own (system users' passwords, TLS keys, keyfiles): the project's own credentials Secret is the one to read"]),
        caseOf("running as the database Cluster's ServiceAccount", withPod((p) => (p.serviceAccountName = "database-g2")), [`pod serviceAccountName is database-g2, a database Cluster's ServiceAccount (its Role reads ${BACKUP})`]),
        caseOf("the deprecated serviceAccount alias", withPod((p) => {
            delete p.serviceAccountName;
            p.serviceAccount = "database";
        }), [`pod serviceAccount is database, a database Cluster's ServiceAccount (its Role reads ${BACKUP})`]),
    ],
    [
        { title: "a ServiceAccount merely named like a database's", resources: [withPod((p) => (p.serviceAccountName = "database-migrator"))] },
        { title: "a platform namespace (the operators' own pods)", resources: [edit(workload("Deployment", "operator", "traefik"), (i) => podSpecIn(i).volumes.push({ name: "b", secret: { secretName: BACKUP } }))] },
    ],
);

describe("workload-no-platform-backup-secret in platform namespaces", () => {
    it("is not applicable there, and says why", () => {
        expect(notApplicableOf("workload-no-platform-backup-secret", [workload("Deployment", "operator", "traefik"), workload()])).toEqual(["platform namespace"]);
    });
});

// Issue 19 leftover 2: the pack's twin of the pod policy's operator selector label rule.
const SELECTOR_WHY = "the project's NetworkPolicies give pods with it a database operator's egress or the Sentinels' port; only the operators label their pods so";
/** The compliant workload of `kind` with `labels` added to its pod (template) labels. */
const labelled = (kind: WorkloadKind, labels: Record<string, string>) =>
    edit(workload(kind), (inputs) => {
        const metadata = kind === "Pod" ? inputs.metadata : kind === "CronJob" ? inputs.spec.jobTemplate.spec.template.metadata : inputs.spec.template.metadata;
        metadata.labels = { ...metadata.labels, ...labels };
    });
/** A Rollout around the compliant pod template, with a blue/green strategy carrying `strategy`. */
const rollout = (strategy: Record<string, unknown>) => {
    const deployment = workload("Deployment").inputs as Record<string, any>;
    return planned("kubernetes:argoproj.io/v1alpha1:Rollout", "shop-rollout-web", {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { ...deployment.metadata },
        spec: { selector: deployment.spec.selector, template: deployment.spec.template, strategy },
    });
};
describeRule(
    workloadNoOperatorSelectorLabels,
    compliant,
    [
        ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).map((kind) =>
            caseOf(`${kind} pod labels cnpg.io/cluster`, labelled(kind, { "cnpg.io/cluster": "database" }), [`pod label cnpg.io/cluster=database is a database operator's selector label: ${SELECTOR_WHY}`]),
        ),
        caseOf("an upper-case operator domain", labelled("Deployment", { "CNPG.io/instanceRole": "primary" }), [`pod label CNPG.io/instanceRole=primary is a database operator's selector label: ${SELECTOR_WHY}`]),
        caseOf("a subdomain of cnpg.io", labelled("StatefulSet", { "postgresql.cnpg.io/x": "y" }), [`pod label postgresql.cnpg.io/x=y is a database operator's selector label: ${SELECTOR_WHY}`]),
        caseOf("percona.com and a database's app.kubernetes.io/instance, each reported", labelled("Job", { "percona.com/cluster": "database", "app.kubernetes.io/instance": "mongodb-g2" }), [
            `pod label percona.com/cluster=database is a database operator's selector label: ${SELECTOR_WHY}`,
            `pod label app.kubernetes.io/instance=mongodb-g2 is a database operator's selector label: ${SELECTOR_WHY}`,
        ]),
        caseOf("the Redis operator's redis_setup_type", labelled("CronJob", { redis_setup_type: "sentinel" }), [`pod label redis_setup_type=sentinel is a database operator's selector label: ${SELECTOR_WHY}`]),
        caseOf("a Rollout's template", edit(rollout({ blueGreen: { activeService: "web" } }), (inputs) => (inputs.spec.template.metadata.labels = { ...inputs.spec.template.metadata.labels, "cnpg.io/cluster": "database" })), [
            `pod label cnpg.io/cluster=database is a database operator's selector label: ${SELECTOR_WHY}`,
        ]),
        ...(
            [
                ["blueGreen", "activeMetadata"],
                ["blueGreen", "previewMetadata"],
                ["canary", "stableMetadata"],
                ["canary", "canaryMetadata"],
            ] as const
        ).map(([strategy, field]) =>
            caseOf(`a Rollout's ${strategy}.${field}`, rollout({ [strategy]: { [field]: { labels: { track: "x", redis_setup_type: "replication" } } } }), [
                `spec.strategy.${strategy}.${field} label redis_setup_type=replication is a database operator's selector label (Argo Rollouts puts it on the pods): ${SELECTOR_WHY}`,
            ]),
        ),
    ],
    [
        { title: "the tenant's own app.kubernetes.io/instance and look-alike keys", resources: [labelled("Deployment", { "app.kubernetes.io/instance": "database-cache", "example.com/cnpg.io": "x", redis_setup_type_x: "y", app: "redis" })] },
        { title: "a Rollout with its own ephemeral labels", resources: [rollout({ canary: { stableMetadata: { labels: { track: "stable" } }, canaryMetadata: { labels: { track: "canary" } } } })] },
        { title: "a platform namespace's workload (the pack does not judge the platform's own)", resources: [edit(workload("StatefulSet", "db", "cnpg-system"), (inputs) => (inputs.spec.template.metadata.labels = { "cnpg.io/cluster": "x" }))] },
        {
            title: "a Deployment whose strategy carries Rollout-shaped metadata (only a Rollout's is copied onto pods)",
            resources: [edit(workload("Deployment"), (inputs) => (inputs.spec.strategy = { type: "RollingUpdate", canary: { canaryMetadata: { labels: { "cnpg.io/cluster": "database" } } } }))],
        },
    ],
);

describe("workload-no-operator-selector-labels in platform namespaces", () => {
    it("is not applicable there, and says why", () => {
        expect(notApplicableOf("workload-no-operator-selector-labels", [workload("Deployment", "operator", "cnpg-system"), workload()])).toEqual(["platform namespace"]);
    });
});
