"use strict";
/**
 * Preloaded (`node --require`) into the dynamic-provider host by the spine test, and its only deviation from
 * the CLI's host: TCP connections to the addresses in PLATFORM_TCP_REDIRECT
 * (`192.0.2.3:22=127.0.0.1:40123,...`) go to the mapped local port instead, the way a DNAT rule would. The
 * provider keeps connecting to the Robot server's documented IP on port 22; the in-process ssh2 rescue
 * server answers there. Nothing else is touched.
 */
const net = require("node:net");

const routes = new Map(
    (process.env.PLATFORM_TCP_REDIRECT ?? "")
        .split(",")
        .filter(Boolean)
        .map((entry) => {
            const [from, to] = entry.split("=");
            const [host, port] = to.split(":");
            return [from, { host, port: Number(port) }];
        }),
);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function redirectedConnect(...args) {
    const options = args[0];
    if (options !== null && typeof options === "object" && !Array.isArray(options) && options.host !== undefined) {
        const route = routes.get(`${options.host}:${options.port}`);
        if (route) {
            args[0] = { ...options, host: route.host, port: route.port };
        }
    }
    return connect.apply(this, args);
};
