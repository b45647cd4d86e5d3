package com.runbook.engine.schedule;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.ZoneId;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One parsed Quartz cron per (expression, zone), shared by every schedule and trigger that uses it. A parsed
 * {@link CronExpression} keeps a value set per field (the year set alone holds every year up to 2299), about 10 KB,
 * and Quartz's own cron trigger parses it again on every copy of the trigger (its in-memory store copies a trigger on
 * every store and read): at 10,000 schedules that was most of the heap and of the start (bench/scale.sh). Schedules
 * share a handful of crons, so each is parsed once here. The instances returned are shared: never change them (no
 * {@code setTimeZone}); reading next fire times from several threads is safe (Quartz computes them on a local
 * calendar and only reads the value sets).
 */
final class Crons {
    /** Only a bound against unlimited growth over many reloads; dropping the cache loses sharing, not correctness. */
    private static final int MAX = 20_000;
    private static final Map<Key, CronExpression> PARSED = new ConcurrentHashMap<>();

    private record Key(String cron, ZoneId zone) {
    }

    private Crons() {
    }

    /** The shared parsed cron in {@code zone}; a cron that does not parse throws and is not kept. */
    static CronExpression parsed(String cron, ZoneId zone) throws ParseException {
        Key key = new Key(cron, zone);
        CronExpression known = PARSED.get(key);
        if (known != null) {
            return known;
        }
        CronExpression expression = new CronExpression(cron);
        expression.setTimeZone(TimeZone.getTimeZone(zone));
        if (PARSED.size() >= MAX) {
            PARSED.clear();
        }
        CronExpression raced = PARSED.putIfAbsent(key, expression);
        return raced == null ? expression : raced;
    }
}
