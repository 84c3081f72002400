import { describe, expect, it } from "vitest";
import type { TenantObject } from "../../../components/project/render";
import { everyExample } from "./fixtures";

/**
 * The five seed systems (../shared/seeds) as the shipped example tenants, each checked for the objects its
 * seed document calls for: ports and protocols, public entry points, volumes and sizes, sidecar exporter
 * scraping, file mounts, probes, clustered StatefulSets with per-pod volumes, data services, credentials
 * only where used. Expected values are the seed documents' (and the issue's), written out here.
 */

const examples = everyExample();
const example = (stack: string, name: string) => {
    const found = examples.find((e) => e.stack === stack && e.spec.name === name);
    if (!found) {
        throw new Error(`no example ${stack}/${name}`);
    }
    return found;
};
const find = (objects: readonly TenantObject[], kind: string, name: string): any => {
    const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) {
        throw new Error(`no ${kind}/${name}`);
    }
    return found;
};
const has = (objects: readonly TenantObject[], kind: string, name: string) => objects.some((o) => o.kind === kind && o.metadata?.name === name);
const podOf = (workload: any) => (workload.kind === "CronJob" ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec);
const envNames = (container: any): string[] => (container.env ?? []).map((e: { name: string }) => e.name);
const envOf = (container: any, name: string): unknown => (container.env ?? []).find((e: { name: string; value?: string }) => e.name === name)?.value;
const ports = (container: any) => (container.ports ?? []).map((p: any) => `${p.name} ${p.containerPort}/${p.protocol}`);
const claims = (sts: any) => Object.fromEntries(sts.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage]));

describe("chain-nodes (seed: chain-nodes-ARCHITECTURE)", () => {
    for (const stack of ["fsn1", "hel1"]) {
        const { objects } = example(stack, "chain-nodes");
        it(`${stack}: Geth with RPC 8545, WS 8546, metrics 6060 and P2P 30303 TCP+UDP on its public entry points, 30Gi`, () => {
            const geth = find(objects, "StatefulSet", "geth");
            const container = podOf(geth).containers[0];
            expect(ports(container)).toEqual(["http 8545/TCP", "ws 8546/TCP", "authrpc 8551/TCP", "geth-metrics 6060/TCP", "p2p 30303/TCP", "discovery 30303/UDP"]);
            expect(claims(geth)).toEqual({ data: "30Gi" });
            expect(container.resources.limits.memory).toBe("6Gi");
            expect(find(objects, "IngressRouteTCP", "geth-p2p").spec).toEqual({ entryPoints: ["tcp-30303"], routes: [{ match: "HostSNI(`*`)", services: [{ name: "geth", port: "p2p", nativeLB: true }] }] });
            expect(find(objects, "IngressRouteUDP", "geth-discovery").spec).toEqual({ entryPoints: ["udp-30303"], routes: [{ services: [{ name: "geth", port: "discovery", nativeLB: true }] }] });
            // Traefik reaches exactly those ports of the geth pods (no HTTP Ingress: RPC stays inside).
            expect(find(objects, "NetworkPolicy", "allow-traefik-geth").spec.ingress[0].ports).toEqual([
                { protocol: "TCP", port: 30303 },
                { protocol: "UDP", port: 30303 },
            ]);
            expect(objects.filter((o) => o.kind === "Ingress")).toEqual([]);
            expect(find(objects, "ServiceMonitor", "geth").spec.endpoints[0]).toMatchObject({ port: "geth-metrics", path: "/debug/metrics/prometheus" });
        });

        it(`${stack}: the engine-API JWT is a read-only secret file, no shell wraps the node`, () => {
            const container = podOf(find(objects, "StatefulSet", "geth")).containers[0];
            expect(container.command).toEqual(["geth"]);
            expect(container.args).toContain("--authrpc.jwtsecret=/secrets/jwt/jwt.hex");
            expect(container.volumeMounts).toContainEqual({ name: "files-0", mountPath: "/secrets/jwt", readOnly: true });
            expect(podOf(find(objects, "StatefulSet", "geth")).volumes).toContainEqual({ name: "files-0", secret: { secretName: "app-secrets", defaultMode: 0o440, items: [{ key: "JWT_SECRET", path: "jwt.hex" }] } });
        });

        it(`${stack}: Bitcoin Core with RPC 18332, P2P 18333 public, 50Gi, and the exporter on 9332 as a scraped sidecar`, () => {
            const bitcoin = find(objects, "StatefulSet", "bitcoin");
            const [node, exporter] = podOf(bitcoin).containers;
            expect(ports(node)).toEqual(["http 18332/TCP", "p2p 18333/TCP"]);
            expect(exporter.name).toBe("exporter");
            expect(ports(exporter)).toEqual(["exporter 9332/TCP"]);
            expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
            expect(envNames(exporter)).toContain("BITCOIN_RPC_PASSWORD");
            expect(claims(bitcoin)).toEqual({ data: "50Gi" });
            expect(node.resources).toMatchObject({ requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "1500m", memory: "4Gi" } });
            expect(find(objects, "ServiceMonitor", "bitcoin").spec.endpoints[0]).toMatchObject({ port: "exporter", path: "/metrics" });
            expect(find(objects, "Service", "bitcoin").spec.ports.map((p: any) => p.name)).toEqual(["http", "p2p", "exporter"]);
            expect(find(objects, "NetworkPolicy", "allow-prometheus-bitcoin").spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 9332 }]);
            expect(find(objects, "IngressRouteTCP", "bitcoin-p2p").spec.entryPoints).toEqual(["tcp-18333"]);
        });

        it(`${stack}: the namespace states the granted entry points the admission policy reads`, () => {
            const annotations = find(objects, "Namespace", "chain-nodes").metadata.annotations;
            expect(annotations["platform/tcp-entrypoints"]).toBe("tcp-18333,tcp-30303");
            expect(annotations["platform/udp-entrypoints"]).toBe("udp-30303");
        });
    }
});

describe("caracal (seed: caracal-k8s-README)", () => {
    const { objects } = example("fsn1", "caracal");

    it("ZooKeeper: 3 members, parallel start, 10Gi each, peers found before ready, a quorum budget of 2", () => {
        const zk = find(objects, "StatefulSet", "zookeeper");
        expect(zk.spec).toMatchObject({ replicas: 3, podManagementPolicy: "Parallel", serviceName: "zookeeper-headless" });
        expect(claims(zk)).toEqual({ data: "10Gi" });
        expect(ports(podOf(zk).containers[0])).toEqual(["http 2181/TCP", "peer 2888/TCP", "election 3888/TCP", "admin 8080/TCP"]);
        expect(find(objects, "Service", "zookeeper-headless").spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
        expect(find(objects, "PodDisruptionBudget", "zookeeper").spec.minAvailable).toBe(2);
        // The pod's identity comes first, so $(POD_INDEX) expands in the tenant's own env.
        expect(envNames(podOf(zk).containers[0]).slice(0, 3)).toEqual(["POD_NAME", "POD_INDEX", "PEER_DOMAIN"]);
        expect(podOf(zk).containers[0].env[1].valueFrom.fieldRef.fieldPath).toBe("metadata.labels['apps.kubernetes.io/pod-index']");
        expect(podOf(zk).containers[0].env[2].value).toBe("zookeeper-headless.caracal.svc.cluster.local");
    });

    it("Kafka: 3 brokers, ordered start, 20Gi each, config from a ConfigMap, the broker health check as an exec probe", () => {
        const kafka = find(objects, "StatefulSet", "kafka");
        expect(kafka.spec).toMatchObject({ replicas: 3, podManagementPolicy: "OrderedReady" });
        expect(claims(kafka)).toEqual({ data: "20Gi" });
        const container = podOf(kafka).containers[0];
        expect(container.livenessProbe.exec.command).toEqual(["/opt/kafka/bin/kafka-broker-api-versions.sh", "--bootstrap-server", "localhost:9092"]);
        expect(container.livenessProbe.timeoutSeconds).toBe(30);
        expect(podOf(kafka).volumes).toContainEqual({ name: "files-0", configMap: { name: "kafka", defaultMode: 0o444 } });
        expect(find(objects, "ConfigMap", "kafka").data["server.properties"]).toContain("zookeeper.connect=zookeeper-0.zookeeper-headless:2181");
        expect(find(objects, "PodDisruptionBudget", "kafka").spec.minAvailable).toBe(2);
    });

    it("the gateway: 3 replicas, public TLS passthrough on its own hosts to 8443 (mTLS), TLS material as files, no Ingress", () => {
        const route = find(objects, "IngressRouteTCP", "gateway-passthrough");
        expect(route.spec).toEqual({
            entryPoints: ["websecure"],
            routes: [{ match: "HostSNI(`gateway.caracal.fsn1.platform.example.com`) || HostSNI(`gateway.caracal.example.net`)", services: [{ name: "gateway", port: "https", nativeLB: true }] }],
            tls: { passthrough: true },
        });
        expect(has(objects, "Ingress", "gateway")).toBe(false);
        const deployment = find(objects, "Deployment", "gateway");
        expect(deployment.spec.replicas).toBe(3);
        expect(podOf(deployment).volumes).toContainEqual({
            name: "files-0",
            secret: {
                secretName: "app-secrets",
                defaultMode: 0o440,
                items: [
                    { key: "CLIENT_CA_CRT", path: "ca.crt" },
                    { key: "JWT_PUBLIC_PEM", path: "jwt_public.pem" },
                    { key: "GATEWAY_TLS_CRT", path: "tls.crt" },
                    { key: "GATEWAY_TLS_KEY", path: "tls.key" },
                ],
            },
        });
        expect(find(objects, "NetworkPolicy", "allow-traefik-gateway").spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 8443 }]);
        expect(find(objects, "ServiceMonitor", "gateway").spec.endpoints[0].port).toBe("gateway-metrics");
    });

    it("the consumers are workers: no service port, exec health checks; only the aggregator's metrics port is served", () => {
        for (const name of ["ledger-writer", "metrics-aggregator", "audit-logger"]) {
            const deployment = find(objects, "Deployment", name);
            expect(deployment.spec.replicas, name).toBe(2);
            expect(podOf(deployment).containers[0].readinessProbe.exec.command, name).toEqual(["podcli", "check", "http", "localhost:9898/readyz"]);
        }
        for (const name of ["ledger-writer", "audit-logger"]) {
            expect(podOf(find(objects, "Deployment", name)).containers[0].ports, name).toBeUndefined();
            expect(has(objects, "Service", name), name).toBe(false);
        }
        expect(ports(podOf(find(objects, "Deployment", "metrics-aggregator")).containers[0])).toEqual(["metrics 9091/TCP"]);
        expect(find(objects, "Service", "metrics-aggregator").spec.ports.map((p: any) => p.port)).toEqual([9091]);
    });

    it("health checks as the seed lists them: redis-cli ping (the Redis operator's own probe), ZooKeeper ruok", () => {
        expect(has(objects, "StatefulSet", "redis")).toBe(false);
        const redis = find(objects, "RedisReplication", "redis");
        // No probe of the platform's: the operator's default runs `redis-cli ... ping` and wants PONG (statefulset.go getProbeInfo).
        expect(redis.spec.readinessProbe).toBeUndefined();
        expect(redis.spec.livenessProbe).toBeUndefined();
        expect(redis.spec).toMatchObject({ clusterSize: 3, sentinel: { size: 3 }, storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "10Gi" } } } } } });
        // The Redis password reaches the services that use Redis, and no other.
        for (const name of ["gateway", "mcp-adapter", "metrics-aggregator"]) {
            expect(envNames(podOf(find(objects, "Deployment", name)).containers[0]), name).toEqual(expect.arrayContaining(["REDIS_HOST", "REDIS_PASSWORD"]));
        }
        expect(envNames(podOf(find(objects, "Deployment", "audit-logger")).containers[0])).not.toContain("REDIS_PASSWORD");
        expect(podOf(find(objects, "StatefulSet", "zookeeper")).containers[0].readinessProbe.httpGet).toEqual({ path: "/commands/ruok", port: 8080 });
    });

    it("PostgreSQL from the platform; its credentials only reach the services and jobs that use it", () => {
        expect(has(objects, "Cluster", "database")).toBe(true);
        const withDatabase = objects
            .filter((o) => ["Deployment", "StatefulSet", "Job", "CronJob"].includes(o.kind) && o.metadata?.name !== "database")
            .filter((o) => podOf(o).containers.some((c: any) => envNames(c).includes("DATABASE_PASSWORD")))
            .map((o) => `${o.kind}/${o.metadata?.name}`)
            .sort();
        expect(withDatabase).toEqual(["Deployment/gateway", "Deployment/ledger-writer", "Job/db-migrate"]);
    });

    it("migrations and topic creation as Jobs, the consumer-lag report as an hourly CronJob that never overlaps", () => {
        expect(podOf(find(objects, "Job", "db-migrate")).restartPolicy).toBe("Never");
        expect(find(objects, "Job", "create-topics").spec.backoffLimit).toBe(6);
        const cron = find(objects, "CronJob", "consumer-lag-report");
        expect(cron.spec).toMatchObject({ schedule: "0 * * * *", concurrencyPolicy: "Forbid" });
        expect(podOf(cron).containers[0].command).toEqual(["/opt/kafka/bin/kafka-consumer-groups.sh"]);
    });

    it("Schema Registry: 2 replicas on 8081 with its config file", () => {
        const registry = find(objects, "Deployment", "schema-registry");
        expect(registry.spec.replicas).toBe(2);
        expect(ports(podOf(registry).containers[0])).toEqual(["http 8081/TCP"]);
        expect(podOf(registry).containers[0].args).toEqual(["/config/schema-registry.properties"]);
    });
});

describe("cars (seed: cars-node-README)", () => {
    const { objects } = example("fsn1", "cars");

    it("frontend and backend on frontend.cars.<domain> / backend.cars.<domain>, the frontend also on its custom domain", () => {
        expect(find(objects, "Ingress", "frontend").spec.rules.map((r: any) => r.host)).toEqual(["frontend.cars.fsn1.platform.example.com", "cars.example.org"]);
        expect(find(objects, "Ingress", "backend").spec.rules.map((r: any) => r.host)).toEqual(["backend.cars.fsn1.platform.example.com"]);
        expect(has(objects, "Ingress", "mongo")).toBe(false);
    });

    it("MySQL as a 3-node Percona XtraDB Cluster behind HAProxy, backed up off-cluster with its binlogs, reaching only the backend", () => {
        expect(has(objects, "StatefulSet", "database")).toBe(false);
        const mysql = find(objects, "PerconaXtraDBCluster", "database");
        expect(mysql.spec.pxc).toMatchObject({ size: 3, image: expect.stringMatching(/^docker\.io\/percona\/percona-xtradb-cluster:8\.4\./), volumeSpec: { persistentVolumeClaim: { resources: { requests: { storage: "20Gi" } } } } });
        expect(mysql.spec.haproxy).toMatchObject({ enabled: true, size: 2 });
        expect(mysql.spec.backup.pitr).toMatchObject({ enabled: true });
        expect(mysql.spec.backup.storages.offsite.s3.endpointUrl).toMatch(/^https:\/\/.*your-objectstorage\.com$/);
        expect(envOf(podOf(find(objects, "Deployment", "backend")).containers[0], "DATABASE_HOST")).toBe("database-haproxy.cars.svc.cluster.local");
        expect(envNames(podOf(find(objects, "Deployment", "backend")).containers[0])).toContain("DATABASE_PASSWORD");
        expect(envNames(podOf(find(objects, "Deployment", "frontend")).containers[0])).not.toContain("DATABASE_PASSWORD");
    });

    it("MongoDB as a 3-member Percona replica set on 20Gi volumes, backed up off-cluster with the oplog, reaching only the backend", () => {
        expect(has(objects, "StatefulSet", "mongo")).toBe(false);
        const mongodb = find(objects, "PerconaServerMongoDB", "mongodb");
        expect(mongodb.spec.image).toMatch(/^docker\.io\/percona\/percona-server-mongodb:7\.0\./);
        expect(mongodb.spec.replsets[0]).toMatchObject({ size: 3, volumeSpec: { persistentVolumeClaim: { resources: { requests: { storage: "20Gi" } } } } });
        expect(mongodb.spec.backup).toMatchObject({ enabled: true, pitr: { enabled: true } });
        expect(mongodb.spec.backup.storages.offsite.s3.endpointUrl).toMatch(/^https:\/\/.*your-objectstorage\.com$/);
        expect(envNames(podOf(find(objects, "Deployment", "backend")).containers[0])).toEqual(expect.arrayContaining(["MONGODB_URI", "MONGODB_PASSWORD"]));
        expect(envNames(podOf(find(objects, "Deployment", "frontend")).containers[0])).not.toContain("MONGODB_URI");
    });
});

describe("nodezero (seed: nodezero-ARCHITECTURE)", () => {
    const { objects } = example("fsn1", "nodezero");

    it("a public web app with PostgreSQL on 100Gi and a bucket", () => {
        expect(find(objects, "Ingress", "web").spec.rules.map((r: any) => r.host)).toEqual(["web.nodezero.fsn1.platform.example.com"]);
        // A CloudNativePG Cluster: the operator creates the pods and their 100Gi claims.
        const database = find(objects, "Cluster", "database");
        expect(database.spec.imageName).toMatch(/postgresql/);
        expect(database.spec.storage.size).toBe("100Gi");
        expect(envNames(podOf(find(objects, "Deployment", "web")).containers[0])).toEqual(expect.arrayContaining(["DATABASE_HOST", "S3_BUCKET"]));
    });
});

describe("paas-app (seed: paas-ARCHITECTURE-v0)", () => {
    const { objects } = example("dev", "paas-app");

    it("untrusted code in the gVisor sandbox with a 5Gi volume and a database", () => {
        const files = find(objects, "StatefulSet", "files");
        expect(podOf(files).runtimeClassName).toBe("gvisor");
        expect(claims(files)).toEqual({ data: "5Gi" });
        const app = find(objects, "Rollout", "app");
        expect(podOf(app).runtimeClassName).toBe("gvisor");
        expect(envNames(podOf(app).containers[0])).toContain("DATABASE_HOST");
        expect(has(objects, "Cluster", "database")).toBe(true);
        expect(has(objects, "Ingress", "app")).toBe(true);
    });

    it("releases app blue/green: a Rollout instead of a Deployment, its preview Service, the platform's analysis", () => {
        expect(has(objects, "Deployment", "app")).toBe(false);
        const app = find(objects, "Rollout", "app");
        expect(app.spec.strategy.blueGreen).toMatchObject({ activeService: "app", previewService: "app-preview", autoPromotionEnabled: true, scaleDownDelaySeconds: 600 });
        expect(app.spec.strategy.blueGreen.prePromotionAnalysis.templates).toEqual([{ templateName: "platform-readiness", clusterScope: true }]);
        expect(app.spec.strategy.blueGreen.postPromotionAnalysis.templates).toEqual([{ templateName: "platform-error-rate", clusterScope: true }]);
        expect(find(objects, "Service", "app-preview").spec.selector).toEqual(find(objects, "Service", "app").spec.selector);
    });
});
