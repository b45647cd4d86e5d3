package com.runbook.engine.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.runbook.engine.core.Door;
import com.runbook.engine.core.Refused;
import com.runbook.engine.core.Request;
import com.runbook.engine.core.RunStarter;
import com.runbook.engine.definition.Runbooks;
import com.runbook.engine.run.RunStore;
import com.runbook.engine.schedule.JobView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The API's own routes are doors like every feature's: reads open, running a job behind the token. */
class ApiRoutesTest {
    private final ApiRoutes api = new ApiRoutes(new ApiRoutes.Backend() {
        @Override
        public List<JobView> jobs() {
            return List.of();
        }

        @Override
        public RunStore runs() {
            return null;
        }

        @Override
        public RunStarter starter() {
            return null;
        }

        @Override
        public Runbooks runbooks() {
            return null;
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public com.runbook.engine.core.Identities identities() {
            return new com.runbook.engine.access.ApiTokens(() -> "t");
        }
    });

    @Test
    void theApiIsAListOfDoors() {
        assertThat(api.doors()).extracting(Door::id, d -> d.method() + " " + d.path(), Door::access).containsExactly(
                org.assertj.core.groups.Tuple.tuple("api-jobs", "GET /api/jobs", Door.Access.VIEWER),
                org.assertj.core.groups.Tuple.tuple("api-job-run", "POST /api/jobs/{id}/run", Door.Access.OPERATOR),
                org.assertj.core.groups.Tuple.tuple("api-runs", "GET /api/runs", Door.Access.VIEWER),
                org.assertj.core.groups.Tuple.tuple("api-run", "GET /api/runs/{id}", Door.Access.VIEWER),
                org.assertj.core.groups.Tuple.tuple("api-run-log", "GET /api/runs/{id}/log", Door.Access.VIEWER),
                org.assertj.core.groups.Tuple.tuple("api-reload", "GET /api/reload", Door.Access.VIEWER),
                org.assertj.core.groups.Tuple.tuple("api-health", "GET /health", Door.Access.OPEN),
                org.assertj.core.groups.Tuple.tuple("api-metrics", "GET /metrics", Door.Access.OPEN));
    }

    @Test
    void aRunIdThatIsNotANumberNamesNoRun() {
        Door run = api.doors().stream().filter(d -> d.id().equals("api-run")).findFirst().orElseThrow();
        assertThatThrownBy(() -> run.handler().handle(request(Map.of("id", "x")::get)))
                .isInstanceOf(Refused.class).hasMessage("no run with id x")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.NOT_FOUND);
    }

    @Test
    void aStatusFilterIsOneOfTheRunStatuses() {
        assertThat(ApiRoutes.status(null)).isNull();
        assertThat(ApiRoutes.status("failed")).isEqualTo(com.runbook.engine.core.RunStatus.FAILED);
        assertThatThrownBy(() -> ApiRoutes.status("FAILED"))
                .hasMessage("status must be one of running, succeeded, failed, skipped, not 'FAILED'")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.INVALID);
    }

    @Test
    void aLogsFromIsALineNumber() {
        assertThat(ApiRoutes.fromLine(null)).isEqualTo(1);
        assertThat(ApiRoutes.fromLine("0")).isEqualTo(1);
        assertThat(ApiRoutes.fromLine("17")).isEqualTo(17);
        assertThatThrownBy(() -> ApiRoutes.fromLine("-1")).hasMessage("from must be a line number (1 or more), not -1")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.INVALID);
        assertThatThrownBy(() -> ApiRoutes.fromLine("end")).hasMessage("from must be a line number (1 or more), not 'end'");
    }

    @Test
    void aLogsFormatIsTextOrJson() {
        Door log = api.doors().stream().filter(d -> d.id().equals("api-run-log")).findFirst().orElseThrow();
        assertThatThrownBy(() -> log.handler().handle(request(Map.of("id", "1")::get, Map.of("format", "xml")::get)))
                .isInstanceOf(Refused.class).hasMessage("format must be json or text, not 'xml'")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.INVALID);
        assertThatThrownBy(() -> log.handler().handle(request(Map.of("id", "x")::get)))
                .isInstanceOf(Refused.class).hasMessage("no run with id x");
    }

    @Test
    void aLimitOutOfRangeIsRefused() {
        assertThat(Request.limit(null, 50)).isEqualTo(50);
        assertThatThrownBy(() -> Request.limit("0", 50)).hasMessage("limit must be between 1 and 1000, not 0")
                .extracting(e -> ((Refused) e).reason()).isEqualTo(Refused.Reason.INVALID);
        assertThatThrownBy(() -> Request.limit("many", 50)).hasMessage("limit must be a number, not 'many'");
    }

    private static Request request(Function<String, String> path) {
        return request(path, name -> null);
    }

    private static Request request(Function<String, String> path, Function<String, String> query) {
        return new Request() {
            @Override
            public com.runbook.engine.core.Actor caller() {
                return com.runbook.engine.core.Actor.BOOTSTRAP;
            }

            @Override
            public String path(String name) {
                return path.apply(name);
            }

            @Override
            public String query(String name) {
                return query.apply(name);
            }

            @Override
            public String header(String name) {
                return null;
            }

            @Override
            public byte[] body() {
                return new byte[0];
            }

            @Override
            public JsonNode json() {
                return Http.JSON.createObjectNode();
            }

            @Override
            public Map<String, Object> form() {
                return null;
            }
        };
    }
}
