package com.runbook.engine.schedule;

import com.runbook.engine.Engine;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** Reads job_run rows and writes runbook files for the scheduling (and run lifecycle) tests. */
public final class Runs {
    record Row(long id, String trigger, String node, Instant started, Instant finished, String status, String error,
               Instant scheduledFor) {
    }

    private Runs() {
    }

    static List<Row> of(Engine engine, String job) {
        return of(engine.dataSource(), job);
    }

    static List<Row> of(DataSource dataSource, String job) {
        return new JdbcTemplate(dataSource).query("select id, run_trigger, node, started_at, finished_at,"
                + " status, error, scheduled_for from job_run where job = ? order by id", (rs, n) -> new Row(
                rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getObject(4, OffsetDateTime.class)),
                instant(rs.getObject(5, OffsetDateTime.class)), rs.getString(6), rs.getString(7),
                instant(rs.getObject(8, OffsetDateTime.class))), job);
    }

    static long count(Engine engine, String job, String status) {
        return of(engine, job).stream().filter(r -> r.status().equals(status)).count();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /** A job route that waits {@code delayMs} (0: just logs). */
    public static void route(Path base, String job, long delayMs) throws Exception {
        route(base, job, delayMs, "ran");
    }

    /** A job route that waits {@code delayMs}, then logs {@code text} and the run id (a new text is an edit). */
    public static void route(Path base, String job, long delayMs, String text) throws Exception {
        Files.createDirectories(base.resolve("routes"));
        Files.writeString(base.resolve("routes/" + job + ".camel.yaml"), """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - delay:
                            constant: "%d"
                        - log: "%s ${header.RunbookRunId}"
                """.formatted(job, job, delayMs, text));
    }

    public static void schedule(Path base, String job, String body) throws Exception {
        Files.createDirectories(base.resolve("schedules"));
        Files.writeString(base.resolve("schedules/" + job + ".yaml"), "job: " + job + "\n" + body);
    }
}
