package com.runbook.engine.schedule;

import org.quartz.impl.triggers.CronTriggerImpl;

import java.util.Date;

/**
 * A cron trigger that fires {@code lead} milliseconds before each due time of its expression (DST and all, as the
 * expression computes them): the run's row and overlap lock are written during the lead and the route is called at
 * the due time itself (see {@link ScheduleManager#LEAD}).
 */
final class LeadCronTrigger extends CronTriggerImpl {
    private static final long serialVersionUID = 1L;
    private final long lead;

    LeadCronTrigger(long leadMillis) {
        this.lead = leadMillis;
    }

    /**
     * The first fire (due time minus the lead) after {@code afterTime}: the due time after {@code afterTime} plus the
     * lead, so the start time (whole seconds, as Quartz rounds it) applies to due times, as for a plain cron trigger.
     */
    @Override
    public Date getFireTimeAfter(Date afterTime) {
        long after = afterTime == null ? System.currentTimeMillis() : afterTime.getTime();
        Date due = super.getFireTimeAfter(new Date(after + lead));
        return due == null ? null : new Date(due.getTime() - lead);
    }
}
