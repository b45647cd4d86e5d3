package com.runbook.engine.definition;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Runbooks.decide alone: the verdict on a set of parsed files, with and without the versions in force. */
class VerdictTest {
    private static final DefaultCamelContext CONTEXT = new DefaultCamelContext();
    private static final String ROUTING = """
            - route:
                id: alert-routing
                from:
                  uri: direct:alert-routing
                  steps:
                    - setHeader: {name: runbook, constant: failover}
            """;

    @AfterAll
    static void close() throws Exception {
        CONTEXT.close();
    }

    private static RouteFile route(String name, String text) {
        return RouteFile.parse(CONTEXT, Path.of("/b/routes/" + name + ".camel.yaml"), "routes/" + name + ".camel.yaml", text);
    }

    private static String job(String id, String step) {
        return "- route:\n    id: " + id + "\n    from:\n      uri: direct:" + id + "\n      steps:\n        - " + step + "\n";
    }

    private static Map<Path, RouteFile> routes(RouteFile... files) {
        Map<Path, RouteFile> map = new TreeMap<>();
        for (RouteFile f : files) {
            map.put(f.path(), f);
        }
        return map;
    }

    private static Runbooks.Verdict decide(Map<Path, RouteFile> disk, Map<Path, ScheduleFile> schedules, Map<Path, RouteFile> old) {
        return Runbooks.decide(disk, schedules, old, Map.of(), RouteFile::problems, ScheduleFile::problems);
    }

    @Test
    void aBrokenJobRefusesTheFilesThatNameItAndNothingElse() {
        RouteFile failover = route("failover", job("failover", "lgo: x"));
        ScheduleFile schedule = ScheduleFile.parse(Path.of("/b/schedules/failover.yaml"), "schedules/failover.yaml",
                "job: failover\nevery: 1h\n");
        Runbooks.Verdict v = decide(routes(route("alert-routing", ROUTING), failover, route("other", job("other", "log: x"))),
                Map.of(schedule.path(), schedule), Map.of());
        assertThat(v.refused().keySet()).containsExactly("routes/alert-routing.camel.yaml", "routes/failover.camel.yaml",
                "schedules/failover.yaml");
        assertThat(v.refused().get("routes/alert-routing.camel.yaml")).map(Problem::toString).containsExactly(
                "routes/alert-routing.camel.yaml:6:48: refused because routes/failover.camel.yaml is refused"
                        + " (alert-routing sets runbook 'failover')");
        assertThat(v.refused().get("schedules/failover.yaml")).map(Problem::toString).containsExactly(
                "schedules/failover.yaml:1:1: refused because routes/failover.camel.yaml is refused (schedule names job 'failover')");
        assertThat(v.routes().values()).map(RouteFile::name).containsExactly("routes/other.camel.yaml");
        assertThat(v.schedules()).isEmpty();
    }

    @Test
    void aBrokenEditKeepsItsPreviousVersionAndWhatDependsOnItStays() {
        RouteFile good = route("failover", job("failover", "log: x"));
        RouteFile routing = route("alert-routing", ROUTING);
        Runbooks.Verdict v = decide(routes(routing, route("failover", job("failover", "lgo: x"))), Map.of(),
                routes(routing, good));
        assertThat(v.refused().keySet()).containsExactly("routes/failover.camel.yaml");
        assertThat(v.routes().values()).containsExactlyInAnyOrder(routing, good);
    }

    @Test
    void aDuplicateIdIsReportedInTheNewcomerWhateverItsName() {
        RouteFile running = route("zz-job", job("job", "log: running"));
        RouteFile newcomer = route("aa-copy", job("job", "log: copy"));
        Runbooks.Verdict v = decide(routes(running, newcomer), Map.of(), routes(running));
        assertThat(v.refused()).containsOnlyKeys("routes/aa-copy.camel.yaml");
        assertThat(v.routes().values()).containsExactly(running);
        // with nothing in force (start, validate) the first by name keeps the id
        assertThat(decide(routes(running, newcomer), Map.of(), Map.of()).refused()).containsOnlyKeys("routes/zz-job.camel.yaml");
    }

    @Test
    void aDeletedRouteTakesItsJobAndRefusesTheScheduleThatStillNamesIt() {
        RouteFile gone = route("job", job("job", "log: x"));
        ScheduleFile schedule = ScheduleFile.parse(Path.of("/b/schedules/job.yaml"), "schedules/job.yaml", "job: job\nevery: 1h\n");
        Runbooks.Verdict v = Runbooks.decide(Map.of(), Map.of(schedule.path(), schedule), routes(gone),
                Map.of(schedule.path(), schedule), RouteFile::problems, ScheduleFile::problems);
        assertThat(v.routes()).isEmpty();
        assertThat(v.schedules()).isEmpty();
        assertThat(v.refused().get("schedules/job.yaml")).map(Problem::toString).containsExactly("schedules/job.yaml:1:1:"
                + " schedule names job 'job' but no route in routes/ has that id and reads from direct:job");
        assertThat(List.copyOf(v.refused().keySet())).containsExactly("schedules/job.yaml");
    }
}
