import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the part of Grafana's HTTP API (v13, the version the pinned chart ships) that the
 * per-project organisations Job calls, written from Grafana's API reference and source (pkg/api/org.go,
 * org_users.go, admin_users.go, datasources.go) independently of the script: Basic auth of the server admin,
 * organisations (the creator becomes its Admin), datasources per organisation (the organisation from
 * `X-Grafana-Org-Id`, which the caller must be a member of, else 401; the main organisation, id 1, without it),
 * users (new users join the organisation of `OrgId`, else the main one, as Viewer: `auto_assign_org`), their
 * memberships, passwords and server-admin flag. Must not import vitest.
 */

/** A datasource as stored (secureJsonData kept in clear here: the fake is the database). */
export interface FakeDatasource {
    uid: string;
    name: string;
    type: string;
    url: string;
    access: string;
    jsonData: Record<string, unknown>;
    secureJsonData: Record<string, string>;
}

/** A user as stored. */
export interface FakeUser {
    id: number;
    login: string;
    email: string;
    name: string;
    password: string;
    isGrafanaAdmin: boolean;
}

/** The fake's whole state, open to the test. */
export interface FakeGrafanaState {
    orgs: Map<number, { name: string; datasources: Map<string, FakeDatasource>; members: Map<number, string> }>;
    users: Map<number, FakeUser>;
}

/** A running fake. */
export interface FakeGrafana {
    /** `http://127.0.0.1:<port>/api`. */
    api: string;
    state: FakeGrafanaState;
    /** Every mutating request (`METHOD path`), in order. */
    writes: string[];
    close(): Promise<void>;
}

/** Starts a fake Grafana whose server admin is `admin` with `password`. */
export async function startFakeGrafana(password: string): Promise<FakeGrafana> {
    const admin: FakeUser = { id: 1, login: "admin", email: "admin@localhost", name: "admin", password, isGrafanaAdmin: true };
    const state: FakeGrafanaState = {
        orgs: new Map([[1, { name: "Main Org.", datasources: new Map(), members: new Map([[1, "Admin"]]) }]]),
        users: new Map([[1, admin]]),
    };
    let nextOrg = 2;
    let nextUser = 2;
    const writes: string[] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (chunk) => (raw += chunk));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://fake");
            const path = url.pathname.replace(/^\/api/, "");
            const json = (status: number, body: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(body));
            };
            if (path === "/health") return json(200, { database: "ok" });
            const [user, pass] = Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString().split(":");
            const caller = [...state.users.values()].find((u) => u.login === user && u.password === pass);
            if (!caller) return json(401, { message: "invalid username or password" });
            const orgId = Number(req.headers["x-grafana-org-id"] ?? 1);
            const org = state.orgs.get(orgId);
            if (!org || !org.members.has(caller.id)) return json(401, { message: "user is not a member of the organisation" });
            if (!caller.isGrafanaAdmin) return json(403, { message: "permission denied" });
            const body = raw ? JSON.parse(raw) : {};
            if (req.method !== "GET") writes.push(`${req.method} ${path}`);
            let m: RegExpExecArray | null;
            if (req.method === "GET" && (m = /^\/orgs\/name\/(.+)$/.exec(path))) {
                const name = decodeURIComponent(m[1]!);
                const found = [...state.orgs.entries()].find(([, o]) => o.name === name);
                return found ? json(200, { id: found[0], name }) : json(404, { message: "Organization not found" });
            }
            if (req.method === "POST" && path === "/orgs") {
                if ([...state.orgs.values()].some((o) => o.name === body.name)) return json(409, { message: "Organization name taken" });
                const id = nextOrg++;
                state.orgs.set(id, { name: body.name, datasources: new Map(), members: new Map([[caller.id, "Admin"]]) });
                return json(200, { orgId: id, message: "Organization created" });
            }
            if ((m = /^\/datasources\/uid\/([^/]+)$/.exec(path))) {
                const existing = org.datasources.get(m[1]!);
                if (req.method === "GET") return existing ? json(200, { ...existing, secureJsonData: undefined }) : json(404, { message: "Data source not found" });
                if (req.method === "PUT" && existing) {
                    org.datasources.set(existing.uid, { ...body, uid: existing.uid, secureJsonData: { ...existing.secureJsonData, ...(body.secureJsonData ?? {}) } });
                    return json(200, { message: "Datasource updated" });
                }
                return json(404, { message: "Data source not found" });
            }
            if (req.method === "POST" && path === "/datasources") {
                if (org.datasources.has(body.uid)) return json(409, { message: "data source with the same uid already exists" });
                org.datasources.set(body.uid, { ...body, secureJsonData: body.secureJsonData ?? {} });
                return json(200, { message: "Datasource added" });
            }
            if (req.method === "GET" && path === "/users/lookup") {
                const key = url.searchParams.get("loginOrEmail");
                const found = [...state.users.values()].find((u) => u.login === key || u.email === key);
                return found ? json(200, { id: found.id, login: found.login, email: found.email }) : json(404, { message: "user not found" });
            }
            if (req.method === "POST" && path === "/admin/users") {
                if ([...state.users.values()].some((u) => u.login === body.login || u.email === body.email)) return json(412, { message: "user already exists" });
                const target = state.orgs.get(body.OrgId ?? 1);
                if (!target) return json(400, { message: "organization not found" });
                const id = nextUser++;
                state.users.set(id, { id, login: body.login ?? body.email, email: body.email, name: body.name, password: body.password, isGrafanaAdmin: false });
                target.members.set(id, "Viewer");
                return json(200, { id, message: "User created" });
            }
            const target = (id: string) => state.users.get(Number(id));
            if (req.method === "PUT" && (m = /^\/admin\/users\/(\d+)\/password$/.exec(path))) {
                target(m[1]!)!.password = body.password;
                return json(200, { message: "User password updated" });
            }
            if (req.method === "PUT" && (m = /^\/admin\/users\/(\d+)\/permissions$/.exec(path))) {
                target(m[1]!)!.isGrafanaAdmin = body.isGrafanaAdmin;
                return json(200, { message: "User permissions updated" });
            }
            if ((m = /^\/orgs\/(\d+)\/users$/.exec(path))) {
                const o = state.orgs.get(Number(m[1]))!;
                if (req.method === "GET") return json(200, [...o.members.entries()].map(([userId, role]) => ({ orgId: Number(m![1]), userId, login: state.users.get(userId)!.login, role })));
                const u = [...state.users.values()].find((x) => x.login === body.loginOrEmail || x.email === body.loginOrEmail)!;
                if (o.members.has(u.id)) return json(409, { message: "User is already member of this organization" });
                o.members.set(u.id, body.role);
                return json(200, { message: "User added to organization", userId: u.id });
            }
            if ((m = /^\/orgs\/(\d+)\/users\/(\d+)$/.exec(path))) {
                const o = state.orgs.get(Number(m[1]))!;
                if (!o.members.has(Number(m[2]))) return json(404, { message: "user not found" });
                if (req.method === "PATCH") o.members.set(Number(m[2]), body.role);
                if (req.method === "DELETE") o.members.delete(Number(m[2]));
                return json(200, { message: "ok" });
            }
            if (req.method === "GET" && (m = /^\/users\/(\d+)\/orgs$/.exec(path))) {
                const id = Number(m[1]);
                return json(200, [...state.orgs.entries()].filter(([, o]) => o.members.has(id)).map(([orgId, o]) => ({ orgId, name: o.name, role: o.members.get(id) })));
            }
            return json(404, { message: `not in the fake: ${req.method} ${path}` });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return {
        api: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
        state,
        writes,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
