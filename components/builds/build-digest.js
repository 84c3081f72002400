#!/usr/bin/env node
"use strict";
/**
 * Prints the digest of the image a build Job pushed: the BuildKit container writes it into its termination
 * message (components/builds/build-job.ts), which this reads from the Job's pod through the Kubernetes API with
 * the platform stack's admin kubeconfig. Run by the platform stack's `command.local.Command` after the Job completed
 * (components/project/grants.ts); plain Node and js-yaml only, so it runs wherever `pulumi up` runs.
 *
 * Environment: KUBECONFIG_CONTENT (the kubeconfig document), BUILD_NAMESPACE, BUILD_JOB, BUILD_CONTAINER.
 * Exits 1 naming the Job when no pod of it terminated with a digest.
 */
const http = require("node:http");
const https = require("node:https");
const yaml = require("js-yaml");

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The current context's cluster and user of a kubeconfig document. */
function clusterAccess(kubeconfig) {
    const doc = yaml.load(kubeconfig);
    const context = (doc.contexts || []).find((c) => c.name === doc["current-context"]) || (doc.contexts || [])[0];
    if (!context) {
        throw new Error("the kubeconfig has no context");
    }
    const cluster = ((doc.clusters || []).find((c) => c.name === context.context.cluster) || {}).cluster;
    const user = ((doc.users || []).find((u) => u.name === context.context.user) || {}).user || {};
    if (!cluster || !cluster.server) {
        throw new Error(`the kubeconfig's context ${context.name} names no cluster server`);
    }
    const b64 = (value) => (value ? Buffer.from(value, "base64") : undefined);
    return {
        server: cluster.server.replace(/\/+$/, ""),
        ca: b64(cluster["certificate-authority-data"]),
        cert: b64(user["client-certificate-data"]),
        key: b64(user["client-key-data"]),
        token: user.token,
    };
}

/** GET of an API path, parsed as JSON. */
function getJson(access, path) {
    const url = new URL(`${access.server}${path}`);
    const client = url.protocol === "https:" ? https : http;
    const options = {
        method: "GET",
        headers: { Accept: "application/json", ...(access.token ? { Authorization: `Bearer ${access.token}` } : {}) },
        ...(url.protocol === "https:" ? { ca: access.ca, cert: access.cert, key: access.key } : {}),
    };
    return new Promise((resolve, reject) => {
        const request = client.request(url, options, (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => {
                if (response.statusCode !== 200) {
                    reject(new Error(`GET ${url.pathname}: HTTP ${response.statusCode} ${body.slice(0, 200)}`));
                    return;
                }
                resolve(JSON.parse(body));
            });
        });
        request.on("error", reject);
        request.setTimeout(30000, () => request.destroy(new Error(`GET ${url.pathname}: no answer in 30 s`)));
        request.end();
    });
}

/** The digest the Job's container reported, from the newest of its pods that terminated with one. */
async function digestOfJob({ kubeconfig, namespace, job, container }) {
    const access = clusterAccess(kubeconfig);
    const pods = await getJson(access, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(`job-name=${job}`)}`);
    const digests = (pods.items || [])
        .map((pod) => ({
            created: (pod.metadata && pod.metadata.creationTimestamp) || "",
            message: (((pod.status && pod.status.containerStatuses) || []).find((s) => s.name === container) || {}).state,
        }))
        .map((p) => ({ created: p.created, message: p.message && p.message.terminated && p.message.terminated.exitCode === 0 ? String(p.message.terminated.message || "").trim() : "" }))
        .filter((p) => DIGEST.test(p.message))
        .sort((a, b) => b.created.localeCompare(a.created));
    if (digests.length === 0) {
        throw new Error(`no pod of Job ${namespace}/${job} terminated with an image digest in container ${container}'s termination message`);
    }
    return digests[0].message;
}

module.exports = { clusterAccess, digestOfJob, DIGEST };

if (require.main === module) {
    digestOfJob({
        kubeconfig: process.env.KUBECONFIG_CONTENT || "",
        namespace: process.env.BUILD_NAMESPACE || "",
        job: process.env.BUILD_JOB || "",
        container: process.env.BUILD_CONTAINER || "",
    }).then(
        (digest) => process.stdout.write(digest),
        (error) => {
            process.stderr.write(`build-digest: ${error.message}\n`);
            process.exit(1);
        },
    );
}
