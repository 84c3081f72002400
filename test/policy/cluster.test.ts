import { describe, expect, it } from "vitest";
import * as yaml from "js-yaml";
import { baremetalServer, cloudConfig, hcloudServer, k3sAgentConfig, k3sServerConfig, messagesOf, planned } from "../helpers/policy-fixtures";
import { evaluatePolicyReport } from "../../policy/offline";
import { caseOf, describeRule } from "./rule-cases";
import { clusterK3sSecretsEncryption } from "../../policy/rules/cluster/k3s-secrets-encryption";
import { clusterK3sAdmissionConfig } from "../../policy/rules/cluster/k3s-admission-config";
import { clusterK3sAuditLog } from "../../policy/rules/cluster/k3s-audit-log";
import { clusterK3sAnonymousAuth } from "../../policy/rules/cluster/k3s-anonymous-auth";
import { clusterK3sKubeletHardening } from "../../policy/rules/cluster/k3s-kubelet-hardening";
import { clusterK3sEtcdSnapshots } from "../../policy/rules/cluster/k3s-etcd-snapshots";

const APISERVER_ARGS = k3sServerConfig()["kube-apiserver-arg"] as string[];
/** A cloud server whose k3s server config is changed. */
const server = (overrides: Record<string, unknown>, options: Parameters<typeof cloudConfig>[1] = { role: "server" }) =>
    hcloudServer("fsn1-server-0", { userData: cloudConfig(k3sServerConfig(overrides), options) });
/** A server config without some API server args. */
const withoutArgs = (...prefixes: string[]) => server({ "kube-apiserver-arg": APISERVER_ARGS.filter((a) => !prefixes.some((p) => a.startsWith(p))) });
const agent = (overrides: Record<string, unknown> = {}) => baremetalServer("fsn1-run-0", { userData: cloudConfig(k3sAgentConfig(overrides), { role: "agent" }) });
const compliant = () => [hcloudServer(), agent()];

describeRule(
    clusterK3sSecretsEncryption,
    compliant,
    [
        caseOf("off", server({ "secrets-encryption": false }), ["k3s server config does not set secrets-encryption: true"]),
        caseOf("missing on a joining server (no agent marker)", hcloudServer("fsn1-server-1", { userData: cloudConfig({ server: "https://fsn1-server-0:6443", "protect-kernel-defaults": true }) }), [
            "k3s server config does not set secrets-encryption: true",
        ]),
        caseOf("turned off by a drop-in", server({}, { role: "server", extraFiles: [{ path: "/etc/rancher/k3s/config.yaml.d/50-override.yaml", content: "secrets-encryption: false\n" }] }), [
            "k3s server config does not set secrets-encryption: true",
        ]),
        caseOf("a config file that does not parse", hcloudServer("fsn1-server-0", { userData: cloudConfig("secrets-encryption: [true\n", { role: "server" }) }), [
            "k3s config /etc/rancher/k3s/config.yaml in user-data cannot be read: unexpected end of the stream within a flow collection (2:1)",
        ]),
    ],
    [
        { title: "a base64-encoded config", resources: [hcloudServer("s", { userData: cloudConfig(k3sServerConfig(), { role: "server", encoding: "b64" }) })] },
        { title: "a gzip+base64-encoded config", resources: [hcloudServer("s", { userData: cloudConfig(k3sServerConfig(), { role: "server", encoding: "gz+b64" }) })] },
        { title: "agents (marked by INSTALL_K3S_EXEC=agent)", resources: [agent({ "secrets-encryption": false })] },
    ],
);

describeRule(clusterK3sAdmissionConfig, compliant, [
    caseOf("no admission config", withoutArgs("admission-control-config-file"), ["k3s server config does not set kube-apiserver-arg admission-control-config-file=<path>"]),
    caseOf("an empty path", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "--admission-control-config-file="] }), ["k3s server config does not set kube-apiserver-arg admission-control-config-file=<path>"]),
]);

describeRule(
    clusterK3sAuditLog,
    compliant,
    [
        caseOf("no audit log path", withoutArgs("audit-log-path"), ["k3s server config does not set kube-apiserver-arg audit-log-path=<path>"]),
        caseOf("no audit policy", withoutArgs("audit-policy-file"), ["k3s server config does not set kube-apiserver-arg audit-policy-file=<path>"]),
        caseOf("no maxage", withoutArgs("audit-log-maxage"), ["k3s server config does not set kube-apiserver-arg audit-log-maxage to a positive number"]),
        caseOf("maxbackup 0", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "audit-log-maxbackup=0"] }), ['k3s server config does not set kube-apiserver-arg audit-log-maxbackup to a positive number (found "0")']),
        caseOf("no maxsize", withoutArgs("audit-log-maxsize"), ["k3s server config does not set kube-apiserver-arg audit-log-maxsize to a positive number"]),
        // kube-apiserver reads these as integers: a unit or any other text keeps it from starting.
        caseOf("maxage with a unit", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "audit-log-maxage=30d"] }), ['k3s server config does not set kube-apiserver-arg audit-log-maxage to a positive number (found "30d")']),
        caseOf("maxsize with a prefix", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "audit-log-maxsize=v100"] }), ['k3s server config does not set kube-apiserver-arg audit-log-maxsize to a positive number (found "v100")']),
        caseOf("maxbackup as a word", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "audit-log-maxbackup=ten"] }), ['k3s server config does not set kube-apiserver-arg audit-log-maxbackup to a positive number (found "ten")']),
    ],
    [{ title: "flags written with dashes, as one string", resources: [server({ "kube-apiserver-arg": APISERVER_ARGS.map((a) => `--${a}`) })] }],
);

describeRule(clusterK3sAnonymousAuth, compliant, [
    caseOf("not set", withoutArgs("anonymous-auth"), ["k3s server config does not set kube-apiserver-arg anonymous-auth=false"]),
    caseOf("true (last flag wins)", server({ "kube-apiserver-arg": [...APISERVER_ARGS, "anonymous-auth=true"] }), ['k3s server config does not set kube-apiserver-arg anonymous-auth=false (found "true")']),
]);

const appendingDropIn = baremetalServer("fsn1-run-0", {
    userData: cloudConfig(k3sAgentConfig(), { role: "agent", extraFiles: [{ path: "/etc/rancher/k3s/config.yaml.d/60-kubelet.yaml", content: "kubelet-arg+:\n  - read-only-port=10255\n" }] }),
});
describeRule(clusterK3sKubeletHardening, compliant, [
    caseOf("server without read-only-port=0", server({ "kubelet-arg": ["anonymous-auth=false"] }), ["k3s server config does not set kubelet-arg read-only-port=0"]),
    caseOf("agent with the read-only port on", agent({ "kubelet-arg": "read-only-port=10255" }), ['k3s agent config does not set kubelet-arg read-only-port=0 (found "10255")']),
    caseOf("agent without protect-kernel-defaults", agent({ "protect-kernel-defaults": false }), ["k3s agent config does not set protect-kernel-defaults: true"]),
    caseOf("read-only port switched back on by an appending drop-in", appendingDropIn, ['k3s agent config does not set kubelet-arg read-only-port=0 (found "10255")']),
]);

describeRule(clusterK3sEtcdSnapshots, compliant, [
    caseOf("cluster-init without S3 snapshots", server({ "etcd-s3": false }), ["k3s server config with cluster-init: true does not set etcd-s3: true (etcd snapshots stay on the node)"]),
    caseOf("insecure S3", server({ "etcd-s3-insecure": true }), ["k3s server config sets etcd-s3-insecure: true (snapshots over plain HTTP)"]),
    caseOf("TLS verification off", server({ "etcd-s3-skip-ssl-verify": "true" }), ["k3s server config sets etcd-s3-skip-ssl-verify: true"]),
    caseOf("an http:// endpoint", server({ "etcd-s3-endpoint": "http://minio.example.com:9000" }), ['k3s server config uses a plain-HTTP etcd-s3-endpoint "http://minio.example.com:9000"']),
    caseOf("an HTTP:// endpoint after blanks", server({ "etcd-s3-endpoint": "  HTTP://minio.example.com:9000" }), ['k3s server config uses a plain-HTTP etcd-s3-endpoint "  HTTP://minio.example.com:9000"']),
], [
    { title: "a joining server without S3 (snapshots are taken by the cluster-init server)", resources: [server({ "cluster-init": undefined, server: "https://fsn1-server-0:6443", "etcd-s3": false })] },
    { title: "S3 without an endpoint (k3s' default, AWS over HTTPS)", resources: [server({ "etcd-s3-endpoint": undefined })] },
]);

describe("server-only rules on agents", () => {
    it("are not applicable to an agent, each saying why", () => {
        const report = evaluatePolicyReport([agent()]);
        const reasons = Object.fromEntries(report.notApplicable.filter((n) => n.policy.startsWith("cluster-")).map((n) => [n.policy, n.reason]));
        expect(reasons).toEqual({
            "cluster-k3s-secrets-encryption": "agents do not store Secrets",
            "cluster-k3s-admission-config": "agents run no API server",
            "cluster-k3s-audit-log": "agents run no API server",
            "cluster-k3s-anonymous-auth": "agents run no API server",
            "cluster-k3s-etcd-snapshots": "agents run no etcd",
        });
    });
});

describe("user-data without a k3s config", () => {
    const CLUSTER_RULES = ["cluster-k3s-secrets-encryption", "cluster-k3s-admission-config", "cluster-k3s-audit-log", "cluster-k3s-anonymous-auth", "cluster-k3s-kubelet-hardening", "cluster-k3s-etcd-snapshots"];

    it.each([
        ["a shell script", "#!/bin/sh\necho hello\n"],
        ["cloud-config without k3s files", `#cloud-config\n${yaml.dump({ packages: ["curl"], write_files: [{ path: "/etc/motd", content: "hi" }] })}`],
        ["cloud-config that does not parse", "#cloud-config\nwrite_files: [\n"],
    ])("is not applicable: %s", (_title, userData) => {
        const report = evaluatePolicyReport([hcloudServer("plain", { userData })]);
        expect(report.violations.filter((v) => v.policy.startsWith("cluster-"))).toEqual([]);
        expect(report.notApplicable.filter((n) => CLUSTER_RULES.includes(n.policy)).map((n) => n.reason)).toEqual(CLUSTER_RULES.map(() => "user-data carries no k3s config"));
    });

    it("checks any resource with user-data, not only hcloud servers", () => {
        const other = planned("example:index/machine:Machine", "machine", { userData: cloudConfig(k3sServerConfig({ "secrets-encryption": false }), { role: "server" }) });
        expect(messagesOf("cluster-k3s-secrets-encryption", [other])).toEqual(["k3s server config does not set secrets-encryption: true"]);
    });
});
