import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EDGE_METER, EDGE_METER_METRICS, renderEdgeMeterNft, renderEdgeMeterScript } from "../../../components/metering/edge-meter";
import { networkNamespacePrefix } from "../../helpers/tools";

/**
 * The edge meter in a real kernel: the rendered nftables table is loaded into a network namespace that
 * plays the edge node (`unshare -rn`, no host changes), with a "Traefik" pod and a backend pod in two more
 * and a DNAT rule standing in for kube-proxy's ClusterIP. Then the rendered exporter writes the textfile
 * node-exporter would serve, and promtool lints it. Needs a fresh network namespace (test/helpers/tools.ts
 * networkNamespacePrefix), nft, jq, iproute2 and python3; a missing one fails the test with its name.
 */

const FIXTURES = path.join(__dirname, "fixtures");
const TCP_REPLY = 100_000;
const UDP_REPLY = 1_200;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-edge-meter-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(): { log: string; textfile: string } {
    const nftFile = path.join(dir, "meter.nft");
    const exporter = path.join(dir, "exporter.sh");
    fs.writeFileSync(nftFile, renderEdgeMeterNft("10.43.0.0/16"));
    fs.writeFileSync(exporter, renderEdgeMeterScript());
    for (const tool of ["nft", "jq", "ip", "nsenter", "unshare", "python3"]) {
        const found = spawnSync("sh", ["-c", `command -v ${tool}`]);
        if (found.status !== 0) {
            throw new Error(`${tool} is not installed (apt-get install -y nftables jq iproute2 util-linux python3)`);
        }
    }
    const [command, ...prefix] = networkNamespacePrefix();
    const result = spawnSync(command!, [...prefix, "bash", path.join(FIXTURES, "edge-meter-topology.sh"), nftFile, exporter, dir, path.join(FIXTURES, "edge-meter-peer.py")], {
        encoding: "utf8",
        timeout: 60_000,
        env: { ...process.env, TCP_REPLY: String(TCP_REPLY), UDP_REPLY: String(UDP_REPLY) },
    });
    const log = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) {
        throw new Error(`edge meter topology failed (${result.status ?? result.signal}):\n${log}`);
    }
    return { log, textfile: fs.readFileSync(path.join(dir, EDGE_METER.textfile), "utf8") };
}

describe("edge meter in a kernel network namespace", () => {
    const { log, textfile } = run();
    const samples = textfile
        .split("\n")
        .filter((line) => line.startsWith(EDGE_METER_METRICS.replyBytes))
        .map((line) => {
            const m = /^\S+\{source_ip="([^"]+)",service_ip="([^"]+)"\} (\d+)$/.exec(line);
            if (!m) {
                throw new Error(`unexpected exporter line: ${line}`);
            }
            return { source: m[1], service: m[2], bytes: Number(m[3]) };
        });

    it("moved the traffic it is about to meter", () => {
        expect(log).toContain(`service tcp ${TCP_REPLY}`);
        expect(log).toContain(`service udp ${UDP_REPLY}`);
        expect(log).toContain(`pod tcp ${TCP_REPLY}`);
    });

    it("counts the replies of TCP and UDP dialled to the ClusterIP, IP headers included, under (pod, ClusterIP), and nothing dialled to a pod IP", () => {
        expect(samples.map((s) => [s.source, s.service])).toEqual([["10.42.1.2", "10.43.0.10"]]);
        const payload = TCP_REPLY + UDP_REPLY;
        expect(samples[0]!.bytes).toBeGreaterThan(payload);
        // Headers of a few dozen packets (the veth offloads segment large writes), never a second copy.
        expect(samples[0]!.bytes).toBeLessThan(payload * 1.05);
    });

    it("writes a textfile promtool accepts, with the heartbeat", () => {
        expect(textfile).toMatch(new RegExp(`^${EDGE_METER_METRICS.lastExport} \\d{10}$`, "m"));
        const lint = spawnSync("promtool", ["check", "metrics"], { input: textfile, encoding: "utf8" });
        expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    });
});
