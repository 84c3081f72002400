import { expect } from "vitest";
import { RobotApiError } from "../../components/baremetal/robot-client";

/** The RobotApiError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function caughtRobotError(promise: Promise<unknown>): Promise<RobotApiError> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RobotApiError);
    return error as RobotApiError;
}
