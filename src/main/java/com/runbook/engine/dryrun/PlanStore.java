package com.runbook.engine.dryrun;

import com.runbook.engine.core.DryRun;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;

/** Stores a dry run's plan with its run ({@code run_plan}; its rows go when the {@code job_run} row is pruned). */
final class PlanStore {
    /** The size of {@code run_plan.effect}. */
    static final int MAX_EFFECT = 4000;
    /** The size of {@code run_plan.kind}. */
    static final int MAX_KIND = 40;
    private final JdbcTemplate jdbc;

    PlanStore(DataSource db) {
        this.jdbc = new JdbcTemplate(db);
    }

    /** Writes effects of the plan of run {@code runId}, in order, after the {@code before} stored already. */
    void save(long runId, List<DryRun.Effect> effects, int before) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < effects.size(); i++) {
            DryRun.Effect e = effects.get(i);
            rows.add(new Object[] {runId, before + i + 1, cut(e.kind(), MAX_KIND), cut(e.effect(), MAX_EFFECT)});
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate("insert into run_plan (run_id, seq, kind, effect) values (?, ?, ?, ?)", rows);
        }
    }

    /** The plan of run {@code runId}, in order (empty for a real run). */
    List<DryRun.Effect> plan(long runId) {
        return jdbc.query("select kind, effect from run_plan where run_id = ? order by seq",
                (rs, i) -> new DryRun.Effect(rs.getString(1), rs.getString(2)), runId);
    }

    private static String cut(String s, int max) {
        String text = s == null ? "" : s;
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
