package com.runbook.engine;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every row of every table of a database's current schema, sorted, as text: two snapshots are equal when a dry run
 * changed nothing. Tables named in {@code except} (the run rows a dry run does write) are left out.
 */
public final class TableSnapshot {
    private TableSnapshot() {
    }

    /**
     * Every row of every table of {@code db} but a run's own rows, which a dry run does write (job_run, its overlap lock
     * in job_lock, the run_* tables of its timeline, log and plan, its {@code run.started} audit entry and so the
     * chain's head: see {@link #of}), and the tables {@code alsoExcept} names. Any other audit entry (a change a dry
     * run must not make) still shows.
     */
    public static Map<String, List<String>> exceptRuns(DataSource db, String... alsoExcept) throws SQLException {
        Map<String, List<String>> all = of(db, Set.of("job_run", "job_lock"));
        all.keySet().removeIf(t -> t.startsWith("run_") || Set.of(alsoExcept).contains(t));
        return all;
    }

    /**
     * Every row of every table of {@code db} but the tables {@code except} names. When it names {@code job_run} (a run's
     * rows are expected), each run's {@code run.started} audit entry and the chain's head ({@code audit_head}) are left
     * out too; any other audit entry still shows.
     */
    public static Map<String, List<String>> of(DataSource db, Set<String> except) throws SQLException {
        Map<String, List<String>> tables = new TreeMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            DatabaseMetaData meta = c.getMetaData();
            List<String> names = new ArrayList<>();
            try (ResultSet rs = meta.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    names.add(rs.getString("TABLE_NAME"));
                }
            }
            for (String name : names) {
                if (except.contains(name.toLowerCase(Locale.ROOT))
                        || except.contains("job_run") && name.equalsIgnoreCase("audit_head")) {
                    continue;
                }
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("select * from \"" + name + "\"")) {
                    ResultSetMetaData m = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= m.getColumnCount(); i++) {
                            row.append(m.getColumnName(i)).append('=').append(rs.getString(i)).append('|');
                        }
                        rows.add(row.toString());
                    }
                }
                Collections.sort(rows);
                if (except.contains("job_run") && name.equalsIgnoreCase("audit_entry")) {
                    rows.removeIf(row -> row.toUpperCase(Locale.ROOT).contains("|ACTION=RUN.STARTED|"));
                }
                tables.put(name.toLowerCase(Locale.ROOT), rows);
            }
        }
        return tables;
    }
}
