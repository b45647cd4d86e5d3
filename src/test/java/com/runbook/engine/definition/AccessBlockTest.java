package com.runbook.engine.definition;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code - access:} item beside a runbook: the role it needs to run, and the text Camel reads without it. */
class AccessBlockTest {
    private static final String ROUTE = """
            - route:
                id: job-a
                from:
                  uri: direct:job-a
                  steps:
                    - log: "x"
            """;

    @Test
    void aRunbookWithoutTheItemNeedsOperator() {
        AccessBlock block = AccessBlock.of(ROUTE);
        assertThat(block.run()).isEqualTo(Role.OPERATOR);
        assertThat(block.problems("routes/job-a.camel.yaml")).isEmpty();
        assertThat(block.routesText(ROUTE)).isSameAs(ROUTE);
    }

    @Test
    void operatorOrAdminCanBeDeclaredAndARunWithoutRoleIsOperator() {
        for (Role role : new Role[] {Role.OPERATOR, Role.ADMIN}) {
            AccessBlock block = AccessBlock.of("- access:\n    run: " + role.stored() + "\n" + ROUTE);
            assertThat(block.problems("f")).isEmpty();
            assertThat(block.run()).isEqualTo(role);
        }
        assertThat(AccessBlock.of("- access: {}\n" + ROUTE).run()).isEqualTo(Role.OPERATOR);
        assertThat(AccessBlock.of("- access:\n    run: Admin\n" + ROUTE).run()).isEqualTo(Role.ADMIN);
    }

    @Test
    void camelGetsTheFileWithTheAccessAndParameterItemsBlankedOnTheSameLines() {
        String text = "# guarded\n- access:\n    run: admin   # only admins\n- parameters:\n    - name: reason\n" + ROUTE;
        String seen = AccessBlock.of(text).routesText(ParameterBlock.of(text).routesText(text));
        assertThat(seen).isEqualTo("# guarded\n\n\n\n\n" + ROUTE);
    }

    @Test
    void aFaultyDeclarationGivesTheDefaultAndItsProblems() {
        AccessBlock block = AccessBlock.of("- access:\n    run: root\n    run: admin\n    who: me\n" + ROUTE);
        assertThat(block.problems("routes/job-a.camel.yaml")).map(Problem::toString).containsExactly(
                "routes/job-a.camel.yaml:2:10: unknown role 'root' for 'run' (expected one of: operator, admin)",
                "routes/job-a.camel.yaml:3:5: duplicate key 'run' in 'access'",
                "routes/job-a.camel.yaml:4:5: unknown key 'who' in 'access' (expected one of: run)");
        assertThat(block.run()).isEqualTo(Role.OPERATOR);
        assertThat(AccessBlock.of("- access:\n    run:\n" + ROUTE).problems("f")).map(Problem::toString)
                .containsExactly("f:2:9: 'run' must be one role (operator | admin)");
        assertThat(AccessBlock.of("- access:\n    run: [admin]\n" + ROUTE).problems("f")).map(Problem::toString)
                .containsExactly("f:2:10: 'run' must be one role (operator | admin)");
    }

    @Test
    void theShippedGuardedRunbooksNeedAdminAndTheOthersOperator() throws Exception {
        for (String job : new String[] {"emergency-stop", "trading-resume", "dns-failover", "dns-rollback"}) {
            assertThat(AccessBlock.of(Files.readString(Path.of("routes", job + ".camel.yaml"))).run()).as(job)
                    .isEqualTo(Role.ADMIN);
        }
        try (var files = Files.list(Path.of("routes"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".camel.yaml")).filter(p -> {
                try {
                    return AccessBlock.of(Files.readString(p)).run() == Role.ADMIN;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("emergency-stop.camel.yaml",
                    "trading-resume.camel.yaml", "dns-failover.camel.yaml", "dns-rollback.camel.yaml");
        }
    }
}
