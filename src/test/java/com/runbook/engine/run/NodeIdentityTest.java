package com.runbook.engine.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default node name is created once in the data folder and the same at every start; RUNBOOK_NODE wins. */
class NodeIdentityTest {
    @TempDir
    Path data;

    @Test
    void theDefaultNameIsCreatedOnceAndKept() throws Exception {
        String first = NodeIdentity.resolve("", data);
        assertThat(first).matches(".+-[0-9a-f]{6}").doesNotContain(Long.toString(ProcessHandle.current().pid()));
        assertThat(Files.readString(data.resolve("node-id")).trim()).isEqualTo(first);
        assertThat(NodeIdentity.resolve(null, data)).isEqualTo(first);
        assertThat(NodeIdentity.resolve("  ", data)).isEqualTo(first);
    }

    @Test
    void aConfiguredNameWinsAndWritesNothing() {
        assertThat(NodeIdentity.resolve(" node-a ", data)).isEqualTo("node-a");
        assertThat(data.resolve("node-id")).doesNotExist();
    }

    @Test
    void anEmptyNodeIdFileIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(data.resolve("node-id"), "\n");
        assertThatThrownBy(() -> NodeIdentity.resolve("", data))
                .hasMessage(data.resolve("node-id") + " is empty: delete it (a new node name is created) or set RUNBOOK_NODE");
    }
}
