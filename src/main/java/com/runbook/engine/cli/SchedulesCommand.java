package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runbook schedules [JOB]}: every schedule of a running engine (GET /api/schedules). */
@Command(name = "schedules", mixinStandardHelpOptions = true,
        description = "List the schedules of a running engine: id, job, params, when, zone, next fire in UTC and in "
                + "the schedule's zone, last run (GET /api/schedules). Several schedules may run one job.")
class SchedulesCommand implements Callable<Integer> {
    @Mixin
    OpsCommands.Remote remote;

    @Parameters(paramLabel = "JOB", arity = "0..1", description = "only the schedules of this job")
    String job;

    @Override
    public Integer call() {
        String path = "/api/schedules" + (job == null ? "" : "?job=" + URLEncoder.encode(job, StandardCharsets.UTF_8));
        return remote.show(path, SchedulesCommand::table, job == null ? "no schedules (schedules/ is empty)"
                : "no schedules for " + job);
    }

    static Table table(JsonNode schedules) {
        Table table = new Table("SCHEDULE", "JOB", "PARAMS", "WHEN", "ZONE", "NEXT FIRE (UTC)", "NEXT FIRE (LOCAL)",
                "LAST RUN").style(7, Table::statusStyle);
        for (JsonNode s : schedules) {
            boolean enabled = s.path("enabled").asBoolean(true);
            String zone = s.path("zone").asText("UTC");
            List<String> params = new ArrayList<>();
            s.path("params").fields().forEachRemaining(p -> params.add(p.getKey() + "=" + p.getValue().asText()));
            JsonNode last = s.get("lastRun");
            table.row(s.path("id").asText(), s.path("job").asText(), params.isEmpty() ? null : String.join(" ", params),
                    s.path("expression").asText() + (enabled ? "" : " (disabled)"), zone,
                    enabled ? OpsCommands.utc(OpsCommands.text(s, "nextFireUtc")) : "disabled",
                    enabled ? OpsCommands.local(OpsCommands.text(s, "nextFireLocal"), zone) : null,
                    last == null || last.isNull() ? null : OpsCommands.text(last, "status"));
        }
        return table;
    }
}
