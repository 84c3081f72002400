import * as net from "node:net";
import { describe, expect, it } from "vitest";
import { COREDNS_REGISTRY_KEY, mirrorEndpointHosts, renderCorednsCustom, renderRegistriesYaml } from "../../../components/registry/node-registries";
import { PLATFORM_REGISTRY } from "../../../lib/conventions";
import { registryClusterIp } from "../../../lib/registry";
import { corednsCustomFiles, corefileProblems, K3S_COREFILE, parseCorefile } from "../../helpers/corefile";
import { validateObject } from "../../helpers/k8s-schema";
import { stackPlatformConfig } from "../project/fixtures";

/**
 * How nodes and pods resolve the registry (components/registry/node-registries.ts): the CoreDNS customization must
 * load into k3s' packaged Corefile (a refused Corefile is a cluster-wide DNS outage at the next CoreDNS restart),
 * and the node side must need no name the host resolver lacks (Harbor's token realm follows the request's Host).
 */

const dev = stackPlatformConfig("dev");
const clusterIp = registryClusterIp(dev.cluster.serviceCidr);

/** Addresses the server block answering `name` lists for it in its inline `hosts` table. */
function answer(corefile: string, files: Record<string, string>, name: string): string[] {
    const fqdn = `${name}.`;
    const zoneOf = (key: string) => {
        const zone = key.replace(/:\d+$/, "");
        return zone === "." ? "." : zone.endsWith(".") ? zone : `${zone}.`;
    };
    const candidates = parseCorefile(corefile, files).blocks.flatMap((block) => block.keys.map((key) => ({ zone: zoneOf(key), block })));
    const serving = candidates.filter((c) => c.zone === "." || fqdn === c.zone || fqdn.endsWith(`.${c.zone}`)).sort((a, b) => b.zone.length - a.zone.length)[0];
    const table = Object.values(files).join("\n");
    const hosts = serving?.block.directives.some((d) => d.name === "hosts") ?? false;
    return hosts ? [...table.matchAll(new RegExp(`^\\s*(\\S+)\\s+${name.replace(/\./g, "\\.")}\\s*$`, "gm"))].map((m) => m[1]!) : [];
}

describe("the CoreDNS customization", () => {
    const custom = renderCorednsCustom(dev.cluster.serviceCidr);
    const files = corednsCustomFiles(custom.data!);

    it("loads into k3s' packaged Corefile: no plugin twice in a block, no listener twice", () => {
        expect(Object.keys(custom.data!)).toEqual([COREDNS_REGISTRY_KEY]);
        expect(corefileProblems(K3S_COREFILE, files)).toEqual([]);
        const valid = validateObject(custom);
        expect(valid.status, `${valid.id}: ${valid.error ?? ""}`).toBe("valid");
    });

    it("answers the registry's name with its ClusterIP from a server block of its own", () => {
        const blocks = parseCorefile(K3S_COREFILE, files).blocks;
        expect(blocks.map((b) => b.keys)).toEqual([[".:53"], [`${PLATFORM_REGISTRY.host}:53`]]);
        // k3s' own block is untouched: still exactly one hosts plugin (NodeHosts).
        expect(blocks[0]!.directives.filter((d) => d.name === "hosts").map((d) => d.args)).toEqual([["/etc/coredns/NodeHosts"]]);
        expect(answer(K3S_COREFILE, files, PLATFORM_REGISTRY.host)).toEqual([clusterIp]);
    });

    it("the check refuses what CoreDNS refuses (a second hosts in k3s' block, an unknown plugin, a zone served twice)", () => {
        const previousOverride = { "/etc/coredns/custom/registry.override": `hosts {\n  ${clusterIp} ${PLATFORM_REGISTRY.host}\n  fallthrough\n}\n` };
        expect(corefileProblems(K3S_COREFILE, previousOverride)).toEqual([".:53: plugin/hosts: this plugin can only be used once per Server Block"]);
        expect(corefileProblems(K3S_COREFILE, { "/etc/coredns/custom/x.override": "hostz {\n}\n" })).toEqual(['.:53: unknown directive "hostz"']);
        expect(corefileProblems(K3S_COREFILE, { ...files, "/etc/coredns/custom/y.server": `${PLATFORM_REGISTRY.host} {\n    errors\n}\n` })).toHaveLength(1);
        // Several templates in one block are fine (template's setup loops over its directives).
        expect(corefileProblems(K3S_COREFILE, { "/etc/coredns/custom/t.override": "template IN A a.example {\n  answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n}\ntemplate IN AAAA a.example {\n  rcode NOERROR\n}\n" })).toEqual([]);
    });
});

describe("nodes pull without resolving the registry's name", () => {
    it("sends containerd, and with it Harbor's token realm, to an IP literal", () => {
        const registries = renderRegistriesYaml(dev.cluster.serviceCidr);
        const hosts = mirrorEndpointHosts(registries);
        expect(Object.keys(hosts)).toEqual([PLATFORM_REGISTRY.host]);
        for (const host of hosts[PLATFORM_REGISTRY.host]!) {
            // Harbor answers with `Bearer realm="http://<this Host>/service/token"`: a name here would have to resolve on the host.
            expect(net.isIP(host), host).not.toBe(0);
            expect(host).toBe(clusterIp);
        }
    });
});
