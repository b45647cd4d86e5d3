package com.runbook.engine.audit;

import com.runbook.engine.RecordingAudit;
import com.runbook.engine.TestEngine;
import com.runbook.engine.core.AuditAction;
import com.runbook.engine.core.AuditEntry;
import com.runbook.engine.definition.FileState;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each file applied, refused or removed leaves one entry with its SHA-256 and its diff against the version in force. */
@Tag("db")
class FileVersionsTest {
    static final String FILE = "routes/heartbeat.camel.yaml";
    @TempDir
    Path base;
    HikariDataSource ds;
    final RecordingAudit audit = new RecordingAudit();
    FileVersions versions;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestEngine.database();
        versions = new FileVersions(ds, audit, base);
        Files.createDirectories(base.resolve("routes"));
    }

    @AfterEach
    void tearDown() {
        ds.close();
    }

    static FileState applied(String file) {
        return new FileState(file, "applied", Instant.now(), List.of(), false);
    }

    void write(String text) throws Exception {
        Files.writeString(base.resolve(FILE), text);
    }

    @Test
    void theStartRecordsEachFileOnceAndAReloadOnlyWhatChangedWithItsDiff() throws Exception {
        write("- route:\n    id: heartbeat\n    from: direct:heartbeat\n");
        versions.changed(List.of(applied(FILE)));
        assertThat(audit.committed).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.RELOAD_APPLIED);
            assertThat(e.actor().id()).isEqualTo("engine:start");
            assertThat(e.subject()).isEqualTo(FILE);
            assertThat(e.detail()).containsEntry("file", FILE)
                    .containsEntry("sha256", FileVersions.sha256("- route:\n    id: heartbeat\n    from: direct:heartbeat\n"))
                    .containsEntry("previousSha256", null);
            assertThat((String) e.detail().get("diff")).startsWith("--- a/" + FILE + "\n+++ b/" + FILE + "\n@@ -1,0 +1,4 @@\n+- route:\n");
        });
        String first = (String) audit.committed.get(0).detail().get("sha256");

        versions.changed(List.of(applied(FILE)));   // told again, nothing changed (another file's reload)
        assertThat(audit.committed).hasSize(1);

        write("- route:\n    id: heartbeat\n    from: direct:beat\n");
        versions.changed(List.of(applied(FILE)));
        assertThat(audit.committed).hasSize(2);
        AuditEntry reload = audit.committed.get(1);
        assertThat(reload.actor().id()).isEqualTo("engine:file-watcher");
        assertThat(reload.detail()).containsEntry("previousSha256", first);
        assertThat(reload.detail().get("diff")).isEqualTo("--- a/" + FILE + "\n+++ b/" + FILE + "\n@@ -1,4 +1,4 @@\n"
                + " - route:\n     id: heartbeat\n-    from: direct:heartbeat\n+    from: direct:beat\n \n");

        // a restarted engine on the same database records nothing for files that did not change
        FileVersions restarted = new FileVersions(ds, audit, base);
        restarted.changed(List.of(applied(FILE)));
        assertThat(audit.committed).hasSize(2);
    }

    @Test
    void aRefusedVersionIsRecordedOnceWithItsProblemsAndItsDiffAgainstTheVersionInForce() throws Exception {
        write("a\nb\n");
        versions.changed(List.of(applied(FILE)));
        write("a\nB\n");
        FileState refused = new FileState(FILE, "refused", Instant.now(), List.of(FILE + ":2: unknown step 'B'"), true);
        versions.changed(List.of(refused));
        versions.changed(List.of(refused));   // another file's reload: the same refused version is not reported again
        assertThat(audit.committed).hasSize(2);
        assertThat(audit.committed.get(1)).satisfies(e -> {
            assertThat(e.action()).isEqualTo(AuditAction.RELOAD_REFUSED);
            assertThat(e.detail()).containsEntry("sha256", FileVersions.sha256("a\nB\n"))
                    .containsEntry("inForceSha256", FileVersions.sha256("a\nb\n"))
                    .containsEntry("problems", List.of(FILE + ":2: unknown step 'B'"))
                    .containsEntry("previousVersionRunning", true)
                    .containsEntry("diff", "--- a/" + FILE + "\n+++ b/" + FILE + "\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n \n");
        });
        // the version in force is still the applied one: fixing the file back records no change
        write("a\nb\n");
        versions.changed(List.of(applied(FILE)));
        assertThat(audit.committed).hasSize(2);
    }

    @Test
    void aFileGoneFromTheFoldersIsRecordedAsRemoved() throws Exception {
        write("a\n");
        versions.changed(List.of(applied(FILE)));
        Files.delete(base.resolve(FILE));
        versions.changed(List.of());
        assertThat(audit.committed).hasSize(2);
        assertThat(audit.committed.get(1).detail()).containsEntry("removed", true).containsEntry("sha256", null)
                .containsEntry("diff", "--- a/" + FILE + "\n+++ b/" + FILE + "\n@@ -1,2 +1,0 @@\n-a\n-\n");
        versions.changed(List.of());
        assertThat(audit.committed).hasSize(2);
    }

    @Test
    void aLongDiffIsCutAtALineAndSaysHowManyLinesItLeftOut() {
        String big = "x".repeat(100) + "\n";
        String diff = FileVersions.diff(FILE, "", big.repeat(1000));
        assertThat(diff.length()).isLessThanOrEqualTo(FileVersions.MAX_DIFF + 40);
        assertThat(diff).endsWith(" more lines)\n").contains("... (diff cut: ");
    }
}
