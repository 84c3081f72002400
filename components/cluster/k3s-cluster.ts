import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import type { Infrastructure, NodeHandle } from "../nodes/infrastructure";
import type { NodeSpec } from "../nodes/node-plan";
import { bootstrapsCluster, renderRegistrationDropIn, renderSecretsDropIn } from "./k3s-config";
import { fullToken, parseFullToken, remoteCommandTimeouts, renderKubeconfigScript, renderReadTokenScript, renderServerCaScript, renderStartScript, rewriteKubeconfig, serverCaHash, START_DEADLINES, type PinnedJoin } from "./k3s-join";
import { withServerContexts } from "./kubeconfig";
import { clusterIdentifierOf } from "../../lib/stacks/naming";
import { DEVICE_REMOVAL_ENV, renderDeviceRecordCreate, renderDeviceRemovalScript, renderLeaveScript } from "./node-retirement";

/** Tailscale API access for removing the devices of retired nodes (the stack's `tailscale:*` provider config). */
export interface TailnetApiAccess {
    /** `tailscale:apiKey` (secret). */
    apiKey?: pulumi.Input<string>;
    /** `tailscale:oauthClientId` (secret). */
    oauthClientId?: pulumi.Input<string>;
    /** `tailscale:oauthClientSecret` (secret). */
    oauthClientSecret?: pulumi.Input<string>;
    /** `tailscale:baseUrl`, when not api.tailscale.com. */
    baseUrl?: string;
}

/** Arguments of the k3s cluster. */
export interface K3sClusterArgs {
    /** Validated stack configuration. */
    config: PlatformConfig;
    /** Stack secrets (etcd snapshot S3 credentials). */
    secrets: PlatformSecrets;
    /** The machines, booted with their k3s config and installed (not started) k3s. */
    infrastructure: Infrastructure;
    /** Credentials that remove a retired node's tailnet device; without them the removal fails and says so. */
    tailnetApi: TailnetApiAccess;
}

/**
 * The server a node registers with (its k3s `server:`), chosen when k3s is started: agents use the first
 * server, a joining server the first other server; the bootstrapping server none. The name is the one read
 * back from the tailnet at that moment, so a replaced server's successor is used as soon as it exists.
 * Registration needs that one server only once: afterwards k3s agents keep a client-side load balancer over
 * every server (k3s pkg/agent/loadbalancer, fed from the `kubernetes` endpoints by pkg/agent/tunnel, and
 * persisted in /var/lib/rancher/k3s/agent/etc/k3s-agent-load-balancer.json across restarts), so a node that
 * joined keeps working when its registration server is gone.
 */
export function registrationServer<T extends { spec: NodeSpec }>(node: T, servers: readonly T[], config: PlatformConfig): T | undefined {
    if (bootstrapsCluster(node.spec, config)) {
        return undefined;
    }
    return servers.find((s) => s.spec.hostname !== node.spec.hostname);
}

/**
 * Every server an agent may register with, the preferred {@link registrationServer} first. Agents start after
 * every server, so listing all of them adds no dependency a server's own join waits on; a joining server keeps
 * its one registration server (listing later servers would make joins wait on each other).
 */
export function registrationCandidates<T extends { spec: NodeSpec }>(node: T, servers: readonly T[], config: PlatformConfig): T[] {
    const preferred = registrationServer(node, servers, config);
    if (!preferred) {
        return [];
    }
    if (node.spec.role === "server") {
        return [preferred];
    }
    return [preferred, ...servers.filter((s) => s !== preferred && s.spec.hostname !== node.spec.hostname)];
}

/**
 * The k3s cluster on top of booted nodes: a generated join token, k3s started on the bootstrapping server,
 * then the other servers one after another, then agents; each over SSH on the tailnet with the secrets and
 * the registration address on stdin. Each node gets retirement hooks that drain and delete it, and remove
 * its tailnet device, when Pulumi deletes it (replacement or removal). The admin kubeconfig is read back
 * over the tailnet, pointed at the first server's tailnet name, with a context per server, and returned as
 * a secret, with a Kubernetes provider built from it.
 */
export class K3sCluster extends pulumi.ComponentResource {
    /** Admin kubeconfig (secret), server address on the tailnet. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Kubernetes provider for every in-cluster resource. */
    readonly provider: k8s.Provider;
    /** The provider's `clusterIdentifier` (a tenant stack's provider uses the same one). */
    readonly clusterIdentifier: string;
    /** The start command per hostname (dependsOn targets for node-level follow-ups). */
    readonly started: ReadonlyMap<string, command.remote.Command>;
    /** SSH to a server over the tailnet, where `k3s kubectl` has admin rights (node reconciliation, waits). */
    readonly adminConnection: command.types.input.remote.ConnectionArgs;

    constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:K3sCluster", name, {}, opts);
        const { config, secrets, infrastructure } = args;
        // The cluster's identity: a new token or server CA (a replacement, a deletion) locks every node that has not
        // restarted with it out of the cluster, so Pulumi refuses both until an operator unprotects them.
        const identity: pulumi.CustomResourceOptions = { parent: this, protect: true };
        const token = new random.RandomPassword(`${name}-token`, { length: 64, special: false }, { ...identity, additionalSecretOutputs: ["result"] });

        const connectionTo = (node: NodeHandle): command.types.input.remote.ConnectionArgs => ({
            host: node.tailnetName,
            user: "root",
            privateKey: infrastructure.sshPrivateKey,
            // First boot (packages, tailnet join, k3s download) takes minutes; bare metal longer.
            dialErrorLimit: node.spec.kind === "baremetal" ? 240 : 90,
            perDialTimeout: 10,
        });

        /** Minutes SSH may spend dialing a node (its dial attempts × their timeout). */
        const connectMinutes = (connection: command.types.input.remote.ConnectionArgs) => Math.ceil(((connection.dialErrorLimit as number) * (connection.perDialTimeout as number)) / 60);

        const servers = infrastructure.nodes.filter((n) => n.spec.role === "server");
        const agents = infrastructure.nodes.filter((n) => n.spec.role !== "server");
        if (servers.length === 0) {
            throw new Error("a cluster needs at least one server node");
        }

        const start = (node: NodeHandle, dependsOn: pulumi.Resource[], joinToken: pulumi.Output<string> = token.result, pinned?: pulumi.Output<PinnedJoin>) => {
            const registration = registrationServer(node, servers, config);
            const candidates = pulumi.all(registrationCandidates(node, servers, config).map((s) => s.tailnetName));
            const connection = connectionTo(node);
            const role = node.spec.role === "server" ? "server" : "agent";
            // The machine the script was last run for: a resize or reinstall changes this line, and a changed
            // create re-runs (no update command), restarting k3s and waiting for Ready. That is also what lets
            // the next node's disruptive change proceed (Infrastructure.markJoined).
            const machine = `# machine: ${[node.disruptive.replace, node.disruptive.resize].filter(Boolean).join(" ")}\n`;
            return new command.remote.Command(
                `${node.spec.id}-k3s-start`,
                {
                    connection,
                    create: pinned
                        ? pinned.apply((p) => `${renderStartScript(node.spec.hostname, role, START_DEADLINES, p)}${machine}`)
                        : `${renderStartScript(node.spec.hostname, role)}${machine}`,
                    stdin: pulumi.secret(
                        pulumi
                            .all([joinToken, secrets.etcdS3.accessKey, secrets.etcdS3.secretKey, registration?.tailnetName ?? "", node.tailnetName, candidates])
                            .apply(
                                ([t, accessKey, secretKey, server, own, names]) =>
                                    renderSecretsDropIn(t, node.spec, { accessKey, secretKey }) +
                                    renderRegistrationDropIn(node.spec, { server: server || undefined, ownTailnetName: own, candidates: names }),
                            ),
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
                    customTimeouts: remoteCommandTimeouts(connectMinutes(connection), pinned ? START_DEADLINES.k3sReadySeconds : 0),
                },
            );
        };

        const started = new Map<string, command.remote.Command>();
        // The bootstrapping server first (if this stack has one: a replaced server 0 joins instead), then the
        // other servers one after another (etcd membership changes stay serial).
        const serverOrder = [...servers.filter((s) => bootstrapsCluster(s.spec, config)), ...servers.filter((s) => !bootstrapsCluster(s.spec, config))];
        const firstToStart = serverOrder[0]!;
        let joinToken: pulumi.Output<string>;
        let pinned: pulumi.Output<PinnedJoin> | undefined;
        let firstStart: command.remote.Command;
        if (config.cluster.certificateAuthority === "platform") {
            // The server CA generated here: every joiner's CA-pinning token is known before any server runs, so
            // agents start beside the servers instead of after them (they wait for a server to answer themselves).
            const caKey = new tls.PrivateKey(`${name}-server-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { ...identity, additionalSecretOutputs: ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"] });
            const caCert = new tls.SelfSignedCert(
                `${name}-server-ca`,
                {
                    privateKeyPem: caKey.privateKeyPem,
                    isCaCertificate: true,
                    // k3s' own CAs: ten years, not renewed automatically (docs.k3s.io/advanced, certificate management).
                    validityPeriodHours: 10 * 365 * 24,
                    allowedUses: ["cert_signing", "digital_signature", "key_encipherment"],
                    subject: { commonName: `k3s-server-ca-${clusterIdentifierOf(pulumi.getStack())}` },
                },
                identity,
            );
            const caHash = caCert.certPem.apply(serverCaHash);
            pinned = caHash.apply((hash) => ({ caHash: hash }));
            joinToken = pulumi.secret(pulumi.all([caHash, token.result]).apply(([hash, secret]) => fullToken(hash, secret)));
            const before: pulumi.Resource[] = [];
            if (bootstrapsCluster(firstToStart.spec, config)) {
                before.push(
                    new command.remote.Command(
                        `${name}-server-ca-install`,
                        { connection: connectionTo(firstToStart), create: caHash.apply(renderServerCaScript), stdin: pulumi.secret(pulumi.all([caCert.certPem, caKey.privateKeyPem]).apply(([cert, key]) => `${cert}${key}`)), logging: "stderr" },
                        { parent: this, dependsOn: [firstToStart.ready], additionalSecretOutputs: ["stdin"], customTimeouts: remoteCommandTimeouts(connectMinutes(connectionTo(firstToStart))) },
                    ),
                );
            }
            firstStart = start(firstToStart, before);
        } else {
            firstStart = start(firstToStart, []);
            // Joiners get the full K10<ca-hash>:: token the first server wrote, so they pin its CA.
            const readToken = new command.remote.Command(
                `${name}-full-token`,
                { connection: connectionTo(firstToStart), create: renderReadTokenScript(), logging: "none" },
                { parent: this, dependsOn: [firstStart], additionalSecretOutputs: ["stdout"], customTimeouts: { create: "10m", update: "10m" } },
            );
            joinToken = pulumi.secret(readToken.stdout.apply(parseFullToken));
        }
        started.set(firstToStart.spec.hostname, firstStart);
        let previous = firstStart;
        for (const server of serverOrder.slice(1)) {
            previous = start(server, [previous], joinToken, pinned);
            started.set(server.spec.hostname, previous);
        }
        const controlPlaneReady = previous;
        for (const agent of agents) {
            // With the platform's CA an agent needs no server to have started: its script waits (with the server's own
            // start deadline) for one to answer, once the bootstrapping server's machine is up (a bare-metal server
            // installs for longer than that deadline).
            started.set(agent.spec.hostname, pinned ? start(agent, [firstToStart.ready], joinToken, pinned) : start(agent, [controlPlaneReady], joinToken));
        }
        this.started = started;
        for (const node of infrastructure.nodes) {
            infrastructure.markJoined(node.spec.id, started.get(node.spec.hostname)!);
        }

        for (const node of infrastructure.nodes) {
            // Deleted after the node's retirement below (Pulumi deletes dependents first): the node leaves the
            // cluster while it is still on the tailnet, then its device goes.
            const device = new command.local.Command(
                `${node.spec.id}-tailnet-device`,
                {
                    create: renderDeviceRecordCreate(),
                    delete: renderDeviceRemovalScript(),
                    environment: pulumi.secret(
                        pulumi.all([node.tailnetDeviceId, args.tailnetApi.apiKey ?? "", args.tailnetApi.oauthClientId ?? "", args.tailnetApi.oauthClientSecret ?? ""]).apply(
                            ([deviceId, apiKey, clientId, clientSecret]) => ({
                                [DEVICE_REMOVAL_ENV.deviceId]: deviceId,
                                [DEVICE_REMOVAL_ENV.hostname]: node.spec.hostname,
                                [DEVICE_REMOVAL_ENV.apiKey]: apiKey,
                                [DEVICE_REMOVAL_ENV.oauthClientId]: clientId,
                                [DEVICE_REMOVAL_ENV.oauthClientSecret]: clientSecret,
                                ...(args.tailnetApi.baseUrl ? { [DEVICE_REMOVAL_ENV.baseUrl]: args.tailnetApi.baseUrl } : {}),
                            }),
                        ),
                    ),
                    logging: "stderr",
                    triggers: [node.spec.hostname, node.disruptive.replace],
                },
                {
                    parent: this,
                    dependsOn: [node.ready],
                    additionalSecretOutputs: ["environment"],
                    // A reinstalled bare-metal node (same name) rejoins the tailnet: its old device must be gone first.
                    deleteBeforeReplace: node.spec.kind === "baremetal",
                },
            );
            // Runs on a server (another one, for a server), from where kubectl reaches the cluster.
            const from = registrationServer(node, servers, config) ?? servers.find((s) => s.spec.hostname !== node.spec.hostname) ?? node;
            new command.remote.Command(
                `${node.spec.id}-k3s-retire`,
                {
                    connection: connectionTo(from),
                    create: `echo "retirement of ${node.spec.hostname} armed"`,
                    delete: renderLeaveScript(node.spec.hostname),
                    logging: "stderr",
                    triggers: [node.spec.hostname, node.disruptive.replace],
                },
                {
                    parent: this,
                    dependsOn: [started.get(node.spec.hostname)!, device],
                    // A bare-metal reinstall keeps the name: leave before the machine is reinstalled.
                    deleteBeforeReplace: node.spec.kind === "baremetal",
                },
            );
        }

        const first = servers[0]!;
        this.adminConnection = connectionTo(first);
        const fetched = new command.remote.Command(
            `${name}-kubeconfig`,
            { connection: connectionTo(first), create: renderKubeconfigScript(), logging: "none" },
            // The API answers once this server runs; what needs every server waits for its pool (node-pools-server-ready),
            // so the add-ons do not wait for the other servers' serial etcd joins.
            { parent: this, dependsOn: [started.get(first.spec.hostname)!], additionalSecretOutputs: ["stdout"] },
        );
        const clusterName = clusterIdentifierOf(pulumi.getStack());
        this.clusterIdentifier = clusterName;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([fetched.stdout, first.tailnetName, pulumi.all(servers.map((s) => s.tailnetName))])
                .apply(([raw, firstName, names]) =>
                    withServerContexts(
                        rewriteKubeconfig(raw, firstName, clusterName),
                        clusterName,
                        servers.map((s, i) => ({ hostname: s.spec.hostname, tailnetName: names[i]! })),
                    ),
                ),
        );
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
