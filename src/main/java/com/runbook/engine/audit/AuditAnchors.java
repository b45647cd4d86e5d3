package com.runbook.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.backup.ObjectStore;
import com.runbook.engine.text.Json;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daily anchors ({@code runbook.audit.anchor}): once a UTC day is over, the chain's last entry of that day (its
 * seq and hash) is written to the backup object store as {@code audit-anchors/<yyyy>/<MM>/<dd>.json}, once. The
 * database alone cannot show a rewrite of the whole trail with every hash recomputed (the chain is consistent
 * again); an anchor kept elsewhere, written before the rewrite, can: {@code verify} checks the entry each anchor
 * names still has the anchored hash. An anchor is only as safe as its store: make the bucket write-once (S3 Object
 * Lock) or at least writable by the engine only. An anchor written late (the engine was down at midnight) still holds
 * the day's last entry: it names an entry by seq, so entries committed since do not change it.
 */
final class AuditAnchors {
    static final String PREFIX = "audit-anchors/";
    /** The most days one pass anchors (an engine down for longer catches up over several passes). */
    private static final int MAX_DAYS = 400;

    private final JdbcTemplate jdbc;
    private final ObjectStore store;
    private final Clock clock;

    AuditAnchors(DataSource db, ObjectStore store, Clock clock) {
        this.jdbc = new JdbcTemplate(db);
        this.store = store;
        this.clock = clock;
    }

    /** One anchor: the last entry of {@code day} (UTC). */
    record Anchor(LocalDate day, long seq, String hash) {
    }

    static String key(LocalDate day) {
        return PREFIX + String.format("%04d/%02d/%02d.json", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
    }

    /** Writes the anchor of every finished day since the last anchored one (or the first entry's); returns them. */
    List<Anchor> anchorFinishedDays() throws IOException {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Optional<LocalDate> last = store.list(PREFIX).stream().map(AuditAnchors::day).filter(Optional::isPresent)
                .map(Optional::get).max(LocalDate::compareTo);
        LocalDate from;
        if (last.isPresent()) {
            from = last.get().plusDays(1);
        } else {
            List<OffsetDateTime> first = jdbc.queryForList("select at from audit_entry order by seq fetch first 1 rows only",
                    OffsetDateTime.class);
            if (first.isEmpty()) {
                return List.of();
            }
            from = first.get(0).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        }
        List<Anchor> written = new ArrayList<>();
        for (LocalDate day = from; day.isBefore(today) && written.size() < MAX_DAYS; day = day.plusDays(1)) {
            List<Map<String, Object>> lastOfDay = jdbc.queryForList("select seq, hash from audit_entry where at < ?"
                    + " order by seq desc fetch first 1 rows only", day.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
            if (lastOfDay.isEmpty()) {
                continue;
            }
            Anchor anchor = new Anchor(day, ((Number) lastOfDay.get(0).get("seq")).longValue(),
                    (String) lastOfDay.get(0).get("hash"));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("day", day.toString());
            json.put("seq", anchor.seq());
            json.put("hash", anchor.hash());
            store.put(key(day), new ByteArrayInputStream(Json.MAPPER.writeValueAsBytes(json)));
            written.add(anchor);
        }
        return written;
    }

    /** Every anchor in the store, oldest first. */
    List<Anchor> all() throws IOException {
        List<String> keys = new ArrayList<>(store.list(PREFIX).stream().filter(k -> day(k).isPresent()).toList());
        keys.sort(null);
        List<Anchor> anchors = new ArrayList<>();
        for (String key : keys) {
            try (InputStream in = store.open(key)) {
                JsonNode json = Json.MAPPER.readTree(in);
                anchors.add(new Anchor(day(key).orElseThrow(), json.path("seq").asLong(), json.path("hash").asText()));
            }
        }
        return anchors;
    }

    /** Where the anchor of {@code day} is, as a person reads it. */
    String location(LocalDate day) {
        return store.location(key(day));
    }

    /** The day an anchor's key names. */
    static Optional<LocalDate> day(String key) {
        String k = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
        if (!k.matches("\\d{4}/\\d{2}/\\d{2}\\.json")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(k.substring(0, 10).replace('/', '-')));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
