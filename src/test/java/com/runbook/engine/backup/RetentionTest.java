package com.runbook.engine.backup;

import com.runbook.engine.store.Database;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Retention over objects with forged key dates: exactly the expected ones go, the newest good copy never does. */
class RetentionTest {
    @TempDir
    Path dir;
    JdbcDataSource ds;
    LocalObjectStore store;
    BackupRecords records;

    @BeforeEach
    void setUp() {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Database.migrate(ds);
        store = new LocalObjectStore(dir);
        records = new BackupRecords(ds);
    }

    private String forge(String source, String at, boolean verified) throws Exception {
        Instant t = Instant.parse(at);
        String key = BackupKeys.key(source, t, "dump");
        store.put(key, new ByteArrayInputStream(new byte[] {1, 2, 3}));
        if (verified) {
            records.insert(source, key, store.describe(), 3, "00", t, 1);
        }
        return key;
    }

    private BackupService service(int daily, int weekly) {
        return new BackupService(Map.of("db", new CommandSource("db", List.of("true"), "dump", dir)), store, records,
                () -> null, "P2", daily, weekly, false, Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));
    }

    @Test
    void keepsTheNewestOfEachOfTheLastDaysAndWeeksAndDeletesTheRest() throws Exception {
        // two copies on 26 Nov, one a day back to 16 Nov (Mon 16 - Thu 26), then one per Sunday in October
        List<String> keys = new ArrayList<>();
        String newest = forge("db", "2026-11-26T02:00:00Z", true);
        String sameDayOlder = forge("db", "2026-11-26T01:00:00Z", true);
        for (int d = 25; d >= 16; d--) {
            keys.add(forge("db", "2026-11-" + d + "T02:00:00Z", true));
        }
        String oct25 = forge("db", "2026-10-25T02:00:00Z", true);
        String oct18 = forge("db", "2026-10-18T02:00:00Z", true);

        List<Map<String, Object>> deleted = service(3, 3).retention(7, Map.of());

        // daily 3: 26, 25, 24 Nov; weekly 3: ISO weeks of 26 Nov (23-29), 16-22 Nov (newest: 22), 19-25 Oct (25 Oct)
        List<String> expected = new ArrayList<>(List.of(sameDayOlder));
        keys.stream().filter(k -> !k.matches(".*-2026112[245]T.*")).forEach(expected::add);
        expected.add(oct18);
        assertThat(deleted).extracting(m -> m.get("key")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(store.list("backups/db/")).containsExactlyInAnyOrder(newest, keys.get(0), keys.get(1), keys.get(3), oct25);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*), min(run_id), max(run_id) from backup_deletion")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(expected.size());
            assertThat(rs.getLong(2)).isEqualTo(7);
            assertThat(rs.getLong(3)).isEqualTo(7);
        }
        assertThat(records.live("db")).extracting(BackupRecords.StoredObject::key).doesNotContainAnyElementsOf(expected);
    }

    @Test
    void neverDeletesTheNewestVerifiedCopyEvenWhenNewerUnverifiedOnesExist() throws Exception {
        String good = forge("db", "2026-11-20T02:00:00Z", true);
        String unverified1 = forge("db", "2026-11-26T02:00:00Z", false);
        String unverified2 = forge("db", "2026-11-25T02:00:00Z", false);

        List<Map<String, Object>> deleted = service(1, 0).retention(8, Map.of());

        assertThat(deleted).extracting(m -> m.get("key")).containsExactly(unverified2);
        assertThat(store.list("backups/db/")).containsExactlyInAnyOrder(good, unverified1);
    }

    @Test
    void deletesNothingWithoutAVerifiedCopy() throws Exception {
        forge("db", "2026-11-26T02:00:00Z", false);
        forge("db", "2026-11-01T02:00:00Z", false);

        assertThat(service(1, 0).retention(9, Map.of())).isEmpty();
        assertThat(store.list("backups/db/")).hasSize(2);
    }

    @Test
    void theRetentionDryRunSettingOnlyLogsWhatWouldBeDeleted() throws Exception {
        forge("db", "2026-11-26T02:00:00Z", true);
        String old = forge("db", "2026-11-01T02:00:00Z", true);
        BackupService logOnly = new BackupService(Map.of("db", new CommandSource("db", List.of("true"), "dump", dir)), store,
                records, () -> null, "P2", 1, 0, true, Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));

        List<Map<String, Object>> deleted = logOnly.applyRetention(10, List.of());

        assertThat(deleted).singleElement().satisfies(m -> {
            assertThat(m.get("key")).isEqualTo(old);
            assertThat(m.get("deleted")).isEqualTo(false);
        });
        assertThat(store.list("backups/db/")).contains(old);
        assertThat(records.live("db")).hasSize(2);
    }
}
