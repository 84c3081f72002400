import { describe, expect, it } from "vitest";
import { renderEtcdRestoreScript } from "../../../components/cluster/etcd-restore";
import { shellcheck } from "../../helpers/tools";
import { stackConfig } from "../../helpers/config";

describe.each(["dev", "fsn1", "hel1"])("etcd restore script of stack %s", (stack) => {
    const config = stackConfig(stack);
    const script = renderEtcdRestoreScript(config, stack);

    it("passes shellcheck", () => {
        const result = shellcheck(script);
        expect(result.ok, result.output).toBe(true);
    });

    it("stops every server, resets server 0 to the snapshot, then rejoins the others with their etcd data removed", () => {
        const servers = [...script.matchAll(/'([a-z0-9-]+)\.[a-z0-9.]+ts\.net'/g)].map((m) => m[1]);
        expect(servers).toEqual(Array.from({ length: config.servers.count }, (_, i) => `${stack}-server-${i}`));
        const order = ["systemctl stop k3s", "--cluster-reset --cluster-reset-restore-path=", 'on "${FIRST}" systemctl start k3s', "rm -rf /var/lib/rancher/k3s/server/db", 'on "${server}" systemctl start k3s'];
        const positions = order.map((step) => script.indexOf(step));
        expect(positions.every((p) => p > 0), JSON.stringify(positions)).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        expect(script).toContain(`s3://${config.cluster.etcdSnapshots.s3.bucket}/`);
    });
});
