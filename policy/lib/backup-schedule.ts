/**
 * How often a tenant's database backups may run: at most once an hour (each run is a full base backup into the
 * shared bucket, and the operators keep a count of them, so a schedule every second would flood the bucket and
 * rotate the project's older backups out within minutes).
 *
 * The operators parse schedules with robfig/cron: CloudNativePG 1.30.0 with `cron.Parse` of v1.2.0
 * (internal/controller/scheduledbackup_controller.go; seconds first, 5 or 6 fields, the day of week optional, or a
 * descriptor), the Percona operators with v3.0.1's standard parser (5 fields, a descriptor or a `TZ=` prefix:
 * pkg/controller/pxc/controller.go AddFuncWithSeconds at v1.19.0, which asserts a field schedule and so panics on
 * `@every`; pkg/controller/perconaservermongodb/backup.go at v1.22.0). A schedule fires at most hourly when its
 * seconds and minutes are single numbers, whatever the other fields say; descriptors other than `@every` fire
 * hourly or less. Fields are separated by one space and hold only cron characters, so RE2 and ECMAScript read the
 * patterns alike (Go splits on any Unicode space, which neither pattern lets through).
 */

/** Descriptors that fire at most hourly (robfig/cron parseDescriptor, v1.2.0 and v3.0.1). */
export const HOURLY_OR_RARER_DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"] as const;

const SIXTY = "([0-9]|[0-5][0-9])";
const FIELD = "[0-9A-Za-z*?,/-]+";

/** A CloudNativePG schedule (seconds, minutes, then 3 or 4 more fields) that fires at most hourly. */
export const CNPG_HOURLY_SCHEDULE_PATTERN = `^${SIXTY} ${SIXTY}( ${FIELD}){3,4}$`;

/** A Percona operator schedule (minutes, then 4 more fields) that fires at most hourly. */
export const PERCONA_HOURLY_SCHEDULE_PATTERN = `^${SIXTY}( ${FIELD}){4}$`;

/** Why `schedule` (at `where`) may fire more than hourly or is no schedule; `undefined` when it fires at most hourly. */
export function backupScheduleProblem(schedule: unknown, pattern: string, where: string): string | undefined {
    if (typeof schedule === "string" && ((HOURLY_OR_RARER_DESCRIPTORS as readonly string[]).includes(schedule) || new RegExp(pattern).test(schedule))) {
        return undefined;
    }
    return `${where} ${JSON.stringify(schedule)} may run more often than hourly (fixed ${pattern === CNPG_HOURLY_SCHEDULE_PATTERN ? "seconds and minutes" : "minutes"}, or one of ${HOURLY_OR_RARER_DESCRIPTORS.join(", ")}; no @every, no TZ=)`;
}
