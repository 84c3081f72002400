import { describe, expect, it } from "vitest";
import { EDGE_METER, edgeMeterFiles, NODE_EXPORTER_TEXTFILE_ARG, renderEdgeMeterNft, renderEdgeMeterScript, renderEdgeMeterUnits } from "../../../components/metering/edge-meter";
import { NODE_EXPORTER_EXTRA_ARGS, renderKubePrometheusStackValues } from "../../../components/observability/values";
import type { TcpRoute, UdpRoute } from "../../../components/project/routes";
import { everyExample } from "../project/fixtures";
import { inNetworkNamespace, nftCheck, shellcheck } from "../../helpers/tools";
import { stackConfig } from "../../helpers/config";

/** The edge meter's files as rendered; its counting is proven in a kernel by edge-meter.kernel.test.ts. */

describe("edge meter files", () => {
    it("are a ruleset nft accepts, for the configured service CIDR only", () => {
        const ruleset = renderEdgeMeterNft("10.96.0.0/12");
        const result = nftCheck(ruleset);
        expect(result.ok, result.output).toBe(true);
        expect(ruleset).toContain("ct original ip daddr 10.96.0.0/12 update");
        expect(ruleset).not.toMatch(/flush ruleset$/m);
    });

    it("reject a service CIDR that is not IPv4, naming the config key", () => {
        for (const bad of ["fd00::/108", "10.43.0.0", "10.43.0.300/16", "10.43.0.0/33"]) {
            expect(() => renderEdgeMeterNft(bad)).toThrow(/platform:cluster\.serviceCidr/);
        }
    });

    it("reload in place and stop by deleting only the meter's table", () => {
        const result = inNetworkNamespace(
            ["nft add table inet platform", "nft -f meter.nft", "nft -f meter.nft", "nft list tables", "echo ---", "nft delete table inet platform_metering", "nft list tables"].join("\n"),
            { "meter.nft": renderEdgeMeterNft("10.43.0.0/16") },
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
        expect(edgeMeterFiles("10.43.0.0/16").map((f) => f.path)).toEqual([EDGE_METER.nftFile, EDGE_METER.script, EDGE_METER.rulesUnit, EDGE_METER.exportUnit, EDGE_METER.exportTimer]);
    });
});

describe("what the edge meter relies on", () => {
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
