package com.runbook.engine.schedule;

import com.runbook.engine.definition.Schedule;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

/**
 * With the in-memory job store, what Quartz's JDBC store would have remembered across a restart: until when the
 * engine was up (the newest check-in row in {@code qrtz_scheduler_state}, written every check-in interval and at
 * shutdown, of whichever node name)
 * and each job's last due time in {@code job_run}. The fires due in between were missed while the engine was down.
 */
class Downtime {
    private final JdbcTemplate jdbc;
    private final String scheduler;
    private final String node;
    private final long intervalMillis;

    Downtime(DataSource dataSource, String scheduler, String node, long intervalMillis) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.scheduler = scheduler;
        this.node = node;
        this.intervalMillis = intervalMillis;
    }

    /** The newest check-in of this scheduler by any node. */
    record Seen(String node, Instant at) {
    }

    /**
     * When the engine was last seen up: the newest check-in of any node of this scheduler (so a renamed node still
     * finds its downtime), or
     * null when no engine ever ran on this database.
     */
    Seen lastSeen() {
        return jdbc.query("select instance_name, last_checkin_time from qrtz_scheduler_state where sched_name = ?"
                        + " order by last_checkin_time desc fetch first 1 rows only",
                rs -> rs.next() ? new Seen(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2))) : null, scheduler);
    }

    void checkIn() {
        long now = System.currentTimeMillis();
        if (jdbc.update("update qrtz_scheduler_state set last_checkin_time = ?, checkin_interval = ? where sched_name = ?"
                + " and instance_name = ?", now, intervalMillis, scheduler, node) == 0) {
            jdbc.update("insert into qrtz_scheduler_state (sched_name, instance_name, last_checkin_time, checkin_interval)"
                    + " values (?, ?, ?, ?)", scheduler, node, now, intervalMillis);
        }
    }

    /** The latest due time recorded in job_run for each schedule (by schedule id; V15 gave older rows their job). */
    Map<String, Instant> lastDue() {
        Map<String, Instant> last = new HashMap<>();
        jdbc.query("select schedule_id, max(scheduled_for) from job_run where schedule_id is not null and scheduled_for"
                        + " is not null group by schedule_id",
                rs -> {
                    last.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                });
        return last;
    }

    /**
     * The first due time of {@code s} that nobody ran: after its last recorded due time, or after this node's last
     * check-in for a cron job that has none. Null when none is due before {@code now}.
     */
    static Instant firstMissed(Schedule s, Instant lastSeen, Instant lastDue, Instant now) {
        Instant due;
        if (s.every() != null) {
            due = lastDue == null ? null : lastDue.plus(s.every());
        } else {
            Instant after = lastDue == null || (lastSeen != null && lastSeen.isAfter(lastDue)) ? lastSeen : lastDue;
            due = after == null ? null : s.nextFireAfter(after);
        }
        return due != null && due.isBefore(now) ? due : null;
    }
}
