import type * as pulumi from "@pulumi/pulumi";
import { isRobotError, RobotClient, type RetryPolicy } from "./robot-client";

/**
 * Dynamic provider for a Robot vSwitch. Serialized like the server provider (see robot-provider.ts): local
 * modules are captured by value, the `pulumi` import is type-only.
 */

/** Inputs of the vSwitch resource. */
export interface VSwitchInputs {
    /** vSwitch name. */
    name: string;
    /** VLAN id 4000-4091. */
    vlan: number;
    /** Robot web-service user (secret). */
    robotUser: string;
    /** Robot web-service password (secret). */
    robotPassword: string;
    /** Robot base URL override (tests). */
    robotBaseUrl?: string;
}

/** State of the vSwitch resource. */
export interface VSwitchState extends VSwitchInputs {
    /** Robot vSwitch id. */
    vswitchId: number;
}

/** Injectable pieces (tests). */
export interface VSwitchProviderDeps {
    /** Sleep between Robot retries. */
    sleep?: (ms: number) => Promise<void>;
    /** Robot retry budget. */
    retry?: Partial<RetryPolicy>;
}

/** Creates the vSwitch provider. */
export function createVSwitchProvider(deps: VSwitchProviderDeps = {}): pulumi.dynamic.ResourceProvider<VSwitchInputs, VSwitchState> {
    const robotFor = (props: VSwitchInputs) =>
        new RobotClient({ credentials: { user: props.robotUser, password: props.robotPassword }, baseUrl: props.robotBaseUrl, sleep: deps.sleep, retry: deps.retry });
    const stateOf = (inputs: VSwitchInputs, vswitchId: number): VSwitchState => ({
        vswitchId,
        name: inputs.name,
        vlan: inputs.vlan,
        robotUser: inputs.robotUser,
        robotPassword: inputs.robotPassword,
        ...(inputs.robotBaseUrl ? { robotBaseUrl: inputs.robotBaseUrl } : {}),
    });

    return {
        async check(_olds: VSwitchInputs, news: VSwitchInputs): Promise<pulumi.dynamic.CheckResult<VSwitchInputs>> {
            const failures: pulumi.dynamic.CheckFailure[] = [];
            if (typeof news.vlan === "number" && !(Number.isInteger(news.vlan) && news.vlan >= 4000 && news.vlan <= 4091)) {
                failures.push({ property: "vlan", reason: `Robot vSwitch VLAN ids are 4000-4091, got ${news.vlan}` });
            }
            return { inputs: news, failures };
        },

        async diff(_id: string, olds: VSwitchState, news: VSwitchInputs): Promise<pulumi.dynamic.DiffResult> {
            // Name and VLAN are updated in place (POST /vswitch/{id}); replacing would detach every server.
            const changes =
                olds.name !== news.name ||
                olds.vlan !== news.vlan ||
                olds.robotUser !== news.robotUser ||
                olds.robotPassword !== news.robotPassword ||
                (olds.robotBaseUrl ?? "") !== (news.robotBaseUrl ?? "");
            return { changes, replaces: [] };
        },

        async create(inputs: VSwitchInputs): Promise<pulumi.dynamic.CreateResult<VSwitchState>> {
            const robot = robotFor(inputs);
            // Adopt a live vSwitch with the same name and VLAN: a create that timed out after Robot accepted it
            // (or a lost state) must not leave a second one behind.
            const existing = (await robot.listVSwitches()).find((v) => !v.cancelled && v.name === inputs.name && v.vlan === inputs.vlan);
            const vswitch = existing ?? (await robot.createVSwitch(inputs.name, inputs.vlan));
            return { id: String(vswitch.id), outs: stateOf(inputs, vswitch.id) };
        },

        async update(_id: string, olds: VSwitchState, news: VSwitchInputs): Promise<pulumi.dynamic.UpdateResult<VSwitchState>> {
            if (olds.name !== news.name || olds.vlan !== news.vlan) {
                await robotFor(news).updateVSwitch(olds.vswitchId, news.name, news.vlan);
            }
            return { outs: stateOf(news, olds.vswitchId) };
        },

        async read(id: string, props?: VSwitchState): Promise<pulumi.dynamic.ReadResult<VSwitchState>> {
            if (!props) {
                throw new Error(`cannot refresh vSwitch ${id}: no state`);
            }
            try {
                const live = await robotFor(props).getVSwitch(Number(id));
                if (live.cancelled) {
                    return {};
                }
                return { id, props: { ...props, vswitchId: live.id, name: live.name, vlan: live.vlan } };
            } catch (error) {
                if (isRobotError(error, "NOT_FOUND")) {
                    return {};
                }
                throw error;
            }
        },

        async delete(id: string, props: VSwitchState): Promise<void> {
            try {
                await robotFor(props).cancelVSwitch(Number(id));
            } catch (error) {
                if (!isRobotError(error, "NOT_FOUND")) {
                    throw error;
                }
            }
        },
    };
}
