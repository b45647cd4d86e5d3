package com.runbook.engine.schedule;

import com.runbook.engine.routes.Runbooks;
import com.runbook.engine.run.JobRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.quartz.QuartzComponent;
import org.quartz.CronTrigger;
import org.quartz.SchedulerException;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;

import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Turns schedules into Quartz triggers: one small route per enabled schedule, {@code quartz://runbook/<job>},
 * that hands each fire to the {@link JobRunner}. Disabled schedules get no trigger.
 */
public class ScheduleManager implements Runbooks.ScheduleTarget {
    public static final String GROUP = "runbook";
    private final CamelContext context;
    private final JobRunner runner;

    public ScheduleManager(CamelContext context, JobRunner runner) {
        this.context = context;
        this.runner = runner;
    }

    static String routeId(String job) {
        return "schedule-" + job;
    }

    /** The camel-quartz endpoint for a schedule. */
    static String uri(Schedule s) {
        StringBuilder uri = new StringBuilder("quartz://" + GROUP + "/" + s.job() + "?");
        if (s.cron() != null) {
            uri.append("cron=").append(s.cron().trim().replace(' ', '+'))
                    .append("&trigger.timeZone=").append(s.zone().getId())
                    .append("&trigger.misfireInstruction=").append("skip".equals(s.misfire())
                            ? CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING : CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW);
        } else {
            uri.append("trigger.repeatInterval=").append(s.every().toMillis())
                    .append("&trigger.repeatCount=-1")
                    .append("&trigger.misfireInstruction=").append("skip".equals(s.misfire())
                            ? SimpleTrigger.MISFIRE_INSTRUCTION_RESCHEDULE_NEXT_WITH_REMAINING_COUNT
                            : SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW);
        }
        uri.append("&stateful=").append("queue".equals(s.overlap()));
        return uri.toString();
    }

    @Override
    public void apply(List<Schedule> remove, List<Schedule> add) throws Exception {
        for (Schedule s : remove) {
            context.getRouteController().stopRoute(routeId(s.job()));
            context.removeRoute(routeId(s.job()));
        }
        List<Schedule> enabled = add.stream().filter(Schedule::enabled).toList();
        if (enabled.isEmpty()) {
            return;
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (Schedule s : enabled) {
                    boolean skipIfRunning = "skip".equals(s.overlap());
                    from(uri(s)).routeId(routeId(s.job()))
                            .process(exchange -> runner.runNow(s.job(), "schedule", skipIfRunning));
                }
            }
        });
    }

    /** The next fire time Quartz holds for a job, or null when it has no active trigger. */
    public Instant nextFire(String job) {
        try {
            QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
            if (quartz.getScheduler() == null) {
                return null;
            }
            Trigger trigger = quartz.getScheduler().getTrigger(TriggerKey.triggerKey(job, GROUP));
            Date next = trigger == null ? null : trigger.getNextFireTime();
            return next == null ? null : next.toInstant();
        } catch (SchedulerException e) {
            return null;
        }
    }
}
