package com.runbook.engine.backup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backups of one source to keep: the newest copy of each of the {@code daily} most recent days that have a
 * copy, the newest copy of each of the {@code weekly} most recent ISO weeks that have one (days and weeks in UTC),
 * and always the newest verified copy. Everything else is deleted. With no verified copy at all nothing is deleted.
 */
final class Retention {
    /** An object in the store and when it was taken (from its key). */
    public record Copy(String key, Instant takenAt, boolean verified) {
    }

    /** A copy to delete and why. */
    public record Deletion(String key, String reason) {
    }

    private Retention() {
    }

    public static List<Deletion> deletions(List<Copy> copies, int daily, int weekly) {
        List<Copy> newestFirst = new ArrayList<>(copies);
        newestFirst.sort(Comparator.comparing(Copy::takenAt).reversed().thenComparing(Copy::key));
        Copy newestVerified = newestFirst.stream().filter(Copy::verified).findFirst().orElse(null);
        if (newestVerified == null) {
            return List.of();
        }
        Set<String> keep = new LinkedHashSet<>();
        keep.add(newestVerified.key());
        keepNewestPer(newestFirst, daily, c -> c.takenAt().atZone(ZoneOffset.UTC).toLocalDate().toString(), keep);
        keepNewestPer(newestFirst, weekly, c -> {
            LocalDate d = c.takenAt().atZone(ZoneOffset.UTC).toLocalDate();
            return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        }, keep);
        List<Deletion> out = new ArrayList<>();
        for (Copy c : newestFirst) {
            if (!keep.contains(c.key())) {
                out.add(new Deletion(c.key(), "retention: not the newest of the last " + daily + " days nor of the last "
                        + weekly + " weeks"));
            }
        }
        return out;
    }

    private static void keepNewestPer(List<Copy> newestFirst, int periods, java.util.function.Function<Copy, String> period,
                                      Set<String> keep) {
        Map<String, Copy> newest = new LinkedHashMap<>();
        for (Copy c : newestFirst) {
            if (newest.size() >= periods && !newest.containsKey(period.apply(c))) {
                break;
            }
            newest.putIfAbsent(period.apply(c), c);
        }
        newest.values().forEach(c -> keep.add(c.key()));
    }
}
