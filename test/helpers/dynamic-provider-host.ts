import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";

/**
 * The SDK's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider/index.js, what the CLI starts as
 * `pulumi-resource-pulumi-nodejs`) in a child `node` process, and a gRPC client that calls it the way the
 * engine does: Configure, then Check/Diff/Create/Read/Update/Delete with the serialized provider in the
 * `__provider` property. Properties travel as protobuf Structs, so they arrive as the engine would send them.
 */

// The SDK's generated stubs and its grpc-js, so client and server speak the same protocol version.
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = sdkRequire("@grpc/grpc-js") as any;
const providerGrpc = sdkRequire("./proto/provider_grpc_pb") as any;
const providerProto = sdkRequire("./proto/provider_pb") as any;
const structProto = sdkRequire("google-protobuf/google/protobuf/struct_pb") as any;
const emptyProto = sdkRequire("google-protobuf/google/protobuf/empty_pb") as any;

/** A plain property map (no undefined values: Structs cannot carry them). */
export type Props = Record<string, unknown>;

/** A failed call: the gRPC status message the engine would show. */
export interface HostCallError extends Error {
    /** gRPC status code. */
    code?: number;
    /** The host's stderr up to the failure. */
    stderr: string;
}

/** A running host. */
export interface DynamicProviderHost {
    /** `Check(olds, news)`: the checked inputs and failures. */
    check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: Array<{ property: string; reason: string }> }>;
    /** `Diff(id, olds, news)`. */
    diff(urn: string, id: string, olds: Props, news: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }>;
    /** `Create(properties)`. */
    create(urn: string, properties: Props): Promise<{ id: string; properties: Props }>;
    /** `Read(id, properties)`. */
    read(urn: string, id: string, properties: Props): Promise<{ id: string; properties: Props }>;
    /** `Update(id, olds, news)`. */
    update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }>;
    /** `Delete(id, properties)`. */
    delete(urn: string, id: string, properties: Props): Promise<void>;
    /** What the host wrote to stderr (the provider's log lines). */
    stderr(): string;
    /** Stops the host. */
    close(): Promise<void>;
}

/** Options of {@link startDynamicProviderHost}. */
export interface HostOptions {
    /** Project root (cwd of the host: the serialized provider `require`s from its node_modules). */
    cwd: string;
    /** Extra `node` arguments before the host script (the spine passes its TCP redirect preload). */
    nodeArgs?: string[];
    /** Extra environment. */
    env?: Record<string, string>;
}

const struct = (props: Props) => structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));

/** Starts the SDK's dynamic-provider host and connects to it. */
export async function startDynamicProviderHost(options: HostOptions): Promise<DynamicProviderHost> {
    const script = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "dynamic-provider", "index.js");
    const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), script, "127.0.0.1:1"], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
        let stdout = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const line = /^(\d+)\s*$/m.exec(stdout);
            if (line) resolve(Number(line[1]));
        });
        child.once("exit", (code) => reject(new Error(`dynamic-provider host exited with ${code} before listening:\n${stderr}`)));
    });
    const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, request: unknown): Promise<T> =>
        new Promise<T>((resolve, reject) => {
            client[method](request, (error: { message: string; code?: number } | null, response: T) => {
                if (error) {
                    reject(Object.assign(new Error(error.message), { code: error.code, stderr }));
                } else {
                    resolve(response);
                }
            });
        });

    const configure = new providerProto.ConfigureRequest();
    configure.setArgs(struct({}));
    configure.setAcceptsecrets(true);
    configure.setAcceptresources(true);
    await call("configure", configure);
    // The handshake the engine starts with; it also proves the host is the SDK's.
    await call("getPluginInfo", new emptyProto.Empty());

    return {
        async check(urn, olds, news) {
            const request = new providerProto.CheckRequest();
            request.setUrn(urn);
            request.setOlds(struct(olds));
            request.setNews(struct(news));
            const response = await call<any>("check", request);
            return {
                inputs: response.getInputs()?.toJavaScript() ?? {},
                failures: response.getFailuresList().map((f: { getProperty(): string; getReason(): string }) => ({ property: f.getProperty(), reason: f.getReason() })),
            };
        },
        async diff(urn, id, olds, news) {
            const request = new providerProto.DiffRequest();
            request.setUrn(urn);
            request.setId(id);
            request.setOlds(struct(olds));
            request.setNews(struct(news));
            const response = await call<any>("diff", request);
            const changes = { 0: "unknown", 1: "none", 2: "some" }[response.getChanges() as 0 | 1 | 2] as "none" | "some" | "unknown";
            return { changes, replaces: response.getReplacesList(), deleteBeforeReplace: response.getDeletebeforereplace() };
        },
        async create(urn, properties) {
            const request = new providerProto.CreateRequest();
            request.setUrn(urn);
            request.setProperties(struct(properties));
            const response = await call<any>("create", request);
            return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
        },
        async read(urn, id, properties) {
            const request = new providerProto.ReadRequest();
            request.setUrn(urn);
            request.setId(id);
            request.setProperties(struct(properties));
            const response = await call<any>("read", request);
            return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
        },
        async update(urn, id, olds, news) {
            const request = new providerProto.UpdateRequest();
            request.setUrn(urn);
            request.setId(id);
            request.setOlds(struct(olds));
            request.setNews(struct(news));
            const response = await call<any>("update", request);
            return { properties: response.getProperties()?.toJavaScript() ?? {} };
        },
        async delete(urn, id, properties) {
            const request = new providerProto.DeleteRequest();
            request.setUrn(urn);
            request.setId(id);
            request.setProperties(struct(properties));
            await call("delete", request);
        },
        stderr: () => stderr,
        close: async () => {
            client.close();
            if (child.exitCode === null) {
                const exited = new Promise((resolve) => child.once("exit", resolve));
                child.kill();
                await exited;
            }
        },
    };
}
