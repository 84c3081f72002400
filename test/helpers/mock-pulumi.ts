import * as pulumi from "@pulumi/pulumi";
import { answerInvoke, mockOutputs } from "../../tools/offline/mock-engine";

/** A registration seen by the mock engine in a component test. */
export interface Registration {
    /** Resource type token. */
    type: string;
    /** Logical name. */
    name: string;
    /** Inputs (secrets unwrapped by the mock monitor). */
    inputs: Record<string, any>;
    /** Whether it is a custom (provider) resource. */
    custom: boolean;
}

/**
 * Installs the Pulumi mock engine for a component test and returns the live list of registrations.
 * Call it before `await import(...)` of the component module; always await outputs (an assertion in an
 * un-awaited `apply` asserts nothing). Outputs and invoke answers come from the same plausible mocks as the
 * offline plan; `invokes` (by token) replaces an answer.
 */
export async function setupMocks(
    stack = "test",
    config: Record<string, string> = {},
    invokes: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>> = {},
): Promise<Registration[]> {
    const registrations: Registration[] = [];
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true });
                return mockOutputs(args.type, args.name, args.inputs);
            },
            // `invokes` overrides the offline plan's answers (e.g. an hcloud answer saying a type is unavailable).
            call: (args) => {
                const answer = invokes[args.token];
                if (answer) {
                    return answer(args.inputs as Record<string, unknown>);
                }
                try {
                    return answerInvoke(args.token);
                } catch {
                    throw new Error(`unexpected invoke ${args.token} in a component test`);
                }
            },
        },
        "platform",
        stack,
        false,
    );
    return registrations;
}

/** Resolves an Output (or plain value) for assertions. */
export function resolve<T>(value: pulumi.Input<T>): Promise<T> {
    return new Promise((done) => pulumi.output(value).apply((v) => done(v as T)));
}

/** Whether an Output is marked secret. */
export function isSecret(value: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(value);
}
