import { z } from "zod";
import { QUANTITY_PATTERN } from "../quantity";
import { alertingSchema } from "./alerting";
import { rejectServerType } from "../hetzner/server-types";
import { EDGE_FIREWALL_BASE_RULES, HCLOUD_FIREWALL_MAX_RULES } from "../hetzner/limits";
import { forbiddenEgressPort, nonPublicHostReason, repoUrlProblem } from "../network-rules";
import { labelMessage, labelPattern, PROJECT_NAME_MAX } from "../tenants/names";
import { IMAGE_HISTORY_DEPTH, PLATFORM_NAMESPACES, PLATFORM_REGISTRY } from "../conventions";

/**
 * The stack configuration model: every `platform:*` key of `Pulumi.<stack>.yaml`, validated and typed.
 * Defaults live here (and are mirrored, with descriptions, in the `config:` block of `Pulumi.yaml`).
 */

const dnsLabel = z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/, { error: "must be a lowercase DNS label (a-z, 0-9, '-'), at most 32 characters" });

/** A fully qualified domain name without trailing dot, no wildcard. */
export const domainName = z
    .string()
    .max(253)
    .regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
        error: "must be a lowercase fully qualified domain name without wildcard or trailing dot",
    });

const quantityString = z
    .string()
    .regex(QUANTITY_PATTERN, { error: "must be a Kubernetes quantity such as 500m, 2, 512Mi or 20Gi" });

/** Hetzner Cloud locations that host cloud servers and floating IPs. */
export const HCLOUD_LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;

/** Where a pool's machines come from. */
export const machineKind = z.enum(["cloud", "baremetal"], {
    error: 'must be "cloud" (Hetzner Cloud VPS) or "baremetal" (Hetzner Robot dedicated server)',
});

/**
 * Server type of a pool that names none: cx33 (4 vCPU, 8 GB), the successor of the former default cx32 (deprecated
 * in the EU since 2025-10-16). Sold in the EU locations only; stacks elsewhere must name a type.
 */
export const DEFAULT_SERVER_TYPE = "cx33";

const robotServerNumbers = z.array(z.number().int().positive()).default([]);

/**
 * Per-node generation, keyed by the node's index in its pool (`{"1": 2}`: node 1 is in its third
 * incarnation). Bumping a node's generation replaces exactly that node: a new tailnet key, a new machine
 * (a reinstall on bare metal) named `<stack>-<pool>-<index>-g<generation>`, and a new k3s join; the old
 * node is drained and removed from the cluster and the tailnet. Unlisted nodes are generation 0.
 */
const nodeGenerations = z
    .record(z.string().regex(/^(0|[1-9][0-9]?)$/, { error: "keys are node indices within the pool, like \"0\" or \"2\"" }), z.number().int().min(0).max(999))
    .default({});

/** The k3s server (control-plane) pool. */
export const serverPoolSchema = z
    .strictObject({
        count: z.union([z.literal(1), z.literal(3)], {
            error: "must be 1 (single server) or 3 (HA with embedded etcd); 2 would lose quorum with one failure",
        }),
        kind: machineKind.default("cloud"),
        /** hcloud server type (kind cloud); checked against lib/hetzner/server-types.ts for the stack's location. */
        serverType: z.string().min(1).default(DEFAULT_SERVER_TYPE),
        robotServers: robotServerNumbers,
        /** Let workloads run on servers (small stacks); when false servers are tainted CriticalAddonsOnly. */
        schedulable: z.boolean().default(false),
        generations: nodeGenerations,
    })
    .superRefine(checkMachines);

/** Roles of agent pools; the role names the node label `platform/pool=<role>`. */
export const POOL_ROLES = ["run", "build", "edge"] as const;

/** One agent pool. */
export const agentPoolSchema = z
    .strictObject({
        role: z.enum(POOL_ROLES, { error: 'must be one of "run", "build", "edge"' }),
        kind: machineKind.default("cloud"),
        count: z.number().int().min(0).max(50),
        /** hcloud server type (kind cloud), or a Robot model name such as AX102 for the cost estimate (kind baremetal). */
        serverType: z.string().min(1).default(DEFAULT_SERVER_TYPE),
        robotServers: robotServerNumbers,
        /** Taint `pool=<role>:NoSchedule` so only workloads that tolerate it land here (required for `build`). */
        dedicated: z.boolean().default(false),
        /** Nodes of this pool carry Longhorn replicas. */
        storage: z.boolean().default(false),
        generations: nodeGenerations,
    })
    .superRefine(checkMachines);

function checkMachines(
    pool: { kind: "cloud" | "baremetal"; count: number; robotServers: number[]; generations: Record<string, number> },
    ctx: z.RefinementCtx,
): void {
    for (const index of Object.keys(pool.generations)) {
        if (Number(index) >= pool.count) {
            ctx.addIssue({ code: "custom", path: ["generations", index], message: `node index ${index} does not exist in a pool of count ${pool.count}` });
        }
    }
    if (pool.kind === "baremetal" && pool.robotServers.length !== pool.count) {
        ctx.addIssue({
            code: "custom",
            path: ["robotServers"],
            message: `a baremetal pool of count ${pool.count} needs exactly ${pool.count} Robot server numbers, got ${pool.robotServers.length}`,
        });
    }
    if (pool.kind === "cloud" && pool.robotServers.length > 0) {
        ctx.addIssue({ code: "custom", path: ["robotServers"], message: "robotServers only applies to kind baremetal" });
    }
}

/** installimage settings for bare-metal nodes (rendered into `/autosetup`). */
export const baremetalSchema = z.strictObject({
    image: z.string().min(1).default("/root/.oldroot/nfs/install/../images/Ubuntu-2404-noble-amd64-base.tar.gz"),
    drives: z.array(z.string().regex(/^\/dev\/[a-z0-9]+$/)).min(1).default(["/dev/nvme0n1", "/dev/nvme1n1"]),
    swraid: z.boolean().default(true),
    swraidLevel: z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(6), z.literal(10)]).default(1),
    partitions: z
        .array(
            z.strictObject({
                mount: z.string().regex(/^(\/[-a-zA-Z0-9_./]*|swap)$/),
                filesystem: z.enum(["ext4", "xfs", "swap", "ext3"]),
                size: z.string().regex(/^([0-9]+[MGT]|all)$/, { error: "must be like 512M, 32G, 1T or all" }),
            }),
        )
        .min(1)
        .default([
            { mount: "/boot", filesystem: "ext4", size: "1G" },
            { mount: "/", filesystem: "ext4", size: "all" },
        ]),
    vswitch: z
        .strictObject({
            vlan: z.number().int().min(4000).max(4091),
            name: dnsLabel,
            /** Subnet of the hcloud network coupled to the vSwitch. */
            subnet: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/),
        })
        .optional(),
    /** The hcloud network (used by cloud nodes and the vSwitch subnet). */
    networkRange: z.string().regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/).default("10.90.0.0/16"),
});

/** Tailscale tailnet settings. */
export const meshSchema = z.strictObject({
    /** MagicDNS suffix of the tailnet; nodes are reached as `<hostname>.<suffix>`. */
    magicDnsSuffix: z.string().regex(/^[a-z0-9-]+\.ts\.net$/, { error: "must be the tailnet's MagicDNS suffix, like tail1a2b3c.ts.net" }),
    /** Tailnet users (login e-mails) allowed SSH and the Kubernetes API; they form `group:platform-admins`. */
    admins: z.array(z.email({ error: "must be a tailnet login e-mail" })).min(1),
    /**
     * Whether this stack applies the tailnet policy file. The policy is one document for the whole tailnet,
     * rendered from every stack's `Pulumi.<stack>.yaml`; exactly one stack in the repository sets this.
     */
    manageAcl: z.boolean().default(false),
    /** Lifetime of the node auth keys in seconds (short: they are only needed for the first join). */
    authKeyExpirySeconds: z.number().int().min(300).max(86400).default(3600),
});

/** A Longhorn volume provisioned for a claim (its PersistentVolume's name, `pvc-<claim uid>`). */
export const LONGHORN_VOLUME_NAME = /^pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An S3-compatible bucket outside the cluster (Hetzner Object Storage or other). */
export const s3TargetSchema = z.strictObject({
    endpoint: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, { error: "must be a host name without scheme, like fsn1.your-objectstorage.com" }),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
    region: z.string().min(1).default("eu-central"),
    folder: z.string().default(""),
});

/** Whether an allowedRegistries entry (`host[:port][/path]`) names the platform registry's host. */
function isPlatformRegistryEntry(entry: string): boolean {
    const host = entry.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").split("/")[0]!.replace(/:\d+$/, "").replace(/\.$/, "");
    return host === PLATFORM_REGISTRY.host;
}

/** k3s version and etcd snapshot policy. */
export const clusterSchema = z.strictObject({
    k3sVersion: z.string().regex(/^v1\.\d+\.\d+\+k3s\d+$/, { error: "must be a pinned k3s release such as v1.31.6+k3s1" }),
    /**
     * The k3s version the cluster runs before this change (the `k3sVersion` of the last `pulumi up`, shown by
     * `pulumi stack output k3sVersion`); absent for a new cluster. lib/config/k3s-version.ts refuses a
     * downgrade or a skipped minor version between it and `k3sVersion`.
     */
    previousK3sVersion: z.string().regex(/^v1\.\d+\.\d+\+k3s\d+$/, { error: "must be the pinned k3s release the cluster runs, such as v1.31.6+k3s1" }).optional(),
    clusterCidr: z.string().default("10.42.0.0/16"),
    serviceCidr: z.string().default("10.43.0.0/16"),
    /**
     * Who generated the cluster's server CA. `platform` (default): the program generates it and installs it on the
     * bootstrapping server before k3s first starts, so every node's CA-pinning token is known up front and agents
     * start beside the servers. `k3s`: the CA k3s generated at the first start, read back as the full token after
     * the first server runs; a cluster created that way keeps it (its nodes refuse the other mode, changing nothing).
     */
    certificateAuthority: z.enum(["platform", "k3s"]).default("platform"),
    etcdSnapshots: z
        .strictObject({
            schedule: z.string().regex(/^(\S+\s+){4}\S+$/, { error: "must be a 5-field cron expression" }).default("0 */6 * * *"),
            retention: z.number().int().min(1).max(500).default(28),
            s3: s3TargetSchema,
        }),
});

/**
 * The off-cluster backup target of the stack (Hetzner Object Storage or any S3): database base backups and
 * WAL archives, and Velero's cluster-object backups go here, next to the etcd snapshots (`cluster.etcdSnapshots`)
 * and, on production, Longhorn's volume backups (`addons.longhorn.external`). Credentials are
 * `platform:backupS3AccessKey` / `platform:backupS3SecretKey` (one Object Storage key pair serves this bucket
 * and Longhorn's). A production stack must set it: a backup inside the cluster dies with the cluster.
 */
export const backupSchema = z.strictObject({
    /** The bucket; absent means no database or cluster-object backups (refused on production). */
    s3: s3TargetSchema.optional(),
    /** Days a database base backup, its WAL and a Velero backup are kept. */
    retentionDays: z.number().int().min(1).max(3650).default(30),
    /** When base backups and Velero schedules run (5-field cron, UTC). */
    schedule: z.string().regex(/^(\S+\s+){4}\S+$/, { error: "must be a 5-field cron expression" }).default("0 3 * * *"),
});

/** Optional add-on settings. */
export const addonsSchema = z.strictObject({
    monitoring: z
        .strictObject({
            retention: z.string().regex(/^\d+[dhw]$/).default("35d"),
            storageSize: quantityString.default("20Gi"),
            grafanaStorageSize: quantityString.default("2Gi"),
        })
        .prefault({}),
    loki: z
        .strictObject({
            retention: z.string().regex(/^\d+h$/).default("168h"),
        })
        .prefault({}),
    minio: z
        .strictObject({
            /** Volume size per MinIO drive. */
            volumeSize: quantityString.default("20Gi"),
        })
        .prefault({}),
    /** The platform registry (Harbor) that builds push to and tenant pods pull from. */
    registry: z
        .strictObject({
            /** Longhorn volume of the image layers (registry storage; Trivy, the database and Redis have their own). */
            storageSize: quantityString.default("50Gi"),
            /**
             * Tag retention per repository: keep the newest pushed tags… (at least the release history's depth, so
             * every image a rollback may pin is still in Harbor).
             */
            keepLatest: z
                .number()
                .int()
                .min(IMAGE_HISTORY_DEPTH, {
                    error: `must be at least ${IMAGE_HISTORY_DEPTH}: a rollback may pin any of the last ${IMAGE_HISTORY_DEPTH} released images of a service, which retention must not delete`,
                })
                .max(1000)
                .default(IMAGE_HISTORY_DEPTH),
            /** …and every tag pulled within these days (a running image is pulled again at every pod start). */
            keepPulledDays: z.number().int().min(1).max(3650).default(30),
            /** Harbor cron (6 fields, seconds first) of garbage collection, which frees the blobs retention untagged. */
            gcSchedule: z.string().regex(/^(\S+\s+){5}\S+$/, { error: "must be a 6-field cron (seconds first), e.g. '0 0 3 * * 6'" }).default("0 0 3 * * 6"),
        })
        .prefault({}),
    longhorn: z
        .strictObject({
            /** Where Longhorn backups go: the in-cluster MinIO or the external S3 target below. */
            backupTarget: z.enum(["minio", "external"]).default("minio"),
            external: s3TargetSchema.optional(),
        })
        .prefault({}),
    certManager: z
        .strictObject({
            /** Solve DNS-01 through the Hetzner DNS webhook (needs platform:hetznerDnsToken). */
            hetznerDns: z.boolean().default(false),
        })
        .prefault({}),
    argocd: z
        .strictObject({
            repositories: z.array(z.strictObject({ name: dnsLabel, url: z.string().url() })).default([]),
        })
        .prefault({}),
});

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "must be a time of day as HH:MM (24 h), like 02:00" });

/** Whether the runtime knows an IANA time zone (kured and the Go runtime use the same tz database names). */
const isTimeZone = (zone: string): boolean => {
    try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
};

/** When kured may reboot nodes for OS updates (one at a time, only inside this window). */
export const maintenanceSchema = z.strictObject({
    rebootDays: z.array(z.enum(["mo", "tu", "we", "th", "fr", "sa", "su"], { error: "must be one of mo, tu, we, th, fr, sa, su" })).min(1).default(["mo", "tu", "we", "th", "fr", "sa", "su"]),
    rebootStartTime: timeOfDay.default("02:00"),
    rebootEndTime: timeOfDay.default("05:00"),
    timeZone: z.string().refine(isTimeZone, { error: "must be an IANA time zone such as Europe/Berlin or UTC" }).default("UTC"),
});

/** Prices used for tenant metering (per hour, in `currency`). */
export const pricesSchema = z.strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/).default("EUR"),
    cpuCoreHour: z.number().nonnegative().default(0.006),
    memoryGiBHour: z.number().nonnegative().default(0.0025),
    storageGiBHour: z.number().nonnegative().default(0.00008),
    networkEgressGiB: z.number().nonnegative().default(0.001),
});

/**
 * The billing ledger (components/metering/ledger.ts): an hourly export of every project's usage and cost to
 * object storage outside the cluster.
 */
export const billingSchema = z.strictObject({
    ledger: z
        .strictObject({
            /**
             * Bucket of the ledger: `etcdSnapshots` writes below the etcd snapshot bucket
             * (cluster.etcdSnapshots.s3, its credentials platform:etcdS3AccessKey/SecretKey), `longhornBackups`
             * below the external Longhorn backup target (addons.longhorn.external, platform:backupS3AccessKey/
             * SecretKey), `own` to `s3` below with platform:billingS3AccessKey/SecretKey.
             */
            target: z.enum(["etcdSnapshots", "longhornBackups", "own"]).default("etcdSnapshots"),
            /** The bucket of target `own`. */
            s3: s3TargetSchema.optional(),
            /** Key prefix inside the bucket; the region is appended (`<folder>/<location>/hours/…`). */
            folder: z.string().regex(/^[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, { error: "must be a key prefix like billing-ledger (no leading or trailing slash)" }).default("billing-ledger"),
            /** Hours each run checks and fills: an outage shorter than this loses nothing. */
            backfillHours: z.number().int().min(2).max(720).default(48),
        })
        .prefault({}),
});

/** Days of Prometheus history billing reads: month to date (31 d), last month's close (32 d) and slack. */
export const BILLING_RETENTION_DAYS = 35;

/** Hours of a Prometheus retention such as `35d`, `5w`, `840h`. */
export function retentionHours(retention: string): number {
    const match = /^(\d+)([dhw])$/.exec(retention);
    if (!match) {
        return Number.NaN;
    }
    return Number(match[1]) * { h: 1, d: 24, w: 168 }[match[2] as "h" | "d" | "w"];
}

/** Upper bounds for a single tenant's quota (an oversized tenant file is rejected). */
export const tenantLimitsSchema = z.strictObject({
    maxCpu: quantityString.default("16"),
    maxMemory: quantityString.default("64Gi"),
    maxStorage: quantityString.default("1Ti"),
    /**
     * Largest hard quota (`bucket.size`) of one tenant bucket. Every bucket lives on MinIO's shared volume
     * (`addons.minio.volumeSize`): keep the sum of the tenants' buckets below it.
     */
    maxBucketSize: quantityString.default("100Gi"),
    /** PostgreSQL instances one tenant database may run (each is a full copy on its own node). */
    maxDatabaseInstances: z.number().int().min(1).max(9).default(3),
    maxPods: z.number().int().positive().default(200),
    /** Largest ephemeral-storage quota (emptyDirs, logs, writable layers) of one tenant namespace. */
    maxEphemeralStorage: quantityString.default("100Gi"),
    /**
     * How far the tenants' summed CPU and memory quotas may exceed the run pool's allocatable capacity (1.5 =
     * 150%); above 100% the plan warns, above this it refuses the catalog.
     */
    overcommit: z.number().min(1).max(10).default(1.5),
});

/** A domain and every name below it (`example.org` covers `example.org` and `shop.example.org`). */
export function withinDomain(host: string, domain: string): boolean {
    return host === domain || host.endsWith(`.${domain}`);
}

/** One egress port a project may open to the internet (beyond 80/443). */
export const egressPortSchema = z.strictObject({
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});

/** Public ports below this are the platform's (80/443) or need privileges Traefik does not run with. */
export const PUBLIC_PORT_MIN = 1024;

/** Ports a public TCP/UDP entry point never takes: the platform's own listeners on the edge nodes. */
export const RESERVED_PUBLIC_PORTS: ReadonlyArray<{ port: number; protocol: "TCP" | "UDP"; what: string }> = [
    { port: 41641, protocol: "UDP", what: "Tailscale direct connections" },
    { port: 8000, protocol: "TCP", what: "Traefik's web entry point (container port)" },
    { port: 8080, protocol: "TCP", what: "Traefik's dashboard entry point" },
    { port: 8443, protocol: "TCP", what: "Traefik's websecure entry point (container port)" },
    { port: 9100, protocol: "TCP", what: "Traefik's metrics entry point" },
];

/**
 * One public TCP/UDP port granted to a project: a platform-owned Traefik entry point on the edge's floating
 * IPs (`tcp-<port>` / `udp-<port>`), opened in the edge firewall. A port belongs to one project per stack.
 */
export const publicPortSchema = z.strictObject({
    port: z.number().int().min(PUBLIC_PORT_MIN, { error: `must be ${PUBLIC_PORT_MIN} or higher (80/443 are the platform's HTTP(S) entry)` }).max(65535),
    protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});

/**
 * Privileges of one project, decided by the platform operators in the region's stack config and never
 * by the tenant file: trust level (trusted projects run without the gVisor sandbox), extra egress ports,
 * custom domains outside the platform domain (each entry covers the domain and its subdomains) and git
 * sources (an exact repository URL, or a prefix ending in `/` that covers the repositories below it).
 */
export const projectGrantSchema = z
    .strictObject({
        trust: z.enum(["trusted", "untrusted"]).default("untrusted"),
        egressPorts: z.array(egressPortSchema).max(32).default([]),
        customDomains: z.array(domainName).max(50).default([]),
        git: z.array(z.string().max(512)).max(20).default([]),
        /** Public TCP/UDP entry points (beside HTTPS) the project's services may be reached on. */
        publicPorts: z.array(publicPortSchema).max(16).default([]),
        /**
         * Longhorn backup volumes (the `pvc-<uid>` names Longhorn lists under Backup, with the namespace and claim
         * they came from) whose backups this project's tenant file may restore: operators confirm each belongs to
         * the project, because a backup's volume name says nothing about its owner.
         */
        volumeBackups: z.array(z.string().regex(LONGHORN_VOLUME_NAME, { error: "must be a Longhorn volume name such as pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f" })).max(50).optional(),
    })
    .superRefine((grant, ctx) => {
        grant.publicPorts.forEach((entry, index) => {
            const reason = forbiddenEgressPort(entry.port);
            const reserved = RESERVED_PUBLIC_PORTS.find((r) => r.port === entry.port && r.protocol === entry.protocol);
            if (reason || reserved) {
                ctx.addIssue({ code: "custom", path: ["publicPorts", index, "port"], message: `${reserved ? `${entry.protocol} ${entry.port} is ${reserved.what}` : reason}; it cannot be a public entry point` });
            }
            if (grant.publicPorts.findIndex((o) => o.port === entry.port && o.protocol === entry.protocol) !== index) {
                ctx.addIssue({ code: "custom", path: ["publicPorts", index], message: `${entry.protocol} ${entry.port} is listed twice` });
            }
        });
        grant.egressPorts.forEach((entry, index) => {
            const reason = forbiddenEgressPort(entry.port);
            if (reason) {
                ctx.addIssue({ code: "custom", path: ["egressPorts", index, "port"], message: `${reason}; it cannot be granted` });
            }
        });
        grant.git.forEach((url, index) => {
            const reason = repoUrlProblem(url, PLATFORM_NAMESPACES);
            if (reason) {
                ctx.addIssue({ code: "custom", path: ["git", index], message: reason });
            }
        });
    });

/** The granted privileges of one project. */
export type ProjectGrant = z.infer<typeof projectGrantSchema>;

/** Privileges of a project without an entry in `platform:projectGrants`: untrusted, nothing extra. */
export const NO_GRANT: ProjectGrant = { trust: "untrusted", egressPorts: [], customDomains: [], git: [], publicPorts: [] };

/** Name of the Traefik entry point of a public port: `tcp-30303`, `udp-30303` (also its Service port name). */
export function publicEntryPointName(entry: { port: number; protocol: "TCP" | "UDP" }): string {
    return `${entry.protocol.toLowerCase()}-${entry.port}`;
}

/** Every public port granted on the stack, with the project it belongs to, sorted by protocol and port. */
export function grantedPublicPorts(grants: Readonly<Record<string, ProjectGrant>>): Array<{ project: string; port: number; protocol: "TCP" | "UDP"; entryPoint: string }> {
    return Object.entries(grants)
        .flatMap(([project, grant]) => grant.publicPorts.map((p) => ({ project, port: p.port, protocol: p.protocol, entryPoint: publicEntryPointName(p) })))
        .sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port);
}

/** Whether `url` is covered by a granted git source (the same URL, or below a granted prefix ending in `/`). */
export function gitSourceGranted(url: string, granted: readonly string[]): boolean {
    return granted.some((g) => g === url || (g.endsWith("/") && url.startsWith(g)));
}

/** The fix named for a production backup endpoint that resolves inside the cluster. */
export const OFF_CLUSTER_ENDPOINT_FIX = "use the object storage's public host name, e.g. endpoint: fsn1.your-objectstorage.com";

/** The production backup targets that must leave the cluster: each endpoint's config path (below `platform:`) and host (port dropped). */
export function offClusterBackupTargets(cfg: {
    backup: { s3?: { endpoint: string } | undefined };
    addons: { longhorn: { external?: { endpoint: string } | undefined } };
    cluster: { etcdSnapshots?: { s3?: { endpoint: string } | undefined } | undefined };
}): Array<{ path: string[]; host: string }> {
    const targets: Array<[string[], string | undefined]> = [
        [["backup", "s3", "endpoint"], cfg.backup.s3?.endpoint],
        [["addons", "longhorn", "external", "endpoint"], cfg.addons.longhorn.external?.endpoint],
        [["cluster", "etcdSnapshots", "s3", "endpoint"], cfg.cluster.etcdSnapshots?.s3?.endpoint],
    ];
    return targets.flatMap(([path, endpoint]) => (endpoint === undefined ? [] : [{ path, host: endpoint.replace(/:\d+$/, "") }]));
}

/** The whole, validated stack configuration. */
export const platformConfigSchema = z
    .strictObject({
        environment: z.enum(["dev", "staging", "production"]),
        location: z.enum(HCLOUD_LOCATIONS, { error: `must be a Hetzner Cloud location: ${HCLOUD_LOCATIONS.join(", ")}` }),
        domain: domainName,
        acmeEmail: z.email({ error: "must be an e-mail address for Let's Encrypt expiry notices" }),
        mesh: meshSchema,
        cluster: clusterSchema,
        servers: serverPoolSchema,
        pools: z.array(agentPoolSchema).min(1),
        edge: z
            .strictObject({
                floatingIps: z.number().int().min(1).max(4).default(1),
            })
            .prefault({}),
        baremetal: baremetalSchema.prefault({}),
        addons: addonsSchema.prefault({}),
        /** Off-cluster backup target and retention (databases, cluster objects). */
        backup: backupSchema.prefault({}),
        prices: pricesSchema.prefault({}),
        billing: billingSchema.prefault({}),
        tenantLimits: tenantLimitsSchema.prefault({}),
        maintenance: maintenanceSchema.prefault({}),
        /** Privileges per project (trust, egress ports, custom domains, git sources); see projectGrantSchema. */
        projectGrants: z
            .record(z.string().regex(labelPattern(PROJECT_NAME_MAX), { error: `project names ${labelMessage(PROJECT_NAME_MAX)}` }), projectGrantSchema)
            .default({}),
        /**
         * Registries tenant images may come from. Never the platform registry: its images are admitted per project
         * path (`<host>/<project>/`), and an allow-list entry would admit every project's images to every tenant.
         */
        allowedRegistries: z
            .array(
                z
                    .string()
                    .min(1)
                    .refine((entry) => !isPlatformRegistryEntry(entry), {
                        error: `must not name the platform registry ${PLATFORM_REGISTRY.host}: a project's built images are admitted under its own path only; remove the entry`,
                    }),
            )
            .min(1)
            .default(["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"]),
        /** Alert receivers and routing (lib/config/alerting.ts). */
        alerting: alertingSchema.prefault({}),
        /**
         * Acknowledges changes that resize or reinstall running nodes (server type, image, disk layout). Without
         * it such a change stops `pulumi up` before any machine is touched; with it the affected nodes roll one
         * at a time. Set it for the one `up` that applies the change, then remove it.
         */
        allowDisruptive: z.boolean().default(false),
    })
    .superRefine((cfg, ctx) => {
        if (cfg.environment === "production") {
            // An alert nobody receives is no alert: production must page someone and prove the path works.
            if (cfg.alerting.critical.length === 0) {
                ctx.addIssue({ code: "custom", path: ["alerting", "critical"], message: "a production stack must route critical alerts to at least one receiver" });
            }
            // Backups that live in the cluster they protect are lost with it.
            if (cfg.backup.s3 === undefined) {
                ctx.addIssue({ code: "custom", path: ["backup", "s3"], message: "a production stack must back up to object storage outside the cluster", params: { fix: "platform:backup: {s3: {endpoint: fsn1.your-objectstorage.com, bucket: platform-backups-<stack>, region: fsn1}}, plus pulumi config set --secret platform:backupS3AccessKey / platform:backupS3SecretKey" } });
            }
            if (cfg.addons.longhorn.backupTarget !== "external") {
                ctx.addIssue({ code: "custom", path: ["addons", "longhorn", "backupTarget"], message: "a production stack must not keep its only volume backups in the in-cluster MinIO", params: { fix: "longhorn: {backupTarget: external, external: {endpoint: fsn1.your-objectstorage.com, bucket: platform-longhorn-<stack>, region: fsn1}}" } });
            }
            if (cfg.alerting.deadMansSwitch === undefined) {
                ctx.addIssue({ code: "custom", path: ["alerting", "deadMansSwitch"], message: "a production stack needs a dead man's switch (a webhook receiver that pages when the heartbeat stops)" });
            }
            // "Off-cluster" is the host, not the key: an endpoint that resolves inside the cluster (the in-cluster
            // MinIO's Service, a private or tailnet address) keeps the only copy where the disaster happens.
            // The projects' namespaces are checked with the tenant catalog (lib/tenants/load.ts), which knows them.
            for (const { path, host } of offClusterBackupTargets(cfg)) {
                const reason = nonPublicHostReason(host, PLATFORM_NAMESPACES);
                if (reason !== undefined) {
                    ctx.addIssue({ code: "custom", path, message: `a production stack's backups must leave the cluster: ${reason}`, params: { fix: OFF_CLUSTER_ENDPOINT_FIX } });
                }
            }
        }
        const seen = new Set<string>();
        cfg.pools.forEach((pool, index) => {
            if (seen.has(pool.role)) {
                ctx.addIssue({ code: "custom", path: ["pools", index, "role"], message: `pool role "${pool.role}" is declared twice` });
            }
            seen.add(pool.role);
            // Without the taint the build pool is a label: platform add-ons, DaemonSets and tenant pods without a
            // selector schedule there, beside BuildKit running unconfined with push credentials in its mounts.
            if (pool.role === "build" && !pool.dedicated) {
                ctx.addIssue({
                    code: "custom",
                    path: ["pools", index, "dedicated"],
                    message: "a build pool must be dedicated: only its taint pool=build:NoSchedule keeps everything but the builds off its nodes",
                    params: { fix: "set dedicated: true on the {role: build} pool in platform:pools" },
                });
            }
        });
        const edge = cfg.pools.find((p) => p.role === "edge");
        if (!edge || edge.count < 1) {
            ctx.addIssue({ code: "custom", path: ["pools"], message: "an edge pool with count >= 1 is required: it carries the public entry (floating IPs, Traefik)" });
        } else if (edge.kind !== "cloud") {
            ctx.addIssue({ code: "custom", path: ["pools"], message: "the edge pool must be kind cloud: floating IPs attach to Hetzner Cloud servers" });
        }
        if (!cfg.pools.some((p) => p.role === "run" && p.count > 0) && !cfg.servers.schedulable) {
            ctx.addIssue({ code: "custom", path: ["pools"], message: "tenant workloads need a run pool with count >= 1 or servers.schedulable: true" });
        }
        if (cfg.addons.longhorn.backupTarget === "external" && !cfg.addons.longhorn.external) {
            ctx.addIssue({ code: "custom", path: ["addons", "longhorn", "external"], message: "backupTarget external needs an external S3 target" });
        }
        const ledger = cfg.billing.ledger;
        if (ledger.target === "own" && !ledger.s3) {
            ctx.addIssue({ code: "custom", path: ["billing", "ledger", "s3"], message: "ledger target own needs an s3 bucket" });
        }
        if (ledger.target === "longhornBackups" && !cfg.addons.longhorn.external) {
            ctx.addIssue({ code: "custom", path: ["billing", "ledger", "target"], message: "ledger target longhornBackups needs addons.longhorn.external (an external Longhorn backup target)" });
        }
        const neededHours = Math.max(BILLING_RETENTION_DAYS * 24, ledger.backfillHours);
        if (!(retentionHours(cfg.addons.monitoring.retention) >= neededHours)) {
            ctx.addIssue({
                code: "custom",
                path: ["addons", "monitoring", "retention"],
                message: `${cfg.addons.monitoring.retention} is shorter than billing reads: month to date sums 31 days, last month is closed from 32 days and the ledger backfills ${ledger.backfillHours} hours; keep at least ${neededHours / 24}d`,
                params: { fix: `retention: ${neededHours / 24}d` },
            });
        }
        checkServerTypes(cfg, ctx);
        checkGrantedDomains(cfg.domain, cfg.projectGrants, ctx);
        checkGrantedPublicPorts(cfg.projectGrants, ctx);
        const allRobot = [cfg.servers.robotServers, ...cfg.pools.map((p) => p.robotServers)].flat();
        const dup = allRobot.find((n, i) => allRobot.indexOf(n) !== i);
        if (dup !== undefined) {
            ctx.addIssue({ code: "custom", path: ["pools"], message: `Robot server ${dup} is used by two pools` });
        }
    });

/**
 * Rejects unknown, deprecated and not-sold-here server types of cloud pools (bare-metal pools use serverType
 * only to name a Robot model). The fix rides on the issue's `params.fix` (lib/validation.ts reads it), so the
 * error names the replacement rather than a generic example.
 */
function checkServerTypes(
    cfg: { location: string; servers: { kind: string; serverType: string }; pools: Array<{ kind: string; serverType: string }> },
    ctx: z.RefinementCtx,
): void {
    const pools: Array<[Array<string | number>, { kind: string; serverType: string }]> = [
        [["servers", "serverType"], cfg.servers],
        ...cfg.pools.map((pool, index): [Array<string | number>, { kind: string; serverType: string }] => [["pools", index, "serverType"], pool]),
    ];
    for (const [path, pool] of pools) {
        if (pool.kind !== "cloud") {
            continue;
        }
        const rejection = rejectServerType(pool.serverType, cfg.location);
        if (rejection) {
            ctx.addIssue({ code: "custom", path, message: rejection.problem, params: { fix: rejection.fix } });
        }
    }
}

/** Granted custom domains stay outside the platform's host space and belong to one project each. */
function checkGrantedDomains(platformDomain: string, grants: Record<string, ProjectGrant>, ctx: z.RefinementCtx): void {
    const owners: Array<{ project: string; domain: string }> = [];
    for (const [project, grant] of Object.entries(grants)) {
        grant.customDomains.forEach((domain, index) => {
            const path = ["projectGrants", project, "customDomains", index];
            if (withinDomain(domain, platformDomain) || withinDomain(platformDomain, domain)) {
                ctx.addIssue({ code: "custom", path, message: `${domain} overlaps the platform domain ${platformDomain} (equal, inside it or a parent zone); the platform assigns those names` });
            }
            const other = owners.find((o) => withinDomain(domain, o.domain) || withinDomain(o.domain, domain));
            if (other) {
                ctx.addIssue({ code: "custom", path, message: `${domain} overlaps ${other.domain}, granted to ${other.project === project ? "this project already" : `project ${other.project}`}; every domain belongs to one project` });
            }
            owners.push({ project, domain });
        });
    }
}

/** A public port is one entry point on the shared floating IPs: it belongs to one project. */
function checkGrantedPublicPorts(grants: Record<string, ProjectGrant>, ctx: z.RefinementCtx): void {
    const owners = new Map<string, string>();
    for (const [project, grant] of Object.entries(grants)) {
        grant.publicPorts.forEach((entry, index) => {
            const key = publicEntryPointName(entry);
            const owner = owners.get(key);
            if (owner && owner !== project) {
                ctx.addIssue({ code: "custom", path: ["projectGrants", project, "publicPorts", index], message: `${entry.protocol} ${entry.port} is already granted to project ${owner}; the floating IPs have one listener per port` });
            }
            owners.set(key, owner ?? project);
        });
    }
    // Every granted port is one rule of the edge nodes' hcloud firewall, which Hetzner caps.
    const room = HCLOUD_FIREWALL_MAX_RULES - EDGE_FIREWALL_BASE_RULES;
    if (owners.size > room) {
        ctx.addIssue({
            code: "custom",
            path: ["projectGrants"],
            message: `${owners.size} public ports are granted, but the edge firewall holds ${HCLOUD_FIREWALL_MAX_RULES} rules (Hetzner Cloud limit), ${EDGE_FIREWALL_BASE_RULES} of them the platform's own: at most ${room} public ports per region`,
            params: { fix: `remove ${owners.size - room} publicPorts entries, or serve those projects from another region` },
        });
    }
}

/** The validated, defaulted configuration of one region stack. */
export type PlatformConfig = z.infer<typeof platformConfigSchema>;
/** One agent pool after validation. */
export type AgentPool = PlatformConfig["pools"][number];
/** The server pool after validation. */
export type ServerPool = PlatformConfig["servers"];
/** Role of an agent pool. */
export type PoolRole = (typeof POOL_ROLES)[number];

/** Example values shown in error messages, keyed by path pattern (indices as `[]`). */
export const CONFIG_EXAMPLES: Readonly<Record<string, string>> = {
    alerting: "platform:alerting: {smtp: {smarthost: 'smtp.example.com:587', from: alerts@example.com}, receivers: [{name: oncall, email: [oncall@example.com]}, {name: heartbeat, webhook: {}}], critical: [oncall], deadMansSwitch: heartbeat}",
    "alerting.critical": "critical: [oncall]",
    "alerting.deadMansSwitch": "deadMansSwitch: heartbeat   # a webhook receiver; its URL goes in platform:alertingSecrets",
    "alerting.receivers": "receivers: [{name: oncall, email: [oncall@example.com]}, {name: chat, slack: {channel: '#ops'}}, {name: heartbeat, webhook: {}}]",
    "alerting.smtp": "smtp: {smarthost: 'smtp.example.com:587', from: alerts@example.com, username: alerts}",
    environment: "platform:environment: dev   # dev | staging | production",
    location: "platform:location: fsn1",
    domain: "platform:domain: apps.example.com",
    acmeEmail: "platform:acmeEmail: ops@example.com",
    mesh: "platform:mesh: {magicDnsSuffix: tail1a2b3c.ts.net, admins: [alice@example.com]}",
    "mesh.magicDnsSuffix": "magicDnsSuffix: tail1a2b3c.ts.net",
    "mesh.admins": "admins: [alice@example.com, bob@example.com]",
    "mesh.manageAcl": "manageAcl: false",
    "mesh.authKeyExpirySeconds": "authKeyExpirySeconds: 3600",
    cluster: "platform:cluster: {k3sVersion: v1.31.6+k3s1, etcdSnapshots: {s3: {endpoint: fsn1.your-objectstorage.com, bucket: etcd-dev}}}",
    "cluster.k3sVersion": "k3sVersion: v1.31.6+k3s1",
    "cluster.previousK3sVersion": "previousK3sVersion: v1.31.6+k3s1   # the version the cluster runs now",
    "cluster.clusterCidr": "clusterCidr: 10.42.0.0/16",
    "cluster.serviceCidr": "serviceCidr: 10.43.0.0/16",
    "cluster.certificateAuthority": "certificateAuthority: k3s   # platform (default) | k3s: a cluster whose CA k3s generated",
    "cluster.etcdSnapshots": "etcdSnapshots: {schedule: '0 */6 * * *', retention: 28, s3: {...}}",
    "cluster.etcdSnapshots.schedule": "schedule: '0 */6 * * *'",
    "cluster.etcdSnapshots.retention": "retention: 28",
    "cluster.etcdSnapshots.s3": "s3: {endpoint: fsn1.your-objectstorage.com, bucket: etcd-dev, region: eu-central}",
    "cluster.etcdSnapshots.s3.endpoint": "endpoint: fsn1.your-objectstorage.com",
    "cluster.etcdSnapshots.s3.bucket": "bucket: platform-etcd-dev",
    "cluster.etcdSnapshots.s3.region": "region: eu-central",
    "cluster.etcdSnapshots.s3.folder": "folder: dev",
    servers: "platform:servers: {count: 1, kind: cloud, serverType: cx33}",
    "servers.count": "count: 3",
    "servers.kind": "kind: baremetal",
    "servers.serverType": "serverType: cx33",
    "servers.robotServers": "robotServers: [2345678, 2345679, 2345680]",
    "servers.schedulable": "schedulable: false",
    "servers.generations": "generations: {\"0\": 1}   # replaces server 0 with a fresh machine",
    pools: "platform:pools: [{role: run, count: 2}, {role: edge, count: 1, serverType: cx23}]",
    "pools[].role": "role: run   # run | build | edge",
    "pools[].kind": "kind: cloud",
    "pools[].count": "count: 2",
    "pools[].serverType": "serverType: cx33",
    "pools[].robotServers": "robotServers: [2345681, 2345682]",
    "pools[].dedicated": "dedicated: true",
    "pools[].storage": "storage: true",
    "pools[].generations": "generations: {\"1\": 1}   # replaces node 1 of the pool with a fresh machine",
    edge: "platform:edge: {floatingIps: 1}",
    "edge.floatingIps": "floatingIps: 2",
    baremetal: "platform:baremetal: {swraidLevel: 1, drives: [/dev/nvme0n1, /dev/nvme1n1]}",
    "baremetal.image": "image: /root/.oldroot/nfs/install/../images/Ubuntu-2404-noble-amd64-base.tar.gz",
    "baremetal.drives": "drives: [/dev/nvme0n1, /dev/nvme1n1]",
    "baremetal.swraid": "swraid: true",
    "baremetal.swraidLevel": "swraidLevel: 1",
    "baremetal.partitions": "partitions: [{mount: /boot, filesystem: ext4, size: 1G}, {mount: /, filesystem: ext4, size: all}]",
    "baremetal.vswitch": "vswitch: {vlan: 4000, name: fsn1-platform, subnet: 10.90.1.0/24}",
    "baremetal.networkRange": "networkRange: 10.90.0.0/16",
    addons: "platform:addons: {monitoring: {retention: 35d}}",
    "addons.monitoring": "monitoring: {retention: 35d, storageSize: 20Gi, grafanaStorageSize: 2Gi}",
    "addons.monitoring.retention": "retention: 35d",
    "addons.loki": "loki: {retention: 168h}",
    "addons.minio": "minio: {volumeSize: 20Gi}",
    "addons.registry": "registry: {storageSize: 50Gi, keepLatest: 10, keepPulledDays: 30, gcSchedule: '0 0 3 * * 6'}",
    backup: "platform:backup: {s3: {endpoint: fsn1.your-objectstorage.com, bucket: platform-backups-dev, region: fsn1}, retentionDays: 30, schedule: '0 3 * * *'}",
    "backup.s3": "s3: {endpoint: fsn1.your-objectstorage.com, bucket: platform-backups-dev, region: fsn1, folder: dev}",
    "backup.s3.endpoint": "endpoint: fsn1.your-objectstorage.com",
    "backup.s3.bucket": "bucket: platform-backups-dev",
    "backup.retentionDays": "retentionDays: 30",
    "backup.schedule": "schedule: '0 3 * * *'",
    "addons.longhorn": "longhorn: {backupTarget: minio}",
    "addons.longhorn.external": "external: {endpoint: fsn1.your-objectstorage.com, bucket: longhorn-backups}",
    "addons.certManager": "certManager: {hetznerDns: false}",
    "addons.argocd": "argocd: {repositories: [{name: apps, url: https://github.com/example/apps.git}]}",
    billing: "platform:billing: {ledger: {target: etcdSnapshots, folder: billing-ledger, backfillHours: 48}}",
    "billing.ledger": "ledger: {target: etcdSnapshots}   # etcdSnapshots | longhornBackups | own",
    "billing.ledger.target": "target: etcdSnapshots",
    "billing.ledger.s3": "s3: {endpoint: fsn1.your-objectstorage.com, bucket: billing-ledger}",
    "billing.ledger.folder": "folder: billing-ledger",
    "billing.ledger.backfillHours": "backfillHours: 48",
    prices: "platform:prices: {currency: EUR, cpuCoreHour: 0.006, memoryGiBHour: 0.0025, storageGiBHour: 0.00008, networkEgressGiB: 0.001}",
    tenantLimits: "platform:tenantLimits: {maxCpu: '16', maxMemory: 64Gi, maxStorage: 1Ti, maxBucketSize: 100Gi, maxPods: 200}",
    allowedRegistries: "platform:allowedRegistries: [docker.io, ghcr.io]",
    maintenance: "platform:maintenance: {rebootDays: [mo, tu, we, th], rebootStartTime: '02:00', rebootEndTime: '05:00', timeZone: Europe/Berlin}",
    "maintenance.rebootDays": "rebootDays: [mo, tu, we, th, fr]",
    "maintenance.rebootStartTime": "rebootStartTime: '02:00'",
    "maintenance.rebootEndTime": "rebootEndTime: '05:00'",
    "maintenance.timeZone": "timeZone: Europe/Berlin",
    projectGrants: "platform:projectGrants: {shop: {trust: untrusted, egressPorts: [{port: 30303, protocol: TCP}], customDomains: [shop.example.org], git: [https://github.com/example/shop-deploy.git], publicPorts: [{port: 30303, protocol: TCP}]}}",
    "tenantLimits.maxEphemeralStorage": "maxEphemeralStorage: 100Gi",
    "tenantLimits.maxDatabaseInstances": "maxDatabaseInstances: 3",
    allowDisruptive: "platform:allowDisruptive: true   # for the one up that resizes or reinstalls nodes",
};
