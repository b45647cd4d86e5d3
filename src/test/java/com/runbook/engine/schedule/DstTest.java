package com.runbook.engine.schedule;

import com.runbook.engine.definition.Schedule;

import org.junit.jupiter.api.Test;
import org.quartz.TriggerUtils;
import org.quartz.spi.OperableTrigger;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the Quartz trigger built for a schedule does across the 2026 DST changes in America/New_York
 * (README, "Schedules", "Daylight saving time").
 */
class DstTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static List<Instant> fires(String cron, String from, String to) {
        return fires(cron, from, to, 0);
    }

    /** Fire times of the trigger with a lead (see ScheduleManager.LEAD). */
    private static List<Instant> fires(String cron, String from, String to, long lead) {
        Schedule s = new Schedule("dst-job", cron, null, NEW_YORK, true, "fire-once-now", "skip", null, null,
                "schedules/dst-job.yaml", 1);
        OperableTrigger trigger = (OperableTrigger) ScheduleManager.trigger(s, null, lead);
        trigger.setStartTime(Date.from(Instant.parse(from)));
        return TriggerUtils.computeFireTimesBetween(trigger, null, Date.from(Instant.parse(from)),
                Date.from(Instant.parse(to))).stream().map(Date::toInstant).toList();
    }

    @Test
    void aJobAt0230DoesNotFireOnTheSpringForwardDayBecause0230DoesNotExistThere() {
        // 2026-03-08: clocks go from 02:00 EST straight to 03:00 EDT
        assertThat(fires("0 30 2 * * ?", "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z")).containsExactly(
                Instant.parse("2026-03-07T07:30:00Z"),   // 02:30 EST
                Instant.parse("2026-03-09T06:30:00Z"));  // 02:30 EDT; nothing on the 8th
    }

    @Test
    void aJobAt0130FiresOnceOnTheFallBackDayAtTheSecond0130() {
        // 2026-11-01: 01:00-01:59 happens twice, first in EDT (-04:00) then in EST (-05:00)
        List<Instant> fires = fires("0 30 1 * * ?", "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z");
        assertThat(fires).containsExactly(
                Instant.parse("2026-10-31T05:30:00Z"),   // 01:30 EDT
                Instant.parse("2026-11-01T06:30:00Z"),   // 01:30 EST: the second 01:30, once
                Instant.parse("2026-11-02T06:30:00Z"));  // 01:30 EST
        assertThat(fires.get(1).atZone(NEW_YORK).getOffset().getId()).isEqualTo("-05:00");
    }

    @Test
    void aTriggerWithALeadFiresThatLongBeforeEachDueTimeAcrossBothChanges() {
        for (String cron : List.of("0 30 2 * * ?", "0 30 1 * * ?", "0/20 * 1-3 * * ?")) {
            for (String[] days : List.of(new String[] {"2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"},
                    new String[] {"2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"})) {
                List<Instant> due = fires(cron, days[0], days[1]);
                assertThat(due).isNotEmpty();
                assertThat(fires(cron, days[0], days[1], 250)).containsExactlyElementsOf(
                        due.stream().map(d -> d.minusMillis(250)).toList());
            }
        }
    }

    @Test
    void jobsOutsideTheChangedHourKeepTheirLocalTimeAcrossBothChanges() {
        // the P&L job: 16:30 New York on weekdays; 2026-03-06 is a Friday before, 2026-03-09 a Monday after
        assertThat(fires("0 30 16 ? * MON-FRI", "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z")).containsExactly(
                Instant.parse("2026-03-06T21:30:00Z"), Instant.parse("2026-03-09T20:30:00Z"));
        assertThat(fires("0 30 16 ? * MON-FRI", "2026-10-30T00:00:00Z", "2026-11-03T00:00:00Z")).containsExactly(
                Instant.parse("2026-10-30T20:30:00Z"), Instant.parse("2026-11-02T21:30:00Z"));
    }
}
