import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import type { Infrastructure, NodeHandle } from "../nodes/infrastructure";
import { renderSecretsDropIn } from "./k3s-config";
import { parseFullToken, remoteCommandTimeouts, renderKubeconfigScript, renderReadTokenScript, renderStartScript, rewriteKubeconfig } from "./k3s-join";

/** Arguments of the k3s cluster. */
export interface K3sClusterArgs {
    /** Validated stack configuration. */
    config: PlatformConfig;
    /** Stack secrets (etcd snapshot S3 credentials). */
    secrets: PlatformSecrets;
    /** The machines, booted with their k3s config and installed (not started) k3s. */
    infrastructure: Infrastructure;
}

/**
 * The k3s cluster on top of booted nodes: a generated join token, k3s started on server 0 (cluster-init),
 * then the other servers, then agents; each over SSH on the tailnet with the secrets on stdin. The admin
 * kubeconfig is read back over the tailnet, pointed at server 0's tailnet name and returned as a secret,
 * with a Kubernetes provider built from it.
 */
export class K3sCluster extends pulumi.ComponentResource {
    /** Admin kubeconfig (secret), server address on the tailnet. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes provider for every in-cluster resource. */
    readonly provider: k8s.Provider;
    /** The start command per hostname (dependsOn targets for node-level follow-ups). */
    readonly started: ReadonlyMap<string, command.remote.Command>;
    /** SSH to a server over the tailnet, where `k3s kubectl` has admin rights (node reconciliation, waits). */
    readonly adminConnection: command.types.input.remote.ConnectionArgs;

    constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:K3sCluster", name, {}, opts);
        const { config, secrets, infrastructure } = args;
        const token = new random.RandomPassword(`${name}-token`, { length: 64, special: false }, { parent: this, additionalSecretOutputs: ["result"] });

        const connectionTo = (node: NodeHandle): command.types.input.remote.ConnectionArgs => ({
            host: node.tailnetHost,
            user: "root",
            privateKey: infrastructure.sshPrivateKey,
            // First boot (packages, tailnet join, k3s download) takes minutes; bare metal longer.
            dialErrorLimit: node.spec.kind === "baremetal" ? 240 : 90,
            perDialTimeout: 10,
        });

        const start = (node: NodeHandle, dependsOn: pulumi.Resource[], joinToken: pulumi.Output<string> = token.result) => {
            const connection = connectionTo(node);
            return new command.remote.Command(
                `${node.spec.hostname}-k3s-start`,
                {
                    connection,
                    create: renderStartScript(node.spec.hostname, node.spec.role === "server" ? "server" : "agent"),
                    stdin: pulumi.secret(
                        pulumi
                            .all([joinToken, secrets.etcdS3.accessKey, secrets.etcdS3.secretKey])
                            .apply(([t, accessKey, secretKey]) => renderSecretsDropIn(t, node.spec, { accessKey, secretKey })),
                    ),
                    logging: "stderr",
                    // No version trigger: a k3sVersion change is rolled out by the upgrade Plans (components/upgrades).
                },
                {
                    parent: this,
                    dependsOn: [node.ready, ...dependsOn],
                    additionalSecretOutputs: ["stdin"],
                    // Stacks deployed with the old version trigger keep it in state; ignoring it spares them a replacement
                    // that would re-run the start script on every node at once.
                    ignoreChanges: ["triggers"],
                    // The script's own deadlines fail first; this bounds SSH dialing plus the script.
                    customTimeouts: remoteCommandTimeouts(Math.ceil(((connection.dialErrorLimit as number) * (connection.perDialTimeout as number)) / 60)),
                },
            );
        };

        const servers = infrastructure.nodes.filter((n) => n.spec.role === "server");
        const agents = infrastructure.nodes.filter((n) => n.spec.role !== "server");
        const first = servers[0];
        if (!first) {
            throw new Error("a cluster needs at least one server node");
        }
        this.adminConnection = connectionTo(first);
        const started = new Map<string, command.remote.Command>();
        const firstStart = start(first, []);
        started.set(first.spec.hostname, firstStart);
        // Joiners get the full K10<ca-hash>:: token the first server wrote, so they pin its CA.
        const readToken = new command.remote.Command(
            `${name}-full-token`,
            { connection: connectionTo(first), create: renderReadTokenScript(), logging: "none" },
            { parent: this, dependsOn: [firstStart], additionalSecretOutputs: ["stdout"], customTimeouts: { create: "10m", update: "10m" } },
        );
        const fullToken = pulumi.secret(readToken.stdout.apply(parseFullToken));
        // Joining servers one after another keeps etcd membership changes serial.
        let previous = firstStart;
        for (const server of servers.slice(1)) {
            previous = start(server, [previous], fullToken);
            started.set(server.spec.hostname, previous);
        }
        const controlPlaneReady = previous;
        for (const agent of agents) {
            started.set(agent.spec.hostname, start(agent, [controlPlaneReady], fullToken));
        }
        this.started = started;

        const fetched = new command.remote.Command(
            `${name}-kubeconfig`,
            { connection: connectionTo(first), create: renderKubeconfigScript(), logging: "none" },
            { parent: this, dependsOn: [controlPlaneReady], additionalSecretOutputs: ["stdout"] },
        );
        const clusterName = `platform-${pulumi.getStack()}`;
        this.kubeconfig = pulumi.secret(fetched.stdout.apply((raw) => rewriteKubeconfig(raw, first.tailnetHost, clusterName)));
        this.provider = new k8s.Provider(
            `${name}-provider`,
            {
                kubeconfig: this.kubeconfig,
                // A kubeconfig that is unknown at preview must not replace every Kubernetes resource.
                clusterIdentifier: clusterName,
                enableServerSideApply: true,
            },
            { parent: this },
        );
        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }
}
