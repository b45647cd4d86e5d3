package com.runbook.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.runbook.engine.Engine;
import com.runbook.engine.TestEngine;
import com.runbook.engine.audit.AuditTestEntries;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runbook audit}: the table, the filters sent, and {@code --verify}'s line and exit status, against an engine. */
@Tag("db")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    Engine engine;
    Map<String, String> env;

    @BeforeAll
    void start() throws Exception {
        Path base = TestEngine.emptyBase(dir);
        engine = TestEngine.start(base, dir.resolve("data"), Map.of());
        env = Map.of("RUNBOOK_URL", TestEngine.base(engine), "RUNBOOK_API_TOKEN", TestEngine.TOKEN,
                "RUNBOOK_DATA_DIR", dir.resolve("no-data").toString());
        AuditTestEntries.record(db(), "2026-12-05T10:00:00Z", "run.started", "token:alice", "nightly-backup", "run 1");
        AuditTestEntries.record(db(), "2026-12-05T11:30:00.250Z", "incident.acknowledged", "token:bob", null,
                "incident 7");
    }

    @AfterAll
    void stop() throws Exception {
        engine.close();
    }

    DataSource db() {
        return engine.context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    CliAgainstEngineTest.Result run(String... args) {
        return CliAgainstEngineTest.run(env, args);
    }

    @Test
    void theTrailAsATableNewestFirst() {
        CliAgainstEngineTest.Result audit = run("audit");
        assertThat(audit.code()).as(audit.err()).isZero();
        assertThat(audit.out()).isEqualTo(
                "SEQ  AT (UTC)              ACTOR        ACTION                 JOB             SUBJECT\n"
              + "2    2026-12-05 11:30:00Z  token:bob    incident.acknowledged  -               incident 7\n"
              + "1    2026-12-05 10:00:00Z  token:alice  run.started            nightly-backup  run 1\n");
    }

    @Test
    void filtersGoToTheApi() {
        AuditCommand command = new AuditCommand();
        new CommandLine(command).parseArgs("--since", "24h", "--actor", "token:alice", "--job", "a b", "--action",
                "run.started", "--limit", "5");
        assertThat(command.path()).isEqualTo("/api/audit?since=24h&actor=token%3Aalice&job=a+b&action=run.started&limit=5");
        assertThat(run("audit", "--actor", "bob").out()).contains("incident 7").doesNotContain("run 1");
        assertThat(run("audit", "--job", "other").out()).isEqualTo("no audit entries match\n");
    }

    @Test
    void aRefusedFilterSaysWhy() {
        CliAgainstEngineTest.Result audit = run("audit", "--since", "yesterday");
        assertThat(audit.code()).isEqualTo(EngineClient.REFUSED);
        assertThat(audit.err()).contains("since must be an ISO-8601 instant (2026-12-06T14:00:00Z) or a duration"
                + " (30m, 24h, 7d), not 'yesterday'");
    }

    @Test
    void verifyExitsZeroWhenIntactAndOneWithTheProblemWhenNot() throws Exception {
        String head = new JdbcTemplate(db()).queryForObject("select hash from audit_head", String.class);
        CliAgainstEngineTest.Result ok = run("audit", "--verify");
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo("audit trail intact: 2 entries, head " + head + "\n");

        new JdbcTemplate(db()).update("update audit_entry set subject = 'run 2' where seq = 1");
        try {
            CliAgainstEngineTest.Result tampered = run("audit", "--verify");
            assertThat(tampered.code()).isEqualTo(AuditCommand.TAMPERED).isEqualTo(1);
            assertThat(tampered.out()).isEqualTo("audit trail TAMPERED (altered): entry 1 was altered: its content does"
                    + " not give its hash (2 entries)\n");
            CliAgainstEngineTest.Result json = run("audit", "--verify", "--json");
            assertThat(json.code()).isEqualTo(1);
            assertThat(JSON.readTree(json.out()).get("problem").get("kind").asText()).isEqualTo("altered");
        } finally {
            new JdbcTemplate(db()).update("update audit_entry set subject = 'run 1' where seq = 1");
        }
    }

    @Test
    void auditHasHelp() {
        CliAgainstEngineTest.Result help = run("audit", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).startsWith("Usage: runbook audit").contains("-h, --help", "--verify", "--since=WHEN",
                "--actor=WHO", "--job=JOB", "--action=ACTION", "--limit=N");
    }

    @Test
    void theVerdictLineNamesTheAnchorsWhenThereAreSome() throws Exception {
        JsonNode verdict = JSON.readTree("{\"ok\": true, \"entries\": 12, \"head\": \"ab12\", \"anchors\": 3}");
        assertThat(AuditCommand.verdictLine(verdict)).isEqualTo("audit trail intact: 12 entries, 3 daily anchors, head ab12");
        assertThat(AuditCommand.table(JSON.readTree("[]")).render(Ansi.OFF)).isEqualTo(
                "SEQ  AT (UTC)  ACTOR  ACTION  JOB  SUBJECT\n");
    }
}
