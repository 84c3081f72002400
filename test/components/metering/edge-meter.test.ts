import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EDGE_METER, EDGE_METER_METRICS, EDGE_METER_START, NODE_METER_VERSION, edgeMeterFiles, NODE_EXPORTER_TEXTFILE_ARG, renderEdgeMeterNft, renderEdgeMeterScript, renderEdgeMeterUnits } from "../../../components/metering/edge-meter";
import { NODE_EXPORTER_EXTRA_ARGS, renderKubePrometheusStackValues } from "../../../components/observability/values";
import type { TcpRoute, UdpRoute } from "../../../components/project/routes";
import { everyExample } from "../project/fixtures";
import { inNetworkNamespace, nftCheck, shellcheck } from "../../helpers/tools";
import { stackConfig } from "../../helpers/config";
import { clusterEgressExcept } from "../../../lib/network-rules";

/** The node meter's files as rendered; its counting is proven in a kernel by edge-meter.kernel.test.ts. */

const meter = (edge: boolean, clusterCidr = "10.42.0.0/16", serviceCidr = "10.43.0.0/16") => ({ clusterCidr, serviceCidr, edge });

describe("node meter files", () => {
    it("are rulesets nft accepts, counting towards local pods on edge nodes only and to the internet on every node", () => {
        const edge = renderEdgeMeterNft(meter(true));
        const other = renderEdgeMeterNft(meter(false));
        for (const ruleset of [edge, other]) {
            const result = nftCheck(ruleset);
            expect(result.ok, result.output).toBe(true);
            expect(ruleset).not.toMatch(/flush ruleset$/m);
            expect(ruleset).toContain(`update @${EDGE_METER.externalSet} { ip saddr }`);
        }
        expect(edge).toContain(`ip saddr 10.42.0.0/16 ip daddr 10.42.0.0/16 oifname != "flannel.1" update @${EDGE_METER.edgeSet}`);
        expect(other).not.toContain(EDGE_METER.edgeSet);
    });

    it("exclude cluster ranges outside the private ranges from the internet, without overlapping interval elements", () => {
        const ruleset = renderEdgeMeterNft(meter(false, "100.96.0.0/16", "198.18.0.0/16"));
        const result = nftCheck(ruleset);
        expect(result.ok, result.output).toBe(true);
        // 100.96.0.0/16 is inside the tailnet's 100.64.0.0/10 (already excluded); 198.18.0.0/16 is not private.
        expect(ruleset).toMatch(/ip daddr != \{[^}]*198\.18\.0\.0\/16 \}/);
        expect(ruleset).not.toMatch(/ip daddr != \{[^}]*100\.96\.0\.0\/16/);
    });

    it("count as internet exactly what the tenant internet egress rule lets out (0.0.0.0/8 is never a destination)", () => {
        const cluster = { clusterCidr: "10.42.0.0/16", serviceCidr: "198.18.0.0/16" };
        const ruleset = renderEdgeMeterNft({ ...cluster, edge: false });
        expect(nftCheck(ruleset).ok).toBe(true);
        const excluded = /ip daddr != \{ ([^}]*) \}/.exec(ruleset)?.[1]?.split(", ");
        expect(excluded).toEqual([...clusterEgressExcept(cluster)]);
        // Written out: RFC 6890 / IANA special-purpose ranges that are no internet destination, then the service range.
        expect(excluded).toEqual(["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "198.18.0.0/16"]);
    });

    it("reject a CIDR that is not IPv4, naming the config key", () => {
        for (const bad of ["fd00::/108", "10.43.0.0", "10.43.0.300/16", "10.43.0.0/33", " 10.43.0.0/16", "10.43.0.0/016"]) {
            expect(() => renderEdgeMeterNft(meter(true, "10.42.0.0/16", bad))).toThrow(/platform:cluster\.serviceCidr/);
            expect(() => renderEdgeMeterNft(meter(true, bad))).toThrow(/platform:cluster\.clusterCidr/);
        }
    });

    it("reload in place and stop by deleting only the meter's table", () => {
        const result = inNetworkNamespace(
            ["nft add table inet platform", "nft -f meter.nft", "nft -f meter.nft", "nft list tables", "echo ---", "nft delete table inet platform_metering", "nft list tables"].join("\n"),
            { "meter.nft": renderEdgeMeterNft(meter(true)) },
        );
        expect(result.ok, result.output).toBe(true);
        const [loaded, stopped] = result.output.split("---");
        expect(loaded).toContain("table inet platform_metering");
        expect(stopped).toContain("table inet platform");
        expect(stopped).not.toContain("platform_metering");
    });

    it("export with a script shellcheck accepts", () => {
        const result = shellcheck(renderEdgeMeterScript());
        expect(result.ok, result.output).toBe(true);
    });

    it("load the table at boot and export on a timer", () => {
        const units = renderEdgeMeterUnits();
        expect(units.rules).toContain(`ExecStart=/usr/sbin/nft -f ${EDGE_METER.nftFile}`);
        expect(units.rules).toContain(`ExecStop=/usr/sbin/nft delete table ${EDGE_METER.table}`);
        expect(units.rules).toMatch(/^Before=network-pre\.target/m);
        expect(units.export).toContain(`ExecStart=${EDGE_METER.script}`);
        expect(units.timer).toContain(`OnUnitActiveSec=${EDGE_METER.exportIntervalSeconds}s`);
        expect(edgeMeterFiles(meter(false)).map((f) => f.path)).toEqual([EDGE_METER.nftFile, EDGE_METER.script, EDGE_METER.rulesUnit, EDGE_METER.exportUnit, EDGE_METER.exportTimer, EDGE_METER.addressesPath]);
    });

    it("note when the table was loaded, and export as soon as a pod sandbox's CNI result appears, however often", () => {
        const units = renderEdgeMeterUnits();
        // systemd expands %% to a single %: date +%s.
        expect(units.rules).toContain(`ExecStartPost=/bin/sh -c 'date +%%s >${EDGE_METER.loadedFile}'`);
        expect(units.addresses).toContain(`PathChanged=${EDGE_METER.cniResultsDir}\nUnit=platform-edge-meter.service`);
        expect(units.export).toMatch(/^StartLimitIntervalSec=0$/m);
        expect(EDGE_METER_START.flat()).toContain("platform-edge-meter.path");
    });
});

describe("node meter exporter, with nft replaced by a fixed table", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-node-meter-"));
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    // `nft -j list table` of a run node: one internet element (libnftables-json).
    const table = { nftables: [{ set: { family: "inet", name: EDGE_METER.externalSet, table: "platform_metering", elem: [{ elem: { val: "10.42.1.5", counter: { packets: 3, bytes: 1000 } } }] } }] };
    fs.writeFileSync(path.join(bin, "nft"), `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(table)}\nJSON\n`, { mode: 0o755 });
    const script = path.join(root, "export.sh");
    fs.writeFileSync(script, renderEdgeMeterScript());
    const results = path.join(root, "results");
    fs.mkdirSync(results);
    // libcni cachedInfo as containerd's CRI leaves it per sandbox (containernetworking/cni libcni/api.go).
    const sandbox = (id: string, namespace: string, pod: string, ip: string, ifName = "eth0") =>
        fs.writeFileSync(
            path.join(results, `cbr0-${id}-${ifName}`),
            JSON.stringify({ kind: "cniCacheV1", containerId: id, ifName, networkName: "cbr0", cniArgs: [["IgnoreUnknown", "1"], ["K8S_POD_NAMESPACE", namespace], ["K8S_POD_NAME", pod], ["K8S_POD_INFRA_CONTAINER_ID", id]], result: { cniVersion: "1.0.0", ips: [{ address: `${ip}/24` }] } }),
        );
    const run = () => {
        const result = spawnSync("bash", [script], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, TEXTFILE_DIR: path.join(root, "textfile"), CNI_RESULTS_DIR: results, STATE_DIR: path.join(root, "state"), LOADED_FILE: path.join(root, "loaded") },
        });
        expect(result.status, result.stderr).toBe(0);
        const text = fs.readFileSync(path.join(root, "textfile", EDGE_METER.textfile), "utf8");
        return text.split("\n").filter((l) => l.startsWith(`${EDGE_METER_METRICS.podAddress}{`));
    };
    const address = (ip: string, namespace: string, pod: string) => `${EDGE_METER_METRICS.podAddress}{source_ip="${ip}",namespace="${namespace}",pod="${pod}"} 1`;

    it("keeps the pod of an address after its sandbox is gone, lets a newer sandbox take the address, and forgets it after an hour", () => {
        sandbox("aaa", "shop", "burst-x1", "10.42.1.5");
        // The loopback attachment is not the pod's address.
        sandbox("aaa", "shop", "burst-x1", "127.0.0.1", "lo");
        expect(run()).toEqual([address("10.42.1.5", "shop", "burst-x1")]);
        // The pod lived 20 s: its sandbox and CNI result are gone at the next export, its bytes may not be scraped yet.
        fs.rmSync(path.join(results, "cbr0-aaa-eth0"));
        expect(run()).toEqual([address("10.42.1.5", "shop", "burst-x1")]);
        // The address goes to a pod of another project: the newest sandbox wins.
        sandbox("bbb", "blog", "web-0", "10.42.1.5");
        expect(run()).toEqual([address("10.42.1.5", "blog", "web-0")]);
        fs.rmSync(path.join(results, "cbr0-bbb-eth0"));
        // Remembered an hour and a second ago: forgotten.
        const stale = Math.floor(Date.now() / 1000) - EDGE_METER.addressRetentionSeconds - 1;
        fs.writeFileSync(path.join(root, "state", "addresses"), `10.42.1.5 blog web-0 ${stale}\n`);
        expect(run()).toEqual([]);
    });

    it("reports the meter's version, whether the edge set is loaded, and the table's load time", () => {
        fs.writeFileSync(path.join(root, "loaded"), "1700000000\n");
        run();
        const text = fs.readFileSync(path.join(root, "textfile", EDGE_METER.textfile), "utf8");
        expect(text).toContain(`${EDGE_METER_METRICS.info}{version="${NODE_METER_VERSION}",edge="false"} 1\n`);
        expect(text).toContain(`${EDGE_METER_METRICS.loaded} 1700000000\n`);
        expect(text).toContain(`${EDGE_METER_METRICS.externalBytes}{source_ip="10.42.1.5"} 1000\n`);
    });
});

describe("what the node meter relies on", () => {
    const config = stackConfig("fsn1");

    it("node-exporter reads its textfile directory through the chart's host-root mount, keeping the chart's own arguments", () => {
        const values = renderKubePrometheusStackValues(config) as { "prometheus-node-exporter": { extraArgs: string[]; hostRootFsMount?: { enabled: boolean } } };
        const args = values["prometheus-node-exporter"].extraArgs;
        expect(args).toEqual(NODE_EXPORTER_EXTRA_ARGS);
        expect(args).toContain(`--collector.textfile.directory=/host/root${EDGE_METER.textfileDir}`);
        expect(NODE_EXPORTER_TEXTFILE_ARG).toBe(`--collector.textfile.directory=/host/root${EDGE_METER.textfileDir}`);
        expect(args.filter((a) => a.startsWith("--collector.filesystem."))).toHaveLength(2);
        expect(values["prometheus-node-exporter"].hostRootFsMount?.enabled ?? true).toBe(true);
    });

    it("every TCP/UDP and passthrough route of the shipped tenants dials its Service's ClusterIP (nativeLB)", () => {
        const routes = everyExample().flatMap((e) => e.objects.filter((o) => o.kind === "IngressRouteTCP" || o.kind === "IngressRouteUDP")) as unknown as Array<TcpRoute | UdpRoute>;
        // chain-nodes' P2P ports (TCP and UDP) and caracal's passthrough gateway at least.
        expect(new Set(routes.map((r) => r.kind))).toEqual(new Set(["IngressRouteTCP", "IngressRouteUDP"]));
        expect(routes.some((r) => r.kind === "IngressRouteTCP" && r.spec.tls?.passthrough === true)).toBe(true);
        for (const route of routes) {
            for (const r of route.spec.routes) {
                for (const service of r.services ?? []) {
                    expect(service, `${route.kind} ${route.metadata?.namespace}/${route.metadata?.name}`).toMatchObject({ nativeLB: true });
                }
            }
        }
    });
});
