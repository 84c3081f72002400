import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forK3sNodes } from "../../lib/rule-helpers";
import { asString, isTrue } from "../../lib/values";

/**
 * etcd snapshots go to S3 over verified TLS: snapshots hold every Secret of the cluster. A server with
 * `etcd-s3: true` must not set `etcd-s3-insecure` or `etcd-s3-skip-ssl-verify` nor use an `http://` endpoint;
 * the server that initialises the cluster (`cluster-init: true`) must ship snapshots off the node at all.
 */
export const clusterK3sEtcdSnapshots: ResourceValidationPolicy = {
    name: "cluster-k3s-etcd-snapshots",
    description: "k3s servers must ship etcd snapshots to S3 over verified TLS.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forK3sNodes((node, args, report) => {
        if (node.role !== "server") {
            args.notApplicable("agents run no etcd");
        }
        const { config } = node;
        if (!isTrue(config["etcd-s3"])) {
            if (isTrue(config["cluster-init"])) {
                report("k3s server config with cluster-init: true does not set etcd-s3: true (etcd snapshots stay on the node)");
            }
            return;
        }
        if (isTrue(config["etcd-s3-insecure"])) {
            report("k3s server config sets etcd-s3-insecure: true (snapshots over plain HTTP)");
        }
        if (isTrue(config["etcd-s3-skip-ssl-verify"])) {
            report("k3s server config sets etcd-s3-skip-ssl-verify: true");
        }
        const endpoint = asString(config["etcd-s3-endpoint"]);
        if (endpoint?.trim().toLowerCase().startsWith("http://")) {
            report(`k3s server config uses a plain-HTTP etcd-s3-endpoint "${endpoint}"`);
        }
    }),
};
