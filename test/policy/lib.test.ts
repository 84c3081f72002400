import { describe, expect, it } from "vitest";
import { cidrTextContains, isWorldCidr, parseCidr, parsePortRange, rangeCovered } from "../../policy/lib/network";
import { parseImageReference, registryAllowed } from "../../policy/lib/images";
import { parseHuJson } from "../../policy/lib/tailscale";
import { matchesLabelSelector, parseAllowedPublicPorts } from "../../policy/lib/firewall";
import { argValue, hasServerOnlyKeys, readK3sConfig } from "../../policy/lib/k3s-config";
import { podSpecPathOf } from "../../policy/lib/pod-spec";
import { whenKnown } from "../../policy/lib/values";
import { forTypes } from "../../policy/lib/rule-helpers";
import { cloudConfig, k3sAgentConfig, k3sServerConfig } from "../helpers/policy-fixtures";

describe("network helpers", () => {
    it("parses both address families and compares containment", () => {
        expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, network: 10n << 24n, prefix: 8 });
        expect(parseCidr("2001:db8::1/32")?.prefix).toBe(32);
        expect(cidrTextContains("0.0.0.0/0", "169.254.169.254/32")).toBe(true);
        expect(cidrTextContains("169.254.0.0/16", "169.254.169.254")).toBe(true);
        expect(cidrTextContains("169.254.170.0/24", "169.254.169.254")).toBe(false);
        expect(cidrTextContains("::/0", "169.254.169.254/32")).toBe(false);
        expect(cidrTextContains("::ffff:0:0/96", "::ffff:169.254.169.254")).toBe(true);
        for (const bad of ["10.0.0.256/8", "10.0.0.0/33", "1::2::3", "10.0.0/8", "abc"]) expect(parseCidr(bad), bad).toBeUndefined();
        expect(isWorldCidr("::/0")).toBe(true);
        expect(isWorldCidr("0.0.0.0/1")).toBe(false);
    });

    it("parses firewall ports and covers ranges by a union of allowed ranges", () => {
        expect(parsePortRange("any")).toEqual({ from: 1, to: 65535 });
        expect(parsePortRange(undefined)).toEqual({ from: 1, to: 65535 });
        expect(parsePortRange(" 2379 - 2380 ")).toEqual({ from: 2379, to: 2380 });
        expect(parsePortRange("90-80")).toBeUndefined();
        expect(parsePortRange("ssh")).toBeUndefined();
        expect(rangeCovered({ from: 80, to: 82 }, [{ from: 81, to: 82 }, { from: 80, to: 80 }])).toBe(true);
        expect(rangeCovered({ from: 80, to: 83 }, [{ from: 80, to: 81 }, { from: 83, to: 83 }])).toBe(false);
    });

    it("parses allowedPublicPorts entries", () => {
        expect(parseAllowedPublicPorts([80, "8000-8010/tcp", "41641/udp", "esp"])).toEqual([
            { protocol: "tcp", range: { from: 80, to: 80 } },
            { protocol: "tcp", range: { from: 8000, to: 8010 } },
            { protocol: "udp", range: { from: 41641, to: 41641 } },
            { protocol: "esp" },
        ]);
        expect(() => parseAllowedPublicPorts(["any"])).toThrow(/cannot parse "any"/);
    });

    it("matches hcloud label selectors", () => {
        const labels = { "platform/pool": "run", "platform/role": "agent" };
        expect(matchesLabelSelector("platform/pool=run", labels)).toBe(true);
        expect(matchesLabelSelector("platform/pool==run,platform/role!=server", labels)).toBe(true);
        expect(matchesLabelSelector("platform/pool in (run, build)", labels)).toBe(true);
        expect(matchesLabelSelector("platform/pool notin (run)", labels)).toBe(false);
        expect(matchesLabelSelector("!platform/gpu", labels)).toBe(true);
        expect(matchesLabelSelector("", labels)).toBe(false);
    });
});

describe("image references", () => {
    it.each([
        ["nginx", { registry: "docker.io", repository: "library/nginx" }],
        ["nginx:1.27", { registry: "docker.io", repository: "library/nginx", tag: "1.27" }],
        ["index.docker.io/bitnami/redis:7", { registry: "docker.io", repository: "bitnami/redis", tag: "7" }],
        ["localhost:5000/app", { registry: "localhost:5000", repository: "app" }],
        ["ghcr.io/a/b/c:v1@sha256:" + "0".repeat(64), { registry: "ghcr.io", repository: "a/b/c", tag: "v1", digest: "sha256:" + "0".repeat(64) }],
    ])("parses %s", (image, expected) => {
        expect(parseImageReference(image)).toEqual(expected);
    });

    it("rejects malformed references", () => {
        for (const bad of ["", "a b", "ghcr.io/x@sha256:short", "ghcr.io/x:"]) expect(parseImageReference(bad), bad).toBeUndefined();
    });

    it("matches registries and path prefixes on whole segments", () => {
        const ref = parseImageReference("ghcr.io/acme/web:1")!;
        expect(registryAllowed(ref, ["ghcr.io"])).toBe(true);
        expect(registryAllowed(ref, ["ghcr.io/acme/"])).toBe(true);
        expect(registryAllowed(ref, ["ghcr.io/ac"])).toBe(false);
        expect(registryAllowed(parseImageReference("redis:7")!, ["index.docker.io"])).toBe(true);
    });
});

describe("HuJSON", () => {
    it("strips comments and trailing commas outside strings only", () => {
        expect(parseHuJson('{"a": "// x /* y */", /* c */ "b": [1, 2,], // d\n}')).toEqual({ a: "// x /* y */", b: [1, 2] });
        expect(parseHuJson('{"q": "say \\"hi\\", ]"}')).toEqual({ q: 'say "hi", ]' });
        expect(() => parseHuJson('{"a": 1 /* open')).toThrow("unterminated block comment");
    });
});

describe("k3s config reading", () => {
    it("tells servers from agents", () => {
        const role = (userData: string) => {
            const read = readK3sConfig(userData);
            return read.kind === "config" ? read.node.role : read.kind;
        };
        expect(role(cloudConfig(k3sServerConfig(), { role: "server" }))).toBe("server");
        expect(role(cloudConfig(k3sAgentConfig(), { role: "agent" }))).toBe("agent");
        expect(role(cloudConfig(k3sAgentConfig()))).toBe("server"); // no marker: judged as a server, so it is checked more
        expect(role(cloudConfig(k3sServerConfig(), { role: "agent" }))).toBe("server"); // cluster-init is server-only
        expect(role("#!/bin/sh\n")).toBe("none");
        expect(hasServerOnlyKeys(k3sServerConfig())).toBe(true);
        expect(hasServerOnlyKeys(k3sAgentConfig())).toBe(false);
    });

    it("merges drop-ins in lexical order, appending `key+` lists", () => {
        const read = readK3sConfig(
            cloudConfig(k3sAgentConfig(), {
                role: "agent",
                extraFiles: [
                    { path: "/etc/rancher/k3s/config.yaml.d/20-b.yaml", content: "node-label+: [b=2]\n" },
                    { path: "/etc/rancher/k3s/config.yaml.d/10-a.yaml", content: "node-label: [a=1]\n" },
                    { path: "/etc/rancher/k3s/config.yaml.d/README", content: "not yaml: [" },
                ],
            }),
        );
        expect(read.kind === "config" && read.node.config["node-label"]).toEqual(["a=1", "b=2"]);
        expect(read.kind === "config" && read.node.files).toEqual(["/etc/rancher/k3s/config.yaml", "/etc/rancher/k3s/config.yaml.d/10-a.yaml", "/etc/rancher/k3s/config.yaml.d/20-b.yaml"]);
    });

    it("reports an unknown write_files encoding as unreadable", () => {
        const userData = `#cloud-config\nwrite_files:\n  - path: /etc/rancher/k3s/config.yaml\n    encoding: rot13\n    content: frpergf\n`;
        expect(readK3sConfig(userData)).toEqual({ kind: "invalid", file: "/etc/rancher/k3s/config.yaml", reason: 'unknown write_files encoding "rot13"' });
    });

    it("reads component flags the way the components do (dashes optional, last one wins)", () => {
        expect(argValue(["anonymous-auth=false", "--anonymous-auth=true"], "anonymous-auth")).toBe("true");
        expect(argValue(["-v=2"], "v")).toBe("2");
        expect(argValue(["audit-log-path"], "audit-log-path")).toBe("");
        expect(argValue([], "x")).toBeUndefined();
    });
});

describe("misc", () => {
    it("maps workload kinds to pod-spec paths", () => {
        expect(podSpecPathOf("kubernetes:batch/v1:CronJob")).toEqual(["spec", "jobTemplate", "spec", "template", "spec"]);
        expect(podSpecPathOf("kubernetes:extensions/v1beta1:DaemonSet")).toEqual(["spec", "template", "spec"]);
        expect(podSpecPathOf("kubernetes:apps/v1:DeploymentPatch")).toBeUndefined();
        expect(podSpecPathOf("kubernetes:core/v1:Service")).toBeUndefined();
    });

    it("skips preview-time unknowns in stack reads but rethrows real errors", () => {
        class UnknownValueError extends Error {}
        expect(whenKnown(() => { throw new UnknownValueError("unknown"); }, "fallback")).toBe("fallback");
        expect(() => whenKnown(() => { throw new TypeError("bug"); }, "fallback")).toThrow("bug");
    });
});

describe("forTypes filters", () => {
    const noop = () => undefined;

    it("is type-only for a type list and a type predicate, not for a predicate over the props", () => {
        expect(forTypes(["kubernetes:core/v1:Namespace"], noop).typeOnly).toBe(true);
        expect(forTypes({ byType: (type) => type.startsWith("kubernetes:apps/") }, noop).typeOnly).toBe(true);
        // A predicate written over the type alone but handed in as a props predicate still says "per resource".
        expect(forTypes({ byTypeAndProps: (type) => type === "hcloud:index/firewall:Firewall" }, noop).typeOnly).toBe(false);
    });

    it("reports not-applicable by the matcher's own answer", () => {
        const list = forTypes(["kubernetes:core/v1:Namespace"], noop);
        expect(list.notApplicableReason("kubernetes:core/v1:Namespace", {})).toBeUndefined();
        expect(list.notApplicableReason("kubernetes:core/v1:Pod", {})).toBe("applies to kubernetes:core/v1:Namespace");
        const byType = forTypes({ byType: (type) => type.startsWith("kubernetes:apps/") }, noop);
        expect(byType.notApplicableReason("kubernetes:apps/v1:Deployment", {})).toBeUndefined();
        expect(byType.notApplicableReason("kubernetes:core/v1:Pod", {})).toBe("applies to other resource kinds");
        const byProps = forTypes({ byTypeAndProps: (_type, props) => typeof props.userData === "string" }, noop);
        expect(byProps.notApplicableReason("hcloud:index/server:Server", { userData: "#cloud-config" })).toBeUndefined();
        expect(byProps.notApplicableReason("hcloud:index/server:Server", {})).toBe("applies to other resource kinds");
    });
});
