import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EDGE_METER, EDGE_METER_METRICS, NODE_METER_VERSION, renderEdgeMeterNft, renderEdgeMeterScript } from "../../../components/metering/edge-meter";
import { networkNamespacePrefix } from "../../helpers/tools";

/**
 * The node meter in a real kernel: the rendered nftables table (edge variant) is loaded into a network
 * namespace that plays an edge node (`unshare -rn`, no host changes), with a "Traefik" pod, a backend pod, a
 * remote node behind a device named like flannel's VXLAN one and an "internet" in more namespaces, and a DNAT
 * rule standing in for kube-proxy's ClusterIP. Then the rendered exporter writes the textfile node-exporter
 * would serve, and promtool lints it. Needs a fresh network namespace (test/helpers/tools.ts
 * networkNamespacePrefix), nft, jq, iproute2 and python3; a missing one fails the test with its name.
 */

const FIXTURES = path.join(__dirname, "fixtures");
const TCP_REPLY = 100_000;
const UDP_REPLY = 1_200;
const INTERNET_BYTES = 3_000;
const TRAEFIK = "10.42.1.2";
const BACKEND = "10.42.2.2";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-edge-meter-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(): { log: string; textfile: string } {
    const nftFile = path.join(dir, "meter.nft");
    const exporter = path.join(dir, "exporter.sh");
    fs.writeFileSync(nftFile, renderEdgeMeterNft({ clusterCidr: "10.42.0.0/16", serviceCidr: "10.43.0.0/16", edge: true }));
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
        env: { ...process.env, TCP_REPLY: String(TCP_REPLY), UDP_REPLY: String(UDP_REPLY), INTERNET_BYTES: String(INTERNET_BYTES) },
    });
    const log = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) {
        throw new Error(`node meter topology failed (${result.status ?? result.signal}):\n${log}`);
    }
    return { log, textfile: fs.readFileSync(path.join(dir, EDGE_METER.textfile), "utf8") };
}

/** The samples of one metric in the textfile, by their label text. */
function samplesOf(textfile: string, metric: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const line of textfile.split("\n").filter((l) => l.startsWith(`${metric}{`))) {
        const m = /^\S+?(\{[^}]*\}) (\d+)$/.exec(line);
        if (!m) {
            throw new Error(`unexpected exporter line: ${line}`);
        }
        out.set(m[1]!, Number(m[2]));
    }
    return out;
}

describe("node meter in a kernel network namespace (edge node)", () => {
    const { log, textfile } = run();
    const pairs = samplesOf(textfile, EDGE_METER_METRICS.edgePodBytes);
    const external = samplesOf(textfile, EDGE_METER_METRICS.externalBytes);
    const pair = (source: string, destination: string) => `{source_ip="${source}",destination_ip="${destination}"}`;

    it("moved the traffic it is about to meter", () => {
        expect(log).toContain(`service tcp ${TCP_REPLY}`);
        expect(log).toContain(`service udp ${UDP_REPLY}`);
        expect(log).toContain(`pod tcp ${TCP_REPLY}`);
        for (const to of ["internet", "private", "remote"]) {
            expect(log).toContain(`${to} udp ${INTERNET_BYTES}`);
        }
    });

    it("counts every byte the backend sent Traefik, through the ClusterIP (TCP, UDP) and by pod IP alike, under (backend, Traefik)", () => {
        expect([...pairs.keys()].sort()).toEqual([pair(BACKEND, TRAEFIK), pair(TRAEFIK, BACKEND)].sort());
        const payload = 2 * TCP_REPLY + UDP_REPLY;
        const replies = pairs.get(pair(BACKEND, TRAEFIK))!;
        expect(replies).toBeGreaterThan(payload);
        // Headers of a few dozen packets (the veth offloads segment large writes), never a second copy.
        expect(replies).toBeLessThan(payload * 1.05);
        // Traefik's requests the other way: a few hundred bytes, which the rules drop (destination not Traefik).
        expect(pairs.get(pair(TRAEFIK, BACKEND))!).toBeLessThan(2_000);
    });

    it("counts bytes to an internet address under the sending pod, and nothing to private ranges or into the VXLAN device", () => {
        expect([...external.keys()]).toEqual([`{source_ip="${BACKEND}"}`]);
        const sent = external.get(`{source_ip="${BACKEND}"}`)!;
        // Three datagrams of 1000 bytes with their 28 bytes of IP and UDP headers: the private and remote copies are not here.
        expect(sent).toBe(INTERNET_BYTES + 3 * 28);
    });

    it("writes a textfile promtool accepts, with the heartbeat, the meter's version and load time, and the pod of each address", () => {
        expect(textfile).toMatch(new RegExp(`^${EDGE_METER_METRICS.lastExport} \\d{10}$`, "m"));
        expect(textfile).toContain(`${EDGE_METER_METRICS.info}{version="${NODE_METER_VERSION}",edge="true"} 1\n`);
        expect(textfile).toContain(`${EDGE_METER_METRICS.loaded} 1700000000\n`);
        expect([...samplesOf(textfile, EDGE_METER_METRICS.podAddress)]).toEqual([[`{source_ip="${BACKEND}",namespace="shop",pod="api-0"}`, 1]]);
        const lint = spawnSync("promtool", ["check", "metrics"], { input: textfile, encoding: "utf8" });
        expect(lint.status, `${lint.stdout}${lint.stderr}`).toBe(0);
    });
});
