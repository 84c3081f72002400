import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
    EDGE_ADVERTISEMENT,
    FLOATING_IP_POOL,
    floatingIpService,
    metallbWorkloads,
    renderAddressPool,
    renderL2Advertisement,
    renderMetallbValues,
} from "../../../components/metallb/values";
import { floatingIpBindings, renderBindings, renderFailoverObjects, renderFailoverScript, renderFailoverTokenSecret } from "../../../components/metallb/failover";
import { validateObject } from "../../helpers/k8s-schema";
import { shellcheck } from "../../helpers/tools";
import { configWith, shippedConfig } from "../../charts/fixtures";

/**
 * MetalLB's custom resources have no `@kubernetes-models` package, so `validateObject` reports them as
 * `no-schema` (asserted below, never silently passed). Their fields are instead checked against the spec
 * fields of the metallb.io/v1beta1 CRDs shipped by chart 0.16.1 (IPAddressPool: addresses, autoAssign,
 * avoidBuggyIPs, serviceAllocation{namespaces, namespaceSelectors, priority, serviceSelectors};
 * L2Advertisement: ipAddressPools, ipAddressPoolSelectors, nodeSelectors, interfaces).
 */
const POOL_FIELDS = ["addresses", "autoAssign", "avoidBuggyIPs", "serviceAllocation"];
const ALLOCATION_FIELDS = ["namespaces", "namespaceSelectors", "priority", "serviceSelectors"];
const L2_FIELDS = ["ipAddressPools", "ipAddressPoolSelectors", "nodeSelectors", "interfaces"];

describe("address pool and L2 advertisement", () => {
    it("puts every floating IP in the pool as a /32, not auto-assigned, for the Traefik namespace only", () => {
        const pool = renderAddressPool(["198.51.100.7", "198.51.100.8"]);
        expect(pool.metadata).toMatchObject({ name: FLOATING_IP_POOL, namespace: "metallb-system" });
        expect(pool.spec.addresses).toEqual(["198.51.100.7/32", "198.51.100.8/32"]);
        expect(pool.spec.autoAssign).toBe(false);
        expect(pool.spec.serviceAllocation.namespaces).toEqual(["traefik"]);
        expect(Object.keys(pool.spec).every((k) => POOL_FIELDS.includes(k))).toBe(true);
        expect(Object.keys(pool.spec.serviceAllocation).every((k) => ALLOCATION_FIELDS.includes(k))).toBe(true);
    });

    it("refuses an empty pool and anything that is not an IPv4 address", () => {
        expect(() => renderAddressPool([])).toThrow(/at least one/);
        expect(() => renderAddressPool(["198.51.100.300"])).toThrow(/IPv4/);
        expect(() => renderAddressPool(["198.51.100.7/32"])).toThrow(/IPv4/);
    });

    it("announces the pool from edge nodes only", () => {
        const l2 = renderL2Advertisement();
        expect(l2.metadata.name).toBe(EDGE_ADVERTISEMENT);
        expect(l2.spec).toEqual({ ipAddressPools: [FLOATING_IP_POOL], nodeSelectors: [{ matchLabels: { "platform/pool": "edge" } }] });
        expect(Object.keys(l2.spec).every((k) => L2_FIELDS.includes(k))).toBe(true);
    });

    it("reports both kinds as no-schema (no package describes them)", () => {
        expect(validateObject(renderAddressPool(["198.51.100.7"])).status).toBe("no-schema");
        expect(validateObject(renderL2Advertisement()).status).toBe("no-schema");
    });
});

describe("MetalLB values", () => {
    it("runs the speaker on edge nodes only, tolerating the edge taint, layer 2 without BGP backends", () => {
        const values = renderMetallbValues(shippedConfig("dev")) as any;
        expect(values.speaker.nodeSelector).toEqual({ "platform/pool": "edge" });
        expect(values.speaker.tolerations).toEqual([{ key: "pool", operator: "Equal", value: "edge", effect: "NoSchedule" }]);
        expect(values.speaker.memberlist.enabled).toBe(true);
        expect(values.speaker.frr.enabled).toBe(false);
        expect(values.frrk8s.enabled).toBe(false);
        expect(values.crds.enabled).toBe(true);
    });

    it("adds no edge toleration when the edge pool is not dedicated", () => {
        const config = configWith({ storageNodes: 1 });
        config.pools.find((p) => p.role === "edge")!.dedicated = false;
        expect((renderMetallbValues(config) as any).speaker.tolerations).toEqual([]);
    });

    it("counts one speaker per edge node", () => {
        expect(metallbWorkloads(configWith({ storageNodes: 3, edgeNodes: 3 })).find((w) => w.workload === "metallb-speaker")!.pods).toBe(3);
    });
});

describe("floating IP failover", () => {
    it("binds IP i to Traefik entry Service i", () => {
        const bindings = floatingIpBindings(["11", "12"], ["198.51.100.7", "198.51.100.8"]);
        expect(bindings).toEqual([
            { id: "11", address: "198.51.100.7", serviceNamespace: "traefik", serviceName: "traefik" },
            { id: "12", address: "198.51.100.8", serviceNamespace: "traefik", serviceName: floatingIpService(1).name },
        ]);
        expect(renderBindings(bindings)).toBe("11 198.51.100.7 traefik traefik\n12 198.51.100.8 traefik traefik-fip1\n");
        expect(() => floatingIpBindings(["11"], ["198.51.100.7", "198.51.100.8"])).toThrow(/2 addresses/);
        expect(() => floatingIpBindings(["x"], ["198.51.100.7"])).toThrow(/numeric/);
    });

    it("is a shellcheck-clean script that follows MetalLB's ServiceL2Status and assigns through the hcloud API", () => {
        const script = renderFailoverScript();
        const result = shellcheck(script);
        expect(result.ok, result.output).toBe(true);
        expect(script).toContain("servicel2statuses.metallb.io");
        expect(script).toContain("metallb.io/service-name=$2");
        expect(script).toContain("/actions/assign");
        expect(script).not.toMatch(/HCLOUD_TOKEN=|Bearer [A-Za-z0-9]{8}/);
    });

    it("never puts the hcloud token on a command line: curl gets the header on stdin, the token from the Secret file", () => {
        // The loop's own hcloud_api function, run with a curl that records its argv and stdin.
        const script = renderFailoverScript();
        const fn = /^hcloud_api\(\) \{\n[\s\S]*?^\}\n/m.exec(script)?.[0];
        expect(fn).toBeDefined();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-token-"));
        try {
            fs.writeFileSync(path.join(dir, "token"), "hcloud-secret-token-0123456789");
            fs.writeFileSync(path.join(dir, "curl"), '#!/usr/bin/env bash\nprintf "%s\\n" "$*" > "$DIR/argv"\ncat > "$DIR/stdin"\n', { mode: 0o755 });
            const run = spawnSync("bash", ["-c", `${fn}\nTOKEN_FILE="$DIR/token"\nhcloud_api https://api.hetzner.cloud/v1/servers`], {
                env: { ...process.env, DIR: dir, PATH: `${dir}:${process.env.PATH}` },
                encoding: "utf8",
            });
            expect(run.status, run.stderr).toBe(0);
            const argv = fs.readFileSync(path.join(dir, "argv"), "utf8");
            expect(argv).toContain("--config -");
            expect(argv).toContain("https://api.hetzner.cloud/v1/servers");
            expect(argv).not.toContain("hcloud-secret-token");
            expect(fs.readFileSync(path.join(dir, "stdin"), "utf8")).toBe('header = "Authorization: Bearer hcloud-secret-token-0123456789"\n');
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("mounts the token Secret as a file readable by the pod's user and passes no token in the environment", () => {
        const pod = renderFailoverObjects("11 198.51.100.7 traefik traefik\n").deployment.spec!.template.spec as any;
        const container = pod.containers[0];
        expect((container.env ?? []).map((e: any) => e.name)).not.toContain("HCLOUD_TOKEN");
        expect(container.env?.some((e: any) => e.valueFrom?.secretKeyRef)).toBe(false);
        expect(container.volumeMounts).toContainEqual({ name: "hcloud-token", mountPath: "/secrets/hcloud", readOnly: true });
        expect(pod.volumes).toContainEqual({ name: "hcloud-token", secret: { secretName: "floating-ip-failover-hcloud", defaultMode: 0o440 } });
        expect(pod.securityContext.fsGroup).toBe(65534);
    });

    it("renders schema-valid objects: read-only RBAC, token from a Secret, restricted pod off the edge pool", () => {
        const objects = renderFailoverObjects("1 198.51.100.7 traefik traefik\n");
        for (const object of [...Object.values(objects), renderFailoverTokenSecret()]) {
            expect(validateObject(object), `${object.kind}`).toMatchObject({ status: "valid" });
        }
        expect(objects.role.rules).toEqual([{ apiGroups: ["metallb.io"], resources: ["servicel2statuses"], verbs: ["get", "list", "watch"] }]);
        const pod = objects.deployment.spec!.template.spec!;
        const container = pod.containers[0]!;
        expect(container.volumeMounts).toContainEqual({ name: "hcloud-token", mountPath: "/secrets/hcloud", readOnly: true });
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(container.resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } });
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(JSON.stringify(pod.affinity)).toContain('"operator":"NotIn","values":["edge"]');
        expect(pod.tolerations).toContainEqual({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 });
        expect(objects.deployment.spec!.replicas).toBe(1);
        expect(objects.deployment.spec!.strategy).toEqual({ type: "Recreate" });
        expect(objects.configMap.data!.bindings).toBe("1 198.51.100.7 traefik traefik\n");
    });
});
