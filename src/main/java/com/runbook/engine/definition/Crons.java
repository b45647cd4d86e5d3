package com.runbook.engine.definition;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.ZoneId;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One parsed Quartz cron per (expression, zone), shared by every schedule and trigger that uses it. A parsed
 * {@link CronExpression} keeps a value set per field (the year set alone holds every year up to 2299), about 10 KB,
 * and Quartz's own cron trigger parses it again on every copy of the trigger (its in-memory store copies a trigger on
 * every store and read): at 10,000 schedules that is most of the heap and of the start (bench/scale.sh). Schedules
 * share a handful of crons, so each is parsed once here.
 */
public final class Crons {
    /** Only a bound against unlimited growth over many reloads; dropping the cache loses sharing, not correctness. */
    private static final int MAX = 20_000;
    private static final Map<Key, Parsed> PARSED = new ConcurrentHashMap<>();

    private record Key(String cron, ZoneId zone) {
    }

    /** A fire time computed for a given instant: the triggers of one cron ask for the same one, at start and when they fire together. */
    private record Memo(long after, Date next) {
    }

    /**
     * A parsed cron in its zone. The expression is shared: never change it (no {@code setTimeZone}); computing fire
     * times from several threads is safe (Quartz computes them on a local calendar and only reads the value sets).
     */
    public static final class Parsed {
        private final CronExpression expression;
        private volatile Memo last = new Memo(Long.MIN_VALUE, null);
        /** A fire time computed before: while it is ahead, the cron still fires (validate's "never fires" check). */
        private volatile long knownFire = Long.MIN_VALUE;

        private Parsed(CronExpression expression) {
            this.expression = expression;
        }

        public CronExpression expression() {
            return expression;
        }

        /** The cron's first time strictly after {@code after} (whole seconds), as {@link CronExpression#getTimeAfter}. */
        public Date timeAfter(Date after) {
            Memo memo = last;
            if (memo.after() != after.getTime()) {
                Date next = expression.getTimeAfter(after);
                memo = new Memo(after.getTime(), next);
                last = memo;
            }
            return memo.next() == null ? null : new Date(memo.next().getTime());
        }

        /** Whether the cron fires at all after {@code now}. */
        boolean firesAfter(Date now) {
            if (knownFire > now.getTime()) {
                return true;
            }
            Date next = expression.getTimeAfter(now);
            if (next == null) {
                return false;
            }
            knownFire = next.getTime();
            return true;
        }
    }

    private Crons() {
    }

    /** The shared parsed cron in {@code zone}; a cron that does not parse throws and is not kept. */
    public static Parsed parsed(String cron, ZoneId zone) throws ParseException {
        Key key = new Key(cron, zone);
        Parsed known = PARSED.get(key);
        if (known != null) {
            return known;
        }
        CronExpression expression = new CronExpression(cron);
        expression.setTimeZone(TimeZone.getTimeZone(zone));
        if (PARSED.size() >= MAX) {
            PARSED.clear();
        }
        Parsed fresh = new Parsed(expression);
        Parsed raced = PARSED.putIfAbsent(key, fresh);
        return raced == null ? fresh : raced;
    }
}
