package com.runbook.engine.schedule;

import com.runbook.engine.definition.Schedule;

import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.spi.OperableTrigger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler's lead on triggers (ScheduleManager.LEAD): fire times, and the due time a fire stands for. */
class LeadTriggerTest {
    private static Schedule every(Duration period) {
        return new Schedule("tick", null, period, ZoneOffset.UTC, true, "fire-once-now", "skip", null, null,
                "schedules/tick.yaml", 1);
    }

    @Test
    void anEveryTriggerFiresItsLeadBeforeEachDueTimeAndItsFiresStandForTheDueTimes() {
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        OperableTrigger trigger = (OperableTrigger) ScheduleManager.trigger(every(Duration.ofSeconds(10)), null, 250);
        Date first = trigger.computeFirstFireTime(null);
        Instant due = ScheduleManager.due(trigger, first);
        assertThat(Duration.between(first.toInstant(), due)).isEqualTo(Duration.ofMillis(250));
        // the first due time is one period after the schedule was applied
        assertThat(due).isBetween(before.plusSeconds(10), Instant.now().plusSeconds(10));
        Date second = trigger.getFireTimeAfter(first);
        assertThat(ScheduleManager.due(trigger, second)).isEqualTo(due.plusSeconds(10));
    }

    @Test
    void anEverySchedulesLeadIsAtMostHalfItsPeriod() {
        Trigger trigger = ScheduleManager.trigger(every(Duration.ofMillis(200)), null, 250);
        assertThat(trigger.getJobDataMap().getLong(ScheduleManager.LEAD)).isEqualTo(100);
    }

    @Test
    void aCronTriggerWithALeadFiresThatLongBeforeEachCronTime() {
        Schedule s = new Schedule("pnl", "0 30 16 ? * MON-FRI", null, ZoneId.of("America/New_York"), true,
                "fire-once-now", "skip", null, null, "schedules/pnl.yaml", 1);
        OperableTrigger trigger = (OperableTrigger) ScheduleManager.trigger(s, Instant.parse("2026-11-27T12:00:00Z"), 250);
        Date first = trigger.computeFirstFireTime(null);
        assertThat(first.toInstant()).isEqualTo(Instant.parse("2026-11-27T21:29:59.750Z"));
        assertThat(ScheduleManager.due(trigger, first)).isEqualTo(Instant.parse("2026-11-27T21:30:00Z"));
        assertThat(ScheduleManager.due(trigger, trigger.getFireTimeAfter(first)))
                .isEqualTo(Instant.parse("2026-11-30T21:30:00Z"));
    }

    @Test
    void cronTriggersOfTheSameCronAndZoneShareOneParsedCronAlsoInTheirCopies() {
        // Quartz's in-memory store keeps and hands out copies (clone) of triggers; each used to parse its cron again
        Schedule rates = new Schedule("desk-report", "0 30 17 ? * MON-FRI", null, ZoneId.of("Europe/London"), true,
                "fire-once-now", "skip", null, null, "schedules/desks.yaml", 1, "desk-rates", java.util.Map.of());
        Schedule fx = new Schedule("desk-report", "0 30 17 ? * MON-FRI", null, ZoneId.of("Europe/London"), true,
                "fire-once-now", "skip", null, null, "schedules/desks.yaml", 5, "desk-fx", java.util.Map.of());
        Schedule tokyo = new Schedule("desk-report", "0 30 17 ? * MON-FRI", null, ZoneId.of("Asia/Tokyo"), true,
                "fire-once-now", "skip", null, null, "schedules/desks.yaml", 9, "desk-jp", java.util.Map.of());
        assertThat(rates.cronExpression()).isSameAs(fx.cronExpression()).isNotSameAs(tokyo.cronExpression());
        OperableTrigger trigger = (OperableTrigger) ScheduleManager.trigger(rates, Instant.parse("2026-11-27T12:00:00Z"), 250, true);
        Date first = trigger.computeFirstFireTime(null);
        assertThat(first.toInstant()).isEqualTo(Instant.parse("2026-11-27T17:29:59.750Z"));   // GMT in November
        OperableTrigger copy = (OperableTrigger) trigger.clone();
        assertThat(copy.getNextFireTime()).isEqualTo(first);
        assertThat(copy.getFireTimeAfter(first).toInstant()).isEqualTo(Instant.parse("2026-11-30T17:29:59.750Z"));
        assertThat(((org.quartz.CronTrigger) copy).getCronExpression()).isEqualTo("0 30 17 ? * MON-FRI");
        assertThat(((org.quartz.CronTrigger) copy).getTimeZone().getID()).isEqualTo("Europe/London");
        // a shared trigger with no lead fires at the cron times themselves, as Quartz's own cron trigger does
        OperableTrigger plain = (OperableTrigger) ScheduleManager.trigger(tokyo, Instant.parse("2026-11-27T00:00:00Z"), 0, true);
        assertThat(plain.computeFirstFireTime(null).toInstant()).isEqualTo(Instant.parse("2026-11-27T08:30:00Z"));
    }

    @Test
    void aTriggerWithoutTheLeadKeyStandsForItsOwnFireTime() {
        // the one-off catch-up triggers, and triggers stored by the JDBC store before the lead existed
        Trigger oneOff = TriggerBuilder.newTrigger().forJob(JobBuilder.newJob(ScheduleManager.RunJob.class)
                .withIdentity("tick").build()).startNow().build();
        Date at = new Date(1_000_000L);
        assertThat(ScheduleManager.due(oneOff, at)).isEqualTo(at.toInstant());
    }
}
