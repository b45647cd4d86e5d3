package com.runbook.engine.schedule;

import com.runbook.engine.definition.Crons;

import org.quartz.CronExpression;
import org.quartz.impl.triggers.CronTriggerImpl;

import java.util.Date;
import java.util.TimeZone;

/**
 * The in-memory store's cron trigger. It fires {@code lead} milliseconds before each due time of its expression (DST
 * and all, as the expression computes them): the run's row and overlap lock are written during the lead and the
 * route is called at the due time itself (see {@link ScheduleManager#LEAD}).
 * <p>
 * It reads its fire times from a parsed cron shared with every schedule of the same cron and zone ({@link Crons})
 * instead of Quartz's own copy: Quartz's cron trigger holds a parsed expression of its own (about 10 KB) and parses
 * it again on every copy, and its in-memory store copies a trigger on every store and read ({@code getTrigger}, the
 * next fire times of {@code GET /api/schedules}). So the superclass's expression stays unset, and everything it
 * would compute from it is computed from the shared one. Not for the JDBC store, which stores plain cron triggers.
 */
final class LeadCronTrigger extends CronTriggerImpl {
    private static final long serialVersionUID = 2L;
    private final long lead;
    private final Crons.Parsed cron;
    private final CronExpression expression;

    LeadCronTrigger(Crons.Parsed shared, long leadMillis) {
        this.cron = shared;
        this.expression = shared.expression();
        this.lead = leadMillis;
        setTimeZone(expression.getTimeZone());
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

    @Override
    protected Date getTimeAfter(Date afterTime) {
        return cron.timeAfter(afterTime);   // the triggers of one cron mostly ask for the same time: computed once
    }

    @Override
    protected Date getTimeBefore(Date eTime) {
        return expression.getTimeBefore(eTime);
    }

    @Override
    public Date getFinalFireTime() {
        Date last = expression.getFinalFireTime();
        if (getEndTime() != null) {
            Date beforeEnd = getTimeBefore(new Date(getEndTime().getTime() + 1000));
            last = beforeEnd != null && (last == null || beforeEnd.before(last)) ? beforeEnd : last;
        }
        return last == null ? null : new Date(last.getTime() - lead);
    }

    @Override
    public String getCronExpression() {
        return expression.getCronExpression();
    }

    @Override
    public String getExpressionSummary() {
        return expression.getExpressionSummary();
    }

    @Override
    public TimeZone getTimeZone() {
        return expression.getTimeZone();
    }

    @Override
    public void setCronExpression(String cronExpression) {
        throw new UnsupportedOperationException("a schedule's cron is changed by replacing its trigger");
    }

    @Override
    public void setCronExpression(CronExpression cronExpression) {
        throw new UnsupportedOperationException("a schedule's cron is changed by replacing its trigger");
    }
}
